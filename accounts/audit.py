"""The security audit log: ``record()`` and the signal receivers that call it.

Logins, failed logins, lockouts and logouts come from Django's and axes' signals; role changes
from the models (memberships, groups, staff and superuser flags) whoever makes them; password
changes, exports and imports from the views and commands that do them; membership changes
from institutions.role_changes. Connected in ``AccountsConfig.ready()``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, pre_save
from django.dispatch import receiver
from django.http import HttpRequest
from simple_history.models import HistoricalRecords

from accounts.models import AuditEvent

if TYPE_CHECKING:  # accounts sits below institutions: no import of it at run time
    from institutions.models import Institution

EMAIL_MAX_LENGTH = 254  # RFC 5321 and Django's EmailField
Kind = AuditEvent.Kind


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address. Behind our reverse proxy (BEHIND_PROXY) it is the entry the proxy
    appended to X-Forwarded-For, PROXY_COUNT places from the right; the entries left of it are
    written by the client and prove nothing. Also axes' AXES_CLIENT_IP_CALLABLE."""
    if request is None:
        return None
    if settings.BEHIND_PROXY:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [address for address in forwarded if address]
        if len(forwarded) >= settings.PROXY_COUNT:
            return forwarded[-settings.PROXY_COUNT]
    return request.META.get("REMOTE_ADDR") or None


def attempted_username(request: HttpRequest | None, credentials: dict | None) -> str | None:
    """The typed e-mail address as axes counts it: trimmed, lower case, at most 254 characters,
    so "CIO@x.nl " and "cio@x.nl" share one failure count. AXES_USERNAME_CALLABLE."""
    if credentials:
        username = credentials.get("username")
    else:
        username = getattr(request, "POST", {}).get("username") if request is not None else None
    if not isinstance(username, str):
        return None
    return username.strip().lower()[:EMAIL_MAX_LENGTH] or None


def _request_in_progress() -> HttpRequest | None:
    """The request being served, when a model signal fires during one (simple_history's
    HistoryRequestMiddleware keeps it); None in a management command or a test without one."""
    return getattr(HistoricalRecords.context, "request", None)


def record(
    kind: str,
    *,
    request: HttpRequest | None = None,
    actor=None,
    institution: Institution | None = None,
    detail: str = "",
    actor_label: str = "",
    institution_code: str = "",
) -> AuditEvent:
    """Append one event. The actor defaults to the request's logged-in person; ``actor_label``
    names someone without an account (a typed address), ``institution_code`` an institution
    that is being deleted."""
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            actor = user
    if actor is not None:
        actor_label = actor.get_username()
    return AuditEvent.objects.create(
        kind=kind,
        actor=actor,
        actor_label=actor_label[:EMAIL_MAX_LENGTH],
        institution=institution,
        institution_code=institution.code if institution else institution_code,
        ip_address=client_ip(request),
        detail=detail[:500],
    )


# --- Logins --------------------------------------------------------------------------------------


@receiver(user_logged_in, dispatch_uid="audit_login")
def _logged_in(sender, request, user, **kwargs):
    record(AuditEvent.Kind.LOGIN, request=request, actor=user)


@receiver(user_logged_out, dispatch_uid="audit_logout")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        record(AuditEvent.Kind.LOGOUT, request=request, actor=user)


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    # Django has already replaced the password in credentials; only the typed address is kept.
    typed = attempted_username(request, credentials) or ""
    record(AuditEvent.Kind.LOGIN_FAILED, request=request, actor_label=typed)


@receiver(user_locked_out, dispatch_uid="audit_lockout")
def _locked_out(sender, request, username=None, ip_address=None, **kwargs):
    minutes = settings.LOGIN_LOCKOUT_MINUTES
    record(
        AuditEvent.Kind.LOCKOUT,
        request=request,
        actor_label=username or "",
        detail=f"{settings.LOGIN_FAILURE_LIMIT} mislukte pogingen, {minutes} minuten geblokkeerd",
    )


# --- Roles ---------------------------------------------------------------------------------------


def role_changed(
    detail: str, *, institution: Institution | None = None, institution_code: str = ""
) -> None:
    """A role given or taken away, by whoever and wherever (admin, shell, import): the request
    in progress, if any, names who did it."""
    record(
        AuditEvent.Kind.ROLE_CHANGED,
        request=_request_in_progress(),
        institution=institution,
        institution_code=institution_code,
        detail=detail,
    )


@receiver(m2m_changed, sender=get_user_model().groups.through, dispatch_uid="audit_groups")
def _groups_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """Groups added to or removed from a person (user.groups) or people added to or removed
    from a group (group.user_set). A clear is recorded per group before it happens."""
    User = get_user_model()
    if action == "pre_clear":
        pairs = (
            [(user, group) for user in [instance] for group in instance.groups.all()]
            if not reverse
            else [(user, instance) for user in instance.user_set.all()]
        )
        verb = "verwijderd"
    elif action in {"post_add", "post_remove"} and pk_set:
        if reverse:  # instance is a group, pk_set the people
            pairs = [(user, instance) for user in User.objects.filter(pk__in=pk_set)]
        else:
            pairs = [(instance, group) for group in Group.objects.filter(pk__in=pk_set)]
        verb = "toegevoegd" if action == "post_add" else "verwijderd"
    else:
        return
    for user, group in pairs:
        role_changed(f"{user.get_username()}: groep {group.name} {verb}")


_USER_FLAGS = ("is_staff", "is_superuser")


@receiver(pre_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="audit_user_flags")
def _user_flags(sender, instance, raw=False, update_fields=None, **kwargs):
    """A person made (or no longer) staff or superuser. Saves that cannot touch the flags (a
    login's last_login, a password hash upgrade) cost no query."""
    if raw or instance.pk is None:
        return
    if update_fields is not None and not set(update_fields) & set(_USER_FLAGS):
        return
    before = sender.objects.filter(pk=instance.pk).values(*_USER_FLAGS).first()
    if before is None:
        return
    for flag in _USER_FLAGS:
        if before[flag] != getattr(instance, flag):
            state = "aan" if getattr(instance, flag) else "uit"
            role_changed(f"{instance.get_username()}: {flag} {state}")


def import_detail(filename: str, saved: int, errors: list) -> str:
    """What an import did, in the log's words: the file and its rows, or why it was refused."""
    if errors:
        return f"{filename}: geweigerd, {len(errors)} fout(en), niets opgeslagen"
    return f"{filename}: {saved} rijen opgeslagen"
