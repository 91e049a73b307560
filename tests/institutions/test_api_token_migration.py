"""Upgrading from DRF's cleartext tokens: existing keys keep working, the cleartext is gone."""

import importlib
from types import SimpleNamespace

import pytest
from django.db import connection

from accounts.models import ApiToken
from accounts.tokens import user_for_key

hash_existing_tokens = importlib.import_module(
    "institutions.migrations.0003_apitoken"
).hash_existing_tokens

# The migration asks for the model by its name then (institutions.ApiToken); it has since moved
# to accounts, table and all.
apps = SimpleNamespace(get_model=lambda app_label, model_name: ApiToken)


@pytest.mark.django_db(transaction=True)
def test_keys_issued_before_the_upgrade_are_hashed_and_their_cleartext_removed(cio_a):
    key = "0123456789abcdef0123456789abcdef01234567"
    with connection.cursor() as cursor:
        # The table as rest_framework.authtoken left it in earlier releases.
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, "
            "created timestamp with time zone NOT NULL, user_id bigint NOT NULL)"
        )
        cursor.execute(
            "INSERT INTO authtoken_token VALUES (%s, %s, %s)",
            [key, "2026-06-01 12:00:00+00:00", cio_a.pk],
        )
    try:
        hash_existing_tokens(apps, SimpleNamespace(connection=connection))
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM authtoken_token")
            assert cursor.fetchone() == (0,)
        stored = ApiToken.objects.get(user=cio_a)
        assert key not in stored.digest
        assert user_for_key(key) == cio_a
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE authtoken_token")


@pytest.mark.django_db
def test_a_database_that_never_had_tokens_migrates_without_them():
    hash_existing_tokens(apps, SimpleNamespace(connection=connection))
    assert not ApiToken.objects.exists()
