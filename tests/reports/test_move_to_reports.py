"""The assembly pack moved from rounds to reports by state-only migrations (rounds 0004,
reports 0005): on a populated database the pack's row, its files, the round's reverse relation
and the permissions on it survive.

Runs real migrations in scratch databases (tests/scratch_migrations.py).
"""

import json

from tests.scratch_migrations import in_scratch_databases, manage

# A finished pack as the portal wrote it before the move (rounds 0003), through plain SQL for
# the pack (its old model no longer exists in Python), with a group allowed to view packs.
POPULATE = """
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import connection
from rounds.models import Round
user = get_user_model().objects.create_user("raad@voorbeeld.example", "raad@voorbeeld.example", "x")
council = Group.objects.create(name="MBO Raad")
council.permissions.add(Permission.objects.get(
    content_type__app_label="rounds", codename="view_assemblypack"))
round = Round.objects.create(name="Voorjaar 2026", opens_on="2026-01-01", closes_on="2026-02-28",
                             assembly_on="2026-03-20", closed_at="2026-03-01 12:00:00+00:00")
with connection.cursor() as c:
    c.execute("INSERT INTO rounds_assemblypack (round_id, state, error, requested_at, "
              "requested_by_id, frozen_at, as_of, figures_use, figures, milestones, institutions, "
              "rate, since, pdf, xlsx) VALUES (%s, 'done', '', '2026-03-02 09:00:00+00:00', %s, "
              "'2026-03-02 09:01:00+00:00', '2026-02-28', 'approved', %s, '{}', %s, %s, %s, "
              "%s, %s)",
              [round.pk, user.pk, '{"LZD-WALLET": {"position": 0, "value": 50.0}}',
               '[{"code": "11AA", "name": "ROC Proefwijk", "answered": 2}]',
               '{"total": {"expected": 3}}', '{"previous": null}',
               f"assembly/{round.pk}/routekaart-vergaderstuk-2026-03-20.pdf",
               f"assembly/{round.pk}/routekaart-vergaderstuk-2026-03-20.xlsx"])
"""

READ_BACK = """
import json
from django.contrib.auth.models import Group
from reports.models import AssemblyPack
from rounds import actions
from rounds.models import Round
pack = AssemblyPack.objects.select_related("round", "requested_by").get()
round = Round.objects.get(assembly_pack__state="done")
try:
    actions.do_set_figures_use(round=round, figures_use="all")
    refused = False
except actions.RoundActionError:
    refused = True
council = Group.objects.get(name="MBO Raad")
print(json.dumps({
    "pack": [pack.round.name, pack.state, pack.requested_by.email, pack.as_of.isoformat(),
             pack.figures_use, pack.figures, pack.institutions, pack.rate, pack.since],
    "files": [pack.pdf.name, pack.xlsx.name],
    "round_id": round.pk,
    "reverse": round.assembly_pack.pk == pack.pk,
    "basis_refused": refused,
    "url": pack.get_absolute_url(),
    "council_permissions": sorted(
        f"{p.content_type.app_label}.{p.codename}" for p in council.permissions.all()),
}))
"""


def _migrate_populated(env: dict) -> dict:
    manage(env, "migrate", "-v0", "auth")
    manage(env, "migrate", "-v0", "rounds", "0003_closing_day_is_sluitdatum")
    manage(env, "shell", code=POPULATE)
    manage(env, "migrate", "-v0")
    return json.loads(manage(env, "shell", code=READ_BACK).strip().splitlines()[-1])


def test_moving_the_assembly_pack_to_reports_keeps_its_row_files_and_permissions(tmp_path):
    results = in_scratch_databases(tmp_path, "routekaart_move_pack", _migrate_populated)
    for label, after in results.items():
        round_id = after["round_id"]
        assert after["pack"] == [
            "Voorjaar 2026", "done", "raad@voorbeeld.example", "2026-02-28", "approved",
            {"LZD-WALLET": {"position": 0, "value": 50.0}},
            [{"code": "11AA", "name": "ROC Proefwijk", "answered": 2}],
            {"total": {"expected": 3}}, {"previous": None},
        ], label  # fmt: skip
        assert after["files"] == [
            f"assembly/{round_id}/routekaart-vergaderstuk-2026-03-20.pdf",
            f"assembly/{round_id}/routekaart-vergaderstuk-2026-03-20.xlsx",
        ], label
        assert after["reverse"] and after["basis_refused"], label
        assert after["url"] == f"/rapportages/vergaderstukken/{round_id}/", label
        assert after["council_permissions"] == ["reports.view_assemblypack"], label
