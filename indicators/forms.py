from django import forms
from django.utils.translation import gettext_lazy as _

from indicators.overrides import OVERRIDABLE_STATUSES
from indicators.overview import SORT_BEHIND, SORT_ROUTE, SUMMARY_STATUSES
from themes.models import Layer, Theme


class DashboardFilterForm(forms.Form):
    """Filters of the sector overview; they live in the query string (shareable links)."""

    theme = forms.ModelChoiceField(
        queryset=Theme.objects.all(), to_field_name="code", required=False,
        label=_("Thema"), empty_label=_("Alle thema's"),
    )  # fmt: skip
    # "laag" as on the route pages, so that ?laag=docent means the same everywhere.
    laag = forms.ModelChoiceField(
        queryset=Layer.objects.all(), to_field_name="code", required=False,
        label=_("Laag"), empty_label=_("Alle lagen"),
    )  # fmt: skip
    deadline = forms.TypedChoiceField(
        choices=[("", _("Alle streefdata")), *[(y, str(y)) for y in range(2027, 2031)]],
        coerce=int, empty_value=None, required=False, label=_("Streefdatum in"),
    )  # fmt: skip
    status = forms.ChoiceField(
        choices=[("", _("Alle statussen")), *((s.value, s.label) for s in SUMMARY_STATUSES)],
        required=False, label=_("Voortgang"),
    )  # fmt: skip
    sort = forms.ChoiceField(
        choices=[
            (SORT_ROUTE, _("zoals in de route")), (SORT_BEHIND, _("grootste achterstand eerst")),
        ],
        required=False, label=_("Volgorde"),
    )  # fmt: skip


class AsOfForm(forms.Form):
    peildatum = forms.DateField(
        required=False, label=_("Peildatum"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )  # fmt: skip


class StatusOverrideForm(forms.Form):
    """Sector staff set the progress of a target by judgement, with a reason and an end."""

    status = forms.ChoiceField(label=_("Vastgestelde voortgang"))
    reason = forms.CharField(
        label=_("Reden"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Lezers zien de reden naast de berekende voortgang."),
    )  # fmt: skip
    ends_on = forms.DateField(
        label=_("Geldt tot en met"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [(s.value, s.label) for s in OVERRIDABLE_STATUSES]
