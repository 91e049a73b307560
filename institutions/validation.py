"""What a valid answer is, shared by the status page form, the file import and the API.

Each function raises ValidationError with a message that says which field and why.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.translation import gettext as _

from institutions.models import AnswerStatus, Institution
from themes.models import SectorTarget

# Dates before the route's predecessors make no sense and are typing errors. Only an operator's
# history load (import_answers) may go back this far; see earliest_applies_on().
EARLIEST_APPLIES_ON = datetime.date(2020, 1, 1)
NBA_RANGE = (Decimal("0.0"), Decimal("5.0"))

STATUS_MEASURES = {SectorTarget.Measure.SHARE_ADOPTED}
SCORE_MEASURES = {SectorTarget.Measure.MEAN_SCORE, SectorTarget.Measure.SHARE_AT_LEAST}
PERCENTAGE_MEASURES = {SectorTarget.Measure.INSTITUTION_SHARE}


def is_answerable(target: SectorTarget) -> bool:
    """Milestone targets are set by sector staff, not answered per institution."""
    return target.measure != SectorTarget.Measure.MILESTONE


def value_field(target: SectorTarget) -> str:
    if target.measure in STATUS_MEASURES:
        return "status"
    if target.measure in SCORE_MEASURES:
        return "score"
    if target.measure in PERCENTAGE_MEASURES:
        return "percentage"
    raise ValidationError(_("Dit doel wordt door de sectorstaf bijgehouden, niet per instelling."))


def score_range(target: SectorTarget) -> tuple[Decimal, Decimal]:
    if target.score_min is not None and target.score_max is not None:
        return target.score_min, target.score_max
    return NBA_RANGE


def _number(raw: str) -> Decimal:
    text = raw.strip().replace(",", ".")  # Dutch users type a decimal comma
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValidationError(_("'%(raw)s' is geen getal.") % {"raw": raw}) from None
    if not number.is_finite():
        raise ValidationError(_("'%(raw)s' is geen getal.") % {"raw": raw})
    return number


def clean_value(target: SectorTarget, raw: str | Decimal | None) -> dict:
    """The answer's value for this target as model fields, e.g. {"status": "gepland"}."""
    field = value_field(target)
    text = "" if raw is None else str(raw).strip()
    if not text:
        raise ValidationError(_("Vul een waarde in."))
    if field == "status":
        status = text.lower().replace(" ", "_")
        if status not in AnswerStatus.values:
            raise ValidationError(
                _("'%(raw)s' is geen status; kies uit %(choices)s.")
                % {"raw": text, "choices": ", ".join(AnswerStatus.values)}
            )
        return {"status": status}
    number = _number(text)
    if field == "score":
        low, high = score_range(target)
        # The range first: quantize() raises InvalidOperation on a huge number such as 1e309.
        if not low <= number <= high:
            raise ValidationError(
                _("De score moet tussen %(low)s en %(high)s liggen.")
                % {"low": f"{low:.1f}".replace(".", ","), "high": f"{high:.1f}".replace(".", ",")}
            )
        if number != number.quantize(Decimal("0.1")):
            raise ValidationError(_("Geef de score met hoogstens één decimaal, bv. 2,5."))
        return {"score": number.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)}
    if not Decimal(0) <= number <= Decimal(100):
        raise ValidationError(_("Het percentage moet tussen 0 en 100 liggen."))
    if number != number.quantize(Decimal("0.01")):
        raise ValidationError(_("Geef het percentage met hoogstens twee decimalen."))
    return {"percentage": number}


def earliest_applies_on(*, history_load: bool = False) -> datetime.date:
    """The earliest date an answer may apply from.

    A CIO (status page, upload, token API) may date an answer at most
    ANSWER_MAX_BACKDATE_DAYS back and never before the route's start: a backdated answer
    rewrites a month whose figures were already reported, and could be the only answer in it.
    An operator loading history with import_answers may go back to EARLIEST_APPLIES_ON.
    """
    if history_load:
        return EARLIEST_APPLIES_ON
    window_start = timezone.localdate() - datetime.timedelta(days=settings.ANSWER_MAX_BACKDATE_DAYS)
    return max(datetime.date.fromisoformat(settings.ROUTE_START), window_start)


def clean_applies_on(value: datetime.date | None, *, history_load: bool = False) -> datetime.date:
    today = timezone.localdate()
    if value is None:
        return today
    if value > today:
        raise ValidationError(_("De datum mag niet in de toekomst liggen."))
    earliest = earliest_applies_on(history_load=history_load)
    if value < earliest:
        raise ValidationError(
            _("De datum mag niet voor %(date)s liggen.") % {"date": earliest.isoformat()}
        )
    return value


def check_active(institution: Institution, day: datetime.date) -> None:
    """An institution counts from active_from to active_to (a merger or closure); an answer
    that applies outside that period would count for an institution that does not exist."""
    if institution.is_active_on(day):
        return
    if institution.active_to is None:
        period = _("vanaf %(start)s") % {"start": institution.active_from.isoformat()}
    else:
        period = _("van %(start)s tot en met %(end)s") % {
            "start": institution.active_from.isoformat(),
            "end": institution.active_to.isoformat(),
        }
    raise ValidationError(
        _("%(code)s is op %(date)s geen actieve instelling (actief %(period)s).")
        % {"code": institution.code, "date": day.isoformat(), "period": period}
    )


_url_validator = URLValidator(schemes=["http", "https"])
MAX_EVIDENCE_URL = 500


def clean_evidence_url(raw: str | None) -> str:
    url = (raw or "").strip()
    if not url:
        return ""
    # The length first, so that the message below never echoes an overlong link.
    if len(url) > MAX_EVIDENCE_URL:
        raise ValidationError(_("De link is te lang (hoogstens 500 tekens)."))
    if urlsplit(url).scheme.lower() not in {"http", "https"}:
        raise ValidationError(_("Alleen links die met http:// of https:// beginnen."))
    try:
        _url_validator(url)
    except ValidationError:
        raise ValidationError(_("'%(url)s' is geen geldige link.") % {"url": url}) from None
    return url
