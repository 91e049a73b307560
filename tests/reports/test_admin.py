"""The assembly packs in the admin: staff may look, nobody edits a frozen pack there."""

import pytest

from reports.models import AssemblyPack

pytestmark = pytest.mark.django_db


@pytest.fixture
def pack(closed_round, administrator):
    return AssemblyPack.objects.create(round=closed_round, requested_by=administrator)


def test_the_packs_are_listed_and_shown_read_only(client, administrator, pack):
    client.force_login(administrator)
    listing = client.get("/admin/reports/assemblypack/")
    assert listing.status_code == 200
    assert pack.round.name in listing.content.decode()
    page = client.get(f"/admin/reports/assemblypack/{pack.pk}/change/")
    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    assert not page.context["has_delete_permission"]


def test_a_pack_cannot_be_added_changed_or_deleted_in_the_admin(client, administrator, pack):
    client.force_login(administrator)
    assert client.get("/admin/reports/assemblypack/add/").status_code == 403
    response = client.post(
        f"/admin/reports/assemblypack/{pack.pk}/change/", {"state": AssemblyPack.State.DONE}
    )
    assert response.status_code == 403
    assert (
        client.post(f"/admin/reports/assemblypack/{pack.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    pack.refresh_from_db()
    assert pack.state == AssemblyPack.State.QUEUED
