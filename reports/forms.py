"""Input validation for the reports' pages: a new progress report, and the round whose assembly
pack the council asks for."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from reports.assembly import rounds_to_freeze
from reports.models import Report
from rounds.models import Round
from themes.models import Layer, Theme

EARLIEST = datetime.date(2020, 1, 1)


class ReportForm(forms.Form):
    """A new report. ``institutions``: those the person may report on (None: a sector report)."""

    format = forms.ChoiceField(
        label=_("Formaat"), choices=Report.Format.choices, widget=forms.RadioSelect
    )
    as_of = forms.DateField(
        label=_("Peildatum"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    compare_to = forms.DateField(
        label=_("Vergelijken met (optioneel)"), required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Bijvoorbeeld de peildatum van de vorige ledenvergadering."),
    )  # fmt: skip
    themes = forms.ModelMultipleChoiceField(
        label=_("Thema's (geen keuze: alle)"), queryset=Theme.objects.all(), to_field_name="code",
        required=False, widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    layer = forms.ModelChoiceField(
        label=_("Laag"), queryset=Layer.objects.all(), to_field_name="code", required=False,
        empty_label=_("Alle lagen"),
    )  # fmt: skip
    institution = forms.ChoiceField(label=_("Rapportage over"), required=True)

    def __init__(self, *args, institutions, sector_allowed: bool, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("de hele sector"))] if sector_allowed else []
        choices += [(i.code, i.name) for i in institutions]
        self.fields["institution"].choices = choices
        self.fields["institution"].required = not sector_allowed
        self.institutions = {i.code: i for i in institutions}
        self.fields["as_of"].initial = timezone.localdate()

    def clean_as_of(self):
        as_of = self.cleaned_data["as_of"]
        if as_of > timezone.localdate():
            raise ValidationError(_("De peildatum mag niet in de toekomst liggen."))
        if as_of < EARLIEST:
            raise ValidationError(_("De peildatum ligt voor de start van de route."))
        return as_of

    def clean(self):
        data = super().clean()
        if data.get("compare_to") and data["compare_to"] < EARLIEST:
            message = _("De vergelijkingsdatum ligt voor de start van de route.")
            self.add_error("compare_to", message)
        elif data.get("compare_to") and data.get("as_of") and data["compare_to"] >= data["as_of"]:
            self.add_error("compare_to", _("De vergelijkingsdatum moet voor de peildatum liggen."))
        code = data.get("institution") or ""
        data["institution_obj"] = self.institutions.get(code) if code else None
        return data


class RoundChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, round):
        return _("%(name)s (ledenvergadering %(date)s)") % {
            "name": round.name,
            "date": formats.date_format(round.assembly_on, "j F Y"),
        }


class AssemblyPackForm(forms.Form):
    """The council picks the round whose figures to freeze: a closed round without a pack
    (or whose pack failed)."""

    round = RoundChoiceField(
        label=_("Ronde"),
        queryset=Round.objects.none(),
        empty_label=None,
        error_messages={
            "required": _("Kies een ronde."),
            "invalid_choice": _(
                "Kies een gesloten ronde zonder vergaderstuk; van deze ronde is al een "
                "vergaderstuk gemaakt, of ze is nog niet gesloten."
            ),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["round"].queryset = rounds_to_freeze()
