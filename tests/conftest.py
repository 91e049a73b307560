import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the complete route once per test session; every test sees it (rolled back per test)."""
    with django_db_blocker.unblock():
        call_command("load_roadmap", verbosity=0, stdout=io.StringIO())


@pytest.fixture(autouse=True)
def _route_back_after_flush(request, django_db_blocker):
    """A transactional test (the browser tests, the concurrency tests) empties every table when
    it ends, the route loaded once above with it. Before each database test, load the route
    again if it is gone, whatever order the tests run in.

    Autouse at the top level, so it runs before the test's own transaction begins (a load
    inside it would be rolled back and repeated by every test).
    """
    from themes.models import Theme

    def load_if_gone():
        with django_db_blocker.unblock():
            if not Theme.objects.exists():
                call_command("load_roadmap", verbosity=0, stdout=io.StringIO())

    marker = request.node.get_closest_marker("django_db")
    uses_db = marker is not None or {"db", "transactional_db", "live_server"} & set(
        request.fixturenames
    )
    if uses_db:
        request.getfixturevalue("django_db_setup")
        load_if_gone()
    yield
    if uses_db and (
        {"transactional_db", "live_server"} & set(request.fixturenames)
        or (marker is not None and marker.kwargs.get("transaction"))
    ):
        load_if_gone()  # for the tests after it that ask for no database fixture


@pytest.fixture(autouse=True)
def _empty_cache():
    """Figures computed for a date are cached under the snapshots' version (indicators.series
    figures_on, figures_as_of); a test rolled back leaves the same version with other answers."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """The test client serves requests in this thread, and LocaleMiddleware leaves the
    language of the last request active in it: one test's English page would make the next
    test's code run in English. Each test starts in the site's default language."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _every_figure_shown(settings):
    """The cast has two institutions, so with the default minimum group size (3) every public
    figure would be withheld. Tests of what figures show use a group of one; the privacy tests
    (tests/indicators/test_privacy.py) set the real minimum, and the real small group below
    which public values are rounded coarsely."""
    settings.MIN_GROUP_SIZE = 1
    settings.SMALL_GROUP_SIZE = 1


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Real hashing costs ~0.3 s per password by design; tests create many users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- The cast: two institutions and one person per role ----------------------------------------


@pytest.fixture
def roles(db):
    from accounts.roles import ensure_roles

    return ensure_roles()


@pytest.fixture
def institution_a(db):
    from institutions.models import Institution

    return Institution.objects.create(
        code="11AA", name="ROC Proefwijk", kind="roc", region="Noord",
        active_from=datetime.date(2020, 1, 1),
    )  # fmt: skip


@pytest.fixture
def institution_b(db):
    from institutions.models import Institution

    return Institution.objects.create(
        code="22BB", name="AOC Schetsburg", kind="aoc", region="Zuid",
        active_from=datetime.date(2020, 1, 1),
    )  # fmt: skip


def _person(username: str, *, groups=(), superuser=False, memberships=()):
    from django.contrib.auth.models import Group

    from institutions.models import Membership

    user = get_user_model().objects.create_user(
        username=username,
        email=username,
        password="a-long-test-password",
        first_name=username.split("@")[0],
    )
    user.is_superuser = superuser
    user.is_staff = superuser or "Sectorstaf" in groups  # only staff use the admin
    user.save()
    user.groups.set(Group.objects.filter(name__in=groups))
    for institution, role in memberships:
        Membership.objects.create(user=user, institution=institution, role=role)
    return user


@pytest.fixture
def cio_a(institution_a):
    return _person("cio@a.example", memberships=[(institution_a, "editor")])


@pytest.fixture
def cio_b(institution_b):
    return _person("cio@b.example", memberships=[(institution_b, "editor")])


@pytest.fixture
def viewer_a(institution_a):
    return _person("viewer@a.example", memberships=[(institution_a, "viewer")])


@pytest.fixture
def sector_staff(roles):
    return _person("staf@sector.example", groups=["Sectorstaf"])


@pytest.fixture
def council(roles):
    return _person("raad@mboraad.example", groups=["MBO Raad"])


@pytest.fixture
def administrator(db):
    return _person("beheer@sector.example", superuser=True)
