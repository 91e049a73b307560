"""Where each person's own pages are: the header's links, and the way on from an error page.

One answer per role, from the same access rules the views apply, so that the header never
offers a page the person would be refused (a council member has no institution of their own).
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from institutions import access

# An error page lists a person's institutions by name up to this many; beyond, the chooser.
PLACES_INSTITUTIONS_LISTED = 5


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True)
class PersonalNavigation:
    """The header's links for one person: their landing page first (what /mijn/ leads to)."""

    home: Link | None
    reports: bool
    audit_log: bool
    admin: bool


def personal_navigation(user: access.User) -> PersonalNavigation:
    if not user.is_authenticated:
        return PersonalNavigation(home=None, reports=False, audit_log=False, admin=False)
    if access.sees_all_institutions(user):
        # Staff and the council land on the overview of all institutions.
        home = Link(_("Instellingen"), reverse("institutions:overview"))
    else:
        institutions = list(access.visible_institutions(user).order_by("name")[:2])
        if len(institutions) == 1:
            home = Link(_("Mijn instelling"), institutions[0].get_absolute_url())
        else:  # several, or none yet: the chooser says which, or that there is none
            home = Link(_("Mijn instellingen"), reverse("institutions:home"))
        if not institutions:
            return PersonalNavigation(home=home, reports=False, audit_log=False, admin=False)
    return PersonalNavigation(
        home=home,
        reports=True,
        audit_log=access.is_sector_staff(user),
        admin=user.is_active and user.is_staff,
    )


def places_for(user: access.User, *, next_path: str = "") -> list[Link]:
    """Where this person can go instead of a page they may not see: their own pages first,
    then the public ones."""
    places = []
    if not user.is_authenticated:
        login = reverse("login")
        if next_path:
            login += "?" + urlencode({"next": next_path})
        places.append(Link(_("Inloggen"), login))
    elif access.sees_all_institutions(user):
        places.append(
            Link(_("Alle instellingen en hun meldingen"), reverse("institutions:overview"))
        )
        if user.is_active and user.is_staff:
            places.append(Link(_("Beheer van de route"), reverse("admin:index")))
        places.append(Link(_("Mijn rapportages"), reverse("reports:list")))
    else:
        institutions = list(
            access.visible_institutions(user).order_by("name")[: PLACES_INSTITUTIONS_LISTED + 1]
        )
        if len(institutions) > PLACES_INSTITUTIONS_LISTED:
            places.append(Link(_("Mijn instellingen"), reverse("institutions:home")))
        else:
            places += [
                Link(
                    _("De statuspagina van %(name)s") % {"name": institution.name},
                    institution.get_absolute_url(),
                )
                for institution in institutions
            ]
        if institutions:
            places.append(Link(_("Mijn rapportages"), reverse("reports:list")))
    places += [
        Link(_("Het dashboard van de sector"), reverse("indicators:overview")),
        Link(_("De route"), reverse("themes:overview")),
    ]
    return places
