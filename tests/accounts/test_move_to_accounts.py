"""The audit log, API keys and language preferences moved from institutions to accounts by
migrations: on a populated database every row, every key and every permission survives.

Runs real migrations in scratch databases (tests/scratch_migrations.py).
"""

import json

from tests.scratch_migrations import in_scratch_databases, manage

KEY = "0123456789abcdef0123456789abcdef01234567"

# Rows as the portal wrote them before the move (institutions 0006), through plain SQL: the
# old models no longer exist in Python.
POPULATE = """
import hashlib
from django.db import connection
from django.contrib.auth.models import Group, Permission
from django.contrib.auth import get_user_model
user = get_user_model().objects.create_user("cio@voorbeeld.example", "cio@voorbeeld.example", "x")
staff = Group.objects.create(name="Sectorstaf")
staff.permissions.add(Permission.objects.get(
    content_type__app_label="institutions", codename="view_auditevent"))
from institutions.models import Institution
institution_id = Institution.objects.create(
    code="99ZZ", name="Voorbeeldcollege", kind="roc", active_from="2020-01-01").pk
with connection.cursor() as c:
    for n in range(3):
        c.execute("INSERT INTO institutions_auditevent (occurred_at, kind, actor_id, actor_label, "
                  "institution_id, institution_code, ip_address, detail) "
                  "VALUES (%s, 'export', %s, %s, %s, '99ZZ', '192.0.2.1', %s)",
                  [f"2026-0{n + 1}-01 12:00:00+00:00", user.pk, user.email, institution_id,
                   f"export {n}"])
    c.execute("INSERT INTO institutions_apitoken (user_id, prefix, digest, created_at) "
              "VALUES (%s, %s, %s, '2026-06-01 12:00:00+00:00')",
              [user.pk, KEY[:8], hashlib.sha256(KEY.encode()).hexdigest()])
    c.execute("INSERT INTO institutions_languagepreference (user_id, language) VALUES (%s, 'en')",
              [user.pk])
"""

READ_BACK = """
import json
from django.contrib.auth.models import Group
from accounts.models import ApiToken, AuditEvent, LanguagePreference
from accounts.tokens import user_for_key
events = AuditEvent.objects.order_by("occurred_at")
staff = Group.objects.get(name="Sectorstaf")
print(json.dumps({
    "events": [[e.detail, e.actor_label, e.institution.code, e.ip_address] for e in events],
    "key_works": user_for_key(KEY) is not None,
    "tokens": ApiToken.objects.count(),
    "languages": list(LanguagePreference.objects.values_list("language", flat=True)),
    "staff_permissions": sorted(
        f"{p.content_type.app_label}.{p.codename}" for p in staff.permissions.all()),
}))
"""


def _migrate_populated(env: dict) -> dict:
    manage(env, "migrate", "-v0", "auth")
    manage(env, "migrate", "-v0", "institutions", "0006_languagepreference")
    manage(env, "shell", code=f"KEY = {KEY!r}\n" + POPULATE)
    manage(env, "migrate", "-v0")
    read_back = manage(env, "shell", code=f"KEY = {KEY!r}\n" + READ_BACK)
    return json.loads(read_back.strip().splitlines()[-1])


def test_moving_identity_to_accounts_keeps_every_row_key_and_permission(tmp_path):
    results = in_scratch_databases(tmp_path, "routekaart_move", _migrate_populated)
    for label, after in results.items():
        assert after["events"] == [
            [f"export {n}", "cio@voorbeeld.example", "99ZZ", "192.0.2.1"] for n in range(3)
        ], label
        assert after["key_works"] and after["tokens"] == 1, label
        assert after["languages"] == ["en"], label
        assert after["staff_permissions"] == ["accounts.view_auditevent"], label
