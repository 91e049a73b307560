import io

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_models_and_migrations_agree():
    """The suite builds tables from the models (--no-migrations); this keeps the two in step."""
    call_command("makemigrations", "--check", "--dry-run", stdout=io.StringIO())
