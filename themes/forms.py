import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from themes.models import ROUTE_YEARS, Layer, Milestone, Partner, Theme


def _layer_field() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=Layer.objects.all(),
        to_field_name="code",
        required=False,
        label=_("Laag"),
        empty_label=_("Alle lagen"),
    )


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
    laag = _layer_field()


class LayerFilterForm(forms.Form):
    """``?laag=`` on the route page and the target list."""

    laag = _layer_field()


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class OverdueForm(forms.Form):
    """``?peildatum=``: what was (or will be) behind on that day; today by default."""

    peildatum = forms.DateField(
        label=_("Peildatum"),
        required=False,
        widget=DateInput(),
        help_text=_("Wat op die dag achterliep; leeg is vandaag."),
    )

    def clean_peildatum(self):
        day = self.cleaned_data["peildatum"]
        if day is not None and not (
            datetime.date(2020, 1, 1) <= day <= datetime.date(2100, 12, 31)
        ):
            raise forms.ValidationError(_("Kies een datum tussen 2020 en 2100."))
        return day


class MilestoneStatusForm(forms.Form):
    """Staff record a step of a milestone's delivery (themes.actions checks the rest)."""

    status = forms.ChoiceField(label=_("Nieuwe status"), choices=Milestone.Status.choices)
    changed_on = forms.DateField(label=_("Datum"), widget=DateInput())
    reason = forms.CharField(
        label=_("Reden"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("Waarom de status verandert, bijvoorbeeld wat is opgeleverd of wat vertraagt."),
    )


class PublishVersionForm(forms.Form):
    note = forms.CharField(
        label=_("Toelichting"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("Wat deze versie vastlegt, bijvoorbeeld het besluit waarop ze berust."),
    )
