"""The text "Zo rekenen we": one text per language, shown on /methode/ and as the PDF's appendix,
so that the website and the report never tell two stories."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

METHOD_TEXT_TEMPLATES = {
    "nl": "indicators/_method_text.html",
    "en": "indicators/_method_text_en.html",
}


def method_language(language: str | None) -> str:
    """The language the method text exists in closest to ``language`` (Dutch otherwise)."""
    base = (language or "nl").split("-")[0].lower()
    return base if base in METHOD_TEXT_TEMPLATES else "nl"


def method_context(stale_days: int | None = None) -> dict:
    """The settings the text names; a report passes the stale period it was made with."""
    return {
        "indicative_below": settings.INDICATIVE_COVERAGE_BELOW,
        "stale_days": settings.ANSWER_STALE_AFTER_DAYS if stale_days is None else stale_days,
        "min_group_size": settings.MIN_GROUP_SIZE,
        "small_group_size": settings.SMALL_GROUP_SIZE,
        "backdate_days": settings.ANSWER_MAX_BACKDATE_DAYS,
    }


def method_template(language: str | None) -> str:
    return METHOD_TEXT_TEMPLATES[method_language(language)]


def render_method_text(language: str | None, stale_days: int | None = None) -> SafeString:
    return SafeString(render_to_string(method_template(language), method_context(stale_days)))
