from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InstitutionsConfig(AppConfig):
    name = "institutions"
    verbose_name = _("Instellingen")

    def ready(self) -> None:
        # Role changes through memberships go to the audit log (accounts.audit).
        from institutions import role_changes  # noqa: F401
