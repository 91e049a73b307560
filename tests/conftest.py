import pytest
from django.core.management import call_command


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the complete route once per test session; every test sees it (rolled back per test)."""
    with django_db_blocker.unblock():
        call_command("load_roadmap", verbosity=0)
