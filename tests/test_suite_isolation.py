"""The suite runs beside `make run` in the same clone, and in any order (issue: `make test`
while `make run` serves gave 124 failures and 134 errors)."""

from pathlib import Path

from django.conf import settings

from themes.models import SectorTarget, Theme


def test_the_tests_use_a_var_directory_of_their_own():
    portal_var = Path(settings.BASE_DIR) / "var"
    assert Path(settings.VAR_DIR) != portal_var
    assert portal_var not in Path(settings.CELERY_BROKER_DIR).parents
    assert portal_var not in Path(settings.MEDIA_ROOT).parents
    assert Path(settings.VAR_DIR) in Path(settings.CELERY_BROKER_DIR).parents


def test_a_transactional_test_empties_the_tables(transactional_db):
    # pytest-django runs this after the plain database tests and before the tests that ask
    # for no database fixture, such as the next one.
    Theme.objects.all().delete()
    assert not Theme.objects.exists()


def test_the_route_is_back_for_the_tests_after_a_transactional_one(django_db_blocker):
    with django_db_blocker.unblock():
        assert Theme.objects.count() == 6
        assert SectorTarget.objects.filter(code="LZD-WALLET").exists()
