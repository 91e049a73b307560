"""The public pages of the route: no login, Dutch, complete, and cheap in queries."""

import pytest
from django.utils.html import escape

from themes.models import Milestone, SectorTarget, Theme

pytestmark = pytest.mark.django_db


def test_the_overview_shows_the_six_themes_with_their_targets(
    client, django_assert_max_num_queries
):
    # The layer summary adds four (two per summary), whatever the route's size.
    with django_assert_max_num_queries(12):
        response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="nl">' in html
    for theme in Theme.objects.all():
        assert f'href="/thema/{theme.code}/"' in html
    assert "30% van de mbo-instellingen heeft een wallet" in html
    assert "School" in html and "Docent" in html and "Student" in html


@pytest.mark.parametrize(
    "code",
    [
        "doorlopend-het-beste-onderwijs",
        "leren-zonder-drempels",
        "data-ai",
        "cyberweerbaarheid",
        "samen-transformeren",
        "digitale-soevereiniteit",
    ],
)
def test_every_theme_page_shows_its_table_and_texts(client, code, django_assert_max_num_queries):
    theme = Theme.objects.get(code=code)
    with django_assert_max_num_queries(15):
        response = client.get(f"/thema/{code}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert escape(theme.name) in html and escape(theme.purpose) in html
    for milestone in Milestone.objects.filter(line__theme=theme):
        assert escape(milestone.title) in html
    for target in SectorTarget.objects.filter(lines__theme=theme, programme__isnull=True):
        assert f'href="/doelen/{target.code}/"' in html
    for ambition in theme.ambitions.all():
        assert escape(ambition.text) in html


def test_the_theme_table_puts_milestones_in_their_year_column(client):
    html = client.get("/thema/leren-zonder-drempels/").content.decode()
    assert '<th scope="col">2026</th>' in html and "Sectordoelen 2028" in html
    row_start = html.index("Resultaten en credentials")
    row = html[row_start : html.index("</tr>", row_start)]
    cells = row.split("<td")
    assert "Pilot Eduwallet in de proeftuin" in cells[1]  # 2026
    assert "Pilots Okx-koppelingen" in cells[2]  # 2027
    assert "30% van de mbo-instellingen heeft een wallet" in cells[4]  # targets


def test_the_cyber_theme_has_its_2030_heading(client):
    html = client.get("/thema/cyberweerbaarheid/").content.decode()
    assert "Sectordoelen 2030" in html
    assert "In 2030 hebben alle mbo-instellingen NBA-volwassenheidsniveau 3.0 bereikt." in html


def test_a_theme_without_a_table_says_so(client):
    html = client.get("/thema/digitale-soevereiniteit/").content.decode()
    assert "nog geen lijnen, mijlpalen of sectordoelen" in html


def test_an_unknown_theme_or_target_is_404(client):
    assert client.get("/thema/bestaat-niet/").status_code == 404
    assert client.get("/doelen/BESTAAT-NIET/").status_code == 404
    assert client.get("/programma/bestaat-niet/").status_code == 404


def test_a_shared_target_shows_both_themes(client):
    html = client.get("/doelen/DBO-CTL/").content.decode()
    assert "Doorlopend het beste onderwijs" in html and "Samen transformeren" in html
    assert "50%" in html


def test_the_target_list_lists_every_target(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        html = client.get("/doelen/").content.decode()
    for code in SectorTarget.objects.values_list("code", flat=True):
        assert f"/doelen/{code}/" in html


def test_the_milestone_list_filters_by_theme_year_status_and_partner(client):
    Milestone.objects.filter(code="DAI-AD-2026-1").update(status="delayed")
    response = client.get("/mijlpalen/", {"theme": "data-ai", "year": 2026})
    assert response.status_code == 200
    milestones = list(response.context["milestones"])
    assert len(milestones) == 17
    assert {m.line.theme.code for m in milestones} == {"data-ai"}

    delayed = client.get("/mijlpalen/", {"status": "delayed"}).context["milestones"]
    assert [m.code for m in delayed] == ["DAI-AD-2026-1"]

    by_nro = client.get("/mijlpalen/", {"partner": "nro"}).context["milestones"]
    assert [m.title for m in by_nro] == ["Call Grote Vragen via NRO"]


def test_an_invalid_filter_shows_the_full_list_instead_of_an_error(client):
    response = client.get("/mijlpalen/", {"year": "1999", "theme": "<script>"})
    assert response.status_code == 200
    assert len(response.context["milestones"]) == Milestone.objects.count()
    assert "<script>" not in response.content.decode()


def test_htmx_gets_only_the_results_fragment(client):
    response = client.get("/mijlpalen/", {"year": 2028}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="results"')
    assert "<html" not in html
    assert "3 mijlpalen" in html


def test_the_partner_and_programme_pages(client):
    html = client.get("/partners/").content.decode()
    assert "Npuls" in html and "Edu-V" in html
    html = client.get("/programma/digitaal-bekwaam-mbo/").content.decode()
    assert "Digitaal Bekwaam MBO" in html
    assert "TOTAAL" in html and "0,7" in html


def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get("/")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "object-src 'none'" in policy and "base-uri 'none'" in policy
    assert "<script>" not in response.content.decode()
    assert " onclick=" not in response.content.decode()


def test_english_is_available_through_the_language_switch(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "The six themes" in html
    # Route content stays Dutch where no translation exists.
    assert "Leren zonder drempels" in html


def test_write_methods_are_refused_on_public_pages(client):
    assert client.post("/").status_code == 405
    assert client.post("/thema/data-ai/").status_code == 405


def test_every_public_page_has_a_plain_short_title_and_one_main_heading(client):
    """A block that swallowed a section once put a whole list into a page's <title>."""
    from tests.test_authorization import GET_TABLE, filled_in

    for name, (path, expected) in GET_TABLE.items():
        if expected["anonymous"] != 200 or name.startswith(("api", "healthz")) or "api" in path:
            continue
        response = client.get(filled_in(path))
        if "text/html" not in response["Content-Type"]:
            continue
        html = response.content.decode()
        title = html[html.index("<title>") + 7 : html.index("</title>")]
        assert "<" not in title and len(title) < 160, (path, title[:200])
        assert html.count("<h1") == 1, path
