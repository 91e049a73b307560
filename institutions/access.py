"""Who may see and change what. Every view, htmx partial, API call and import asks here.

Roles: institution editor and viewer (Membership, per institution), sector staff (group
"Sectorstaf": every institution, edits the route, reviews answers), council (group "MBO Raad":
sees everything, exports) and administrator (superuser).
"""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from accounts.roles import is_council, is_sector_staff
from institutions.models import Institution, Membership
from roadmap.lib.text import holds_nul

User = AbstractBaseUser | AnonymousUser


def sees_all_institutions(user: User) -> bool:
    return is_sector_staff(user) or is_council(user)


def can_review(user: User) -> bool:
    return is_sector_staff(user)


def visible_institutions(user: User) -> QuerySet[Institution]:
    if not user.is_authenticated:
        return Institution.objects.none()
    if sees_all_institutions(user):
        return Institution.objects.all()
    return Institution.objects.filter(memberships__user=user).distinct()


def editable_institutions(user: User) -> QuerySet[Institution]:
    """Institutions whose answers this person may change: only as their editor.

    Sector staff review answers but do not answer for an institution.
    """
    if not user.is_authenticated:
        return Institution.objects.none()
    return Institution.objects.filter(
        memberships__user=user, memberships__role=Membership.Role.EDITOR
    ).distinct()


def can_edit(user: User, institution: Institution) -> bool:
    return editable_institutions(user).filter(pk=institution.pk).exists()


def get_institution_for_user(
    request: HttpRequest, code: str, *, write: bool = False
) -> Institution:
    """The institution with this code if the person may see it (else 404: its existence is not
    revealed); with ``write``, 403 when they may see but not change it."""
    # Every page of an institution comes here first, so this covers a target code later in the
    # path too.
    if holds_nul(request.path):
        raise Http404("Onbekende instelling")
    institution = visible_institutions(request.user).filter(code=code).first()
    if institution is None:
        raise Http404("Onbekende instelling")
    if write and not can_edit(request.user, institution):
        raise PermissionDenied(
            _("U mag de antwoorden van deze instelling alleen lezen, niet wijzigen.")
        )
    return institution
