"""URL paths follow the rooms: the first part of a path says which app's urls.py serves it
(README, "How the code is laid out"), so a newcomer finds a page's code from its address."""

from types import ModuleType

from django.urls import URLPattern, URLResolver, get_resolver

# The first part of a path (two for the shared "beheer/" and "api/v1/") -> the room serving it.
ROOM_OF_PATH = {
    "": "themes", "thema": "themes", "doelen": "themes", "mijlpalen": "themes",
    "route": "themes", "partners": "themes", "programma": "themes", "over": "themes",
    "toegankelijkheid": "themes",
    "mijn": "institutions", "instellingen": "institutions",
    "dashboard": "indicators", "methode": "indicators",
    "rapportages": "reports",
    "beheer/rondes": "rounds",
    "beheer/auditlog": "accounts", "account": "accounts", "oidc": "accounts",
    "api/v1": "roadmap", "api/schema": "roadmap", "api/docs": "roadmap",
    "i18n": "roadmap", "healthz": "roadmap", "favicon.ico": "roadmap", "admin": "roadmap",
}  # fmt: skip

# Old addresses kept as redirects to a room's new path (bookmarks); they serve no page.
REDIRECTS = {
    "instellingen/<str:code>/vergelijking/": "indicators",
    "beheer/vergaderstukken/": "reports",
    "beheer/rondes/<int:round_id>/vergaderstuk/": "reports",
    "beheer/rondes/<int:round_id>/vergaderstuk.<str:extension>": "reports",
}


ROOMS = set(ROOM_OF_PATH.values())


def _room(urlconf, parent: str) -> str:
    """The room whose urls.py includes this; a library's URLs (Django's auth views, the OIDC
    client) belong to the room that includes them."""
    name = urlconf.__name__ if isinstance(urlconf, ModuleType) else urlconf
    room = name.split(".")[0] if isinstance(name, str) else parent
    return room if room in ROOMS else parent


def _patterns(patterns, prefix: str = "", room: str = "roadmap"):
    """(full route, room whose urls.py declares it) for every page."""
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern.url_patterns, route, _room(pattern.urlconf_name, room))
        elif isinstance(pattern, URLPattern):
            yield route, room


def _key(route: str) -> str:
    parts = route.lstrip("^").split("/")
    return "/".join(parts[:2]) if parts[0] in ("beheer", "api") else parts[0]


def test_every_path_is_served_by_the_room_its_first_part_names():
    wrong = []
    for route, room in _patterns(get_resolver().url_patterns):
        if route.startswith("admin/"):
            continue  # Django's admin: every room's models, one site
        expected = REDIRECTS.get(route) or ROOM_OF_PATH.get(_key(route))
        if expected != room:
            wrong.append(f"/{route}: declared in {room}, its path says {expected}")
    assert not wrong, "\n".join(wrong)
