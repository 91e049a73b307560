"""Input validation for the status page. The rules themselves live in validation.py."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from institutions import imports, validation
from institutions.actions import AnswerValue
from institutions.models import AnswerReview, AnswerStatus
from themes.models import SectorTarget


class AnswerForm(forms.Form):
    """One target's answer. The value field's kind follows the target's measure."""

    value = forms.CharField(label=_("Antwoord"))
    applies_on = forms.DateField(
        label=_("Geldt per"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Standaard vandaag; niet in de toekomst."),
    )
    explanation = forms.CharField(
        label=_("Toelichting"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    evidence_url = forms.CharField(
        label=_("Link naar onderbouwing"),
        required=False,
        max_length=500,
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, target: SectorTarget, **kwargs):
        super().__init__(*args, **kwargs)
        self.target = target
        kind = validation.value_field(target)
        if kind == "status":
            self.fields["value"] = forms.ChoiceField(
                label=_("Status"), choices=[("", "—"), *AnswerStatus.choices]
            )
        elif kind == "score":
            low, high = validation.score_range(target)
            self.fields["value"] = forms.CharField(
                label=_("Score (%(low)s–%(high)s)")
                % {"low": f"{low:.1f}".replace(".", ","), "high": f"{high:.1f}".replace(".", ",")},
                widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 5}),
                help_text=_("Eén decimaal, bv. 2,5."),
            )
        else:
            self.fields["value"] = forms.CharField(
                label=_("Percentage (0–100)"),
                widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 5}),
            )
        self.fields["applies_on"].widget.attrs["max"] = timezone.localdate().isoformat()
        self.fields["applies_on"].widget.attrs["min"] = validation.earliest_applies_on().isoformat()
        # The form replaces the link that opened it: keep the keyboard focus in the form.
        self.fields["value"].widget.attrs["autofocus"] = True

    def clean_value(self):
        return validation.clean_value(self.target, self.cleaned_data.get("value"))

    def clean_applies_on(self):
        return validation.clean_applies_on(self.cleaned_data.get("applies_on"))

    def clean_evidence_url(self):
        return validation.clean_evidence_url(self.cleaned_data.get("evidence_url"))

    def answer_value(self) -> AnswerValue:
        data = self.cleaned_data
        return AnswerValue(
            value=data["value"],
            applies_on=data["applies_on"],
            explanation=data.get("explanation", "").strip(),
            evidence_url=data.get("evidence_url", ""),
        )


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label=_("Besluit"), choices=AnswerReview.Decision.choices)
    comment = forms.CharField(
        label=_("Opmerking voor de instelling"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self):
        data = super().clean()
        if (
            data.get("decision") == AnswerReview.Decision.REVISIT
            and not data.get("comment", "").strip()
        ):
            raise ValidationError({"comment": _("Zeg de instelling wat er herzien moet worden.")})
        return data


class ConfirmForm(forms.Form):
    """'Nothing changed' for one theme (its code) or, empty, for all targets."""

    theme = forms.SlugField(required=False)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Bestand (CSV of Excel)"),
        help_text=format_lazy(
            _(
                "Kolommen: institution, target, value, applies_on, explanation, evidence_url. "
                "Komma, puntkomma of tab; UTF-8 of Windows (Excel's CSV). Hoogstens {mb} MB en "
                "{rows} rijen."
            ),
            mb=imports.MAX_IMPORT_BYTES // (1024 * 1024),
            rows=f"{imports.MAX_IMPORT_ROWS:,}".replace(",", "."),
        ),
    )

    def clean_file(self):
        # Django has spooled a large upload to a temporary file by now; refusing it here keeps
        # it from being read into memory as a whole.
        upload = self.cleaned_data["file"]
        if upload.size > imports.MAX_IMPORT_BYTES:
            raise ValidationError(
                _("Het bestand is te groot (%(size)s MB; hoogstens %(limit)d MB).")
                % {
                    "size": f"{upload.size / (1024 * 1024):.1f}".replace(".", ","),
                    "limit": imports.MAX_IMPORT_BYTES // (1024 * 1024),
                }
            )
        return upload
