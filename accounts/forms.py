import datetime

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import AuditEvent


class EmailAuthenticationForm(AuthenticationForm):
    """People log in with their e-mail address (it is their username)."""

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("E-mailadres")
        self.fields["username"].widget.attrs["autocomplete"] = "email"


class AuditLogFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Soort"),
        required=False,
        choices=[("", _("alle")), *AuditEvent.Kind.choices],
    )
    person = forms.CharField(label=_("Persoon (e-mail bevat)"), required=False)
    date_from = forms.DateField(
        label=_("Vanaf"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Tot en met"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def events(self):
        """The events matching the valid filters, newest first; an invalid filter is left out
        (its error shows next to the field)."""
        self.is_valid()
        data = self.cleaned_data
        events = AuditEvent.objects.all()
        if kind := data.get("kind"):
            events = events.filter(kind=kind)
        if person := (data.get("person") or "").strip():
            events = events.filter(actor_label__icontains=person)
        zone = timezone.get_current_timezone()
        if date_from := data.get("date_from"):
            start = datetime.datetime.combine(date_from, datetime.time.min, tzinfo=zone)
            events = events.filter(occurred_at__gte=start)
        if date_to := data.get("date_to"):
            end = datetime.datetime.combine(
                date_to + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
            )
            events = events.filter(occurred_at__lt=end)
        return events
