from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # The audit log's signal receivers (logins, lockouts, groups, staff flags) and the
        # language preference taken over at login.
        from accounts import audit, preferences  # noqa: F401
