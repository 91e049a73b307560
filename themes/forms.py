from django import forms
from django.utils.translation import gettext_lazy as _

from themes.models import ROUTE_YEARS, Milestone, Partner, Theme


class MilestoneFilterForm(forms.Form):
    """The milestone list's filters; values come from the query string (shareable links)."""

    theme = forms.ModelChoiceField(
        queryset=Theme.objects.all(),
        to_field_name="code",
        required=False,
        label=_("Thema"),
        empty_label=_("Alle thema's"),
    )
    year = forms.TypedChoiceField(
        choices=[("", _("Alle jaren"))] + [(y, str(y)) for y in ROUTE_YEARS],
        coerce=int,
        empty_value=None,
        required=False,
        label=_("Jaar"),
    )
    status = forms.ChoiceField(
        choices=[("", _("Alle statussen")), *Milestone.Status.choices],
        required=False,
        label=_("Status"),
    )
    partner = forms.ModelChoiceField(
        queryset=Partner.objects.all(),
        to_field_name="code",
        required=False,
        label=_("Partner"),
        empty_label=_("Alle partners"),
    )
