"""Uploading a file of answers on the status page."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from institutions.models import Answer

pytestmark = pytest.mark.django_db

HEADER = "institution;target;value;applies_on;explanation;evidence_url\n"


def _upload(client, text, name="antwoorden.csv"):
    return client.post(
        "/instellingen/11AA/import/", {"file": SimpleUploadedFile(name, text.encode("utf-8-sig"))}
    )


def test_a_good_file_saves_every_row(client, cio_a):
    client.force_login(cio_a)
    response = _upload(
        client,
        HEADER
        + "11AA;LZD-WALLET;gepland;2026-03-01;;\n11AA;CYB-NBA-GEMIDDELD;2,4;2026-03-01;zelfevaluatie;https://example.org\n",
    )
    assert response.status_code == 302
    assert Answer.objects.filter(source="import").count() == 2
    assert "2 antwoorden ingelezen." in client.get(response["Location"]).content.decode()


def test_a_bad_file_lists_every_error_and_saves_nothing(client, cio_a):
    client.force_login(cio_a)
    response = _upload(
        client,
        HEADER
        + "11AA;LZD-WALLET;gepland;2026-03-01;;\n"
        + "11AA;BESTAAT-NIET;1;2026-03-01;;\n"
        + "11AA;CYB-NBA-GEMIDDELD;9;gisteren;;\n",
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "rij 3, kolom target" in html
    assert "rij 4, kolom value" in html and "rij 4, kolom applies_on" in html
    assert not Answer.objects.exists()


def test_rows_of_another_institution_are_refused_even_for_its_own_editor(
    client, cio_a, institution_b
):
    from institutions.models import Membership

    Membership.objects.create(user=cio_a, institution=institution_b, role="editor")
    client.force_login(cio_a)
    response = _upload(client, HEADER + "22BB;LZD-WALLET;gepland;2026-03-01;;\n")
    assert response.status_code == 422
    assert "rij 2, kolom institution" in response.content.decode()
    assert not Answer.objects.exists()


def test_a_viewer_cannot_upload(client, viewer_a):
    client.force_login(viewer_a)
    assert _upload(client, HEADER + "11AA;LZD-WALLET;gepland;2026-03-01;;\n").status_code == 403
    assert not Answer.objects.exists()
