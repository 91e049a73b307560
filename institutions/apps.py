from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InstitutionsConfig(AppConfig):
    name = "institutions"
    verbose_name = _("Instellingen")

    def ready(self) -> None:
        # The audit log's signal receivers (logins, lockouts, role changes) and the language
        # preference taken over at login.
        from institutions import audit, preferences  # noqa: F401
