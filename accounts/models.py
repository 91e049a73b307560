"""Identity: the security audit log, API keys and language preferences.

These three tables were in ``institutions`` until the accounts app was split off; the
migrations moved them without touching a row (accounts/migrations/0001 and 0002).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditKind(models.TextChoices):
    LOGIN = "login", _("ingelogd")
    LOGIN_FAILED = "login_failed", _("inloggen mislukt")
    LOCKOUT = "lockout", _("tijdelijk geblokkeerd")
    LOGOUT = "logout", _("uitgelogd")
    PASSWORD_CHANGED = "password_changed", _("wachtwoord gewijzigd")
    PASSWORD_RESET = "password_reset", _("wachtwoord opnieuw ingesteld")
    ROLE_CHANGED = "role_changed", _("rol gewijzigd")
    EXPORT = "export", _("export")
    IMPORT = "import", _("import")
    API_TOKEN_CREATED = "api_token_created", _("API-token aangemaakt")
    ROUND_REOPENED = "round_reopened", _("ronde heropend")
    ROUND_RECLOSED = "round_reclosed", _("heropening gesloten")


class AuditEventQuerySet(models.QuerySet):
    """Refuses bulk deletes and updates, except the one update Django itself makes: forgetting
    the link to a deleted person or institution (on_delete=SET_NULL; the text labels stay)."""

    def delete(self):
        raise ValueError("Auditgebeurtenissen worden niet verwijderd.")

    def update(self, **kwargs):
        if kwargs.keys() <= {"actor", "institution"} and all(v is None for v in kwargs.values()):
            return super().update(**kwargs)
        raise ValueError("Auditgebeurtenissen worden niet gewijzigd.")


class AuditEvent(models.Model):
    """One security-relevant event: a login, a failed login, a role change, an export, ...

    Append-only, stricter than answers: the application never updates or deletes a row (save()
    refuses an update, delete() and the queryset's delete()/update() refuse), because a trail
    that an administrator can tidy up from the portal proves nothing afterwards. Removing old
    rows is a deliberate database operation outside the portal. Who and where are also kept as
    text (the e-mail address and BRIN code at the time), so deleting a person or an institution
    keeps the trail. Never holds a password, a token or an attempted password; a failed login
    keeps only the address that was typed.
    """

    Kind = AuditKind

    occurred_at = models.DateTimeField(_("tijdstip"), default=timezone.now, db_index=True)
    kind = models.CharField(_("soort"), max_length=20, choices=AuditKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("persoon"),
    )
    actor_label = models.CharField(_("e-mailadres"), max_length=254, blank=True)
    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("instelling"),
    )
    institution_code = models.CharField(_("BRIN-code"), max_length=4, blank=True)
    ip_address = models.GenericIPAddressField(_("IP-adres"), null=True, blank=True)
    detail = models.CharField(_("details"), max_length=500, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=AuditKind.values), name="auditevent_kind_valid"
            ),
        ]
        indexes = [
            # The audit log page filtered by kind, newest first (occurred_at alone has its own
            # index for the unfiltered page and the date range).
            models.Index("kind", models.F("occurred_at").desc(), name="auditevent_kind_occurred"),
        ]
        verbose_name = _("auditgebeurtenis")
        verbose_name_plural = _("auditlog")

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.get_kind_display()} {self.actor_label}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("Een auditgebeurtenis wordt niet gewijzigd, alleen toegevoegd.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Een auditgebeurtenis wordt niet verwijderd.")


class ApiToken(models.Model):
    """An editor's key for the answers API, stored as a SHA-256 digest only.

    The key is shown once when it is made; the database holds its first characters (to find the
    row) and the digest (to check it), so a copy of the database or a backup gives no working
    key. A fast hash is right here: the key is 160 random bits, not a password someone chose,
    so there is nothing to guess from the digest.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_token"
    )
    prefix = models.CharField(max_length=8, db_index=True)
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API-sleutel")
        verbose_name_plural = _("API-sleutels")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


class LanguagePreference(models.Model):
    """The language a person chose with the language switch, for what reaches them outside a
    request (reminder e-mails). No row means Dutch, the portal's default: switching back to
    Dutch removes the row (accounts.actions.do_set_language_preference)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="language_preference"
    )
    language = models.CharField(_("taal"), max_length=10, choices=settings.LANGUAGES)

    class Meta:
        verbose_name = _("voorkeurstaal")
        verbose_name_plural = _("voorkeurstalen")

    def __str__(self) -> str:
        return f"{self.user}: {self.language}"
