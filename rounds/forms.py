"""Input validation for the rounds' staff pages."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from institutions.queries import answerable_targets
from rounds.models import FiguresUse, Round, RoundReview


class TargetChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, target):
        return f"{target.code} – {target.title}"


class RoundForm(forms.ModelForm):
    targets = TargetChoiceField(
        label=_("Gevraagde sectordoelen"),
        queryset=answerable_targets().order_by("code"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Standaard alle in te vullen doelen (mijlpalen houdt de sectorstaf bij)."),
        error_messages={"required": _("Kies minstens één sectordoel.")},
    )

    class Meta:
        model = Round
        fields = ["name", "opens_on", "closes_on", "assembly_on", "targets", "figures_use"]
        labels = {
            "name": _("Naam"),
            "opens_on": _("Opent op"),
            "closes_on": _("Sluitdatum"),
            "assembly_on": _("Ledenvergadering"),
            "figures_use": _("Cijfers voor de ledenvergadering op basis van"),
        }
        widgets = {
            "figures_use": forms.RadioSelect,
            "opens_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "closes_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "assembly_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        error_messages = {"name": {"unique": _("Er is al een ronde met deze naam.")}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and not self.instance.pk:
            self.initial.setdefault("targets", list(self.fields["targets"].queryset))
        # Not sent (an older form, a script): the default, all answers.
        self.fields["figures_use"].required = False

    def clean_figures_use(self):
        return self.cleaned_data.get("figures_use") or FiguresUse.ALL

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise ValidationError(_("Geef de ronde een naam."))
        return name

    def clean(self):
        data = super().clean()
        opens_on, closes_on = data.get("opens_on"), data.get("closes_on")
        assembly_on = data.get("assembly_on")
        if opens_on and closes_on and closes_on < opens_on:
            self.add_error("closes_on", _("De sluitdatum ligt voor de opening."))
        if closes_on and assembly_on and assembly_on < closes_on:
            self.add_error(
                "assembly_on", _("De ledenvergadering ligt voor de sluitdatum van de ronde.")
            )
        return data


class RoundReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Besluit"),
        choices=RoundReview.Decision.choices,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Opmerking voor de instelling"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Verplicht bij terugsturen: wat moet de instelling herzien?"),
    )

    def clean(self):
        data = super().clean()
        if (
            data.get("decision") == RoundReview.Decision.RETURNED
            and not data.get("comment", "").strip()
        ):
            self.add_error("comment", _("Zeg de instelling wat er herzien moet worden."))
        return data


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Reden van de heropening"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Komt in de auditlog."),
        error_messages={"required": _("Geef een reden voor de heropening.")},
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("Geef een reden voor de heropening."))
        return reason


class FiguresUseForm(forms.Form):
    figures_use = forms.ChoiceField(
        label=_("Cijfers voor de ledenvergadering op basis van"),
        choices=FiguresUse.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Kies alle antwoorden of alleen goedgekeurde antwoorden."),
            "invalid_choice": _("Kies alle antwoorden of alleen goedgekeurde antwoorden."),
        },
    )
