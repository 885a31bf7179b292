"""Public pages on the real seeded history, in French and English."""

import datetime
import re

import pytest
import sqlalchemy as sa

from cartel import ROOT
from cartel.extensions import db
from cartel.web import assets
from cartel.write.audit import bump_revisions
from tests.helpers import asset, text


@pytest.fixture
def english(client):
    client.get("/language/en?next=/")
    return client


def test_records_as_of_2023_show_31_titles_and_the_325_points_record(seeded, client):
    page = text(client.get("/records?as_of=2023"))
    assert "IMT Mines Alès 31 " in page
    assert "au moins" not in page.split("Titres par école")[1].split("« Au moins »")[0]
    assert "Record de points en une édition 325 points IMT Mines Alès , 2023" in page
    assert "IMT Mines Alès , 2023 : sur le podium des 20 disciplines" in page


def test_records_after_2024_show_32_titles(seeded, client):
    page = text(client.get("/records?as_of=2024"))
    assert "IMT Mines Alès 32 " in page
    assert "IMT Mines Alès : au moins 3 d'affilée (2022–2024)" in page


def test_records_today_say_at_least_where_2025_and_2026_are_unknown(seeded, client):
    page = text(client.get("/records"))
    assert "IMT Mines Alès au moins 32" in page
    assert "inconnue : le vainqueur de 2026 n'est pas enregistré." in page  # the latest finished edition


def test_edition_2023_shows_ales_on_the_podium_of_all_20_disciplines(seeded, client):
    html = client.get("/editions/2023").get_data(as_text=True)
    podiums = html.split('<ul class="podiums">')[1].split("</ul>")[0]
    items = podiums.split("<li>\n    <h3>")[1:]
    assert len(items) == 20
    assert all("IMT Mines Alès" in item and re.search(r'class="place p[123]"', item) for item in items)
    page = text(client.get("/editions/2023"))
    assert "Classement partiel" in page
    assert "1 IMT Mines Alès 325 9 4 7" in page


def test_edition_2022_shows_its_top_three(seeded, client):
    page = text(client.get("/editions/2022"))
    assert "1 IMT Mines Alès — — — — 2 Mines Saint-Étienne — — — — 3 IMT Nord Europe — — — —" in page


def test_editions_list_number_host_winner_and_points(seeded, client):
    page = text(client.get("/editions"))
    assert "2023 48 IMT Mines Alès IMT Mines Alès 325" in page
    assert "2022 47 Mines Saint-Étienne IMT Mines Alès —" in page
    assert "2021 — — annulée" in page
    assert "2025 50 Mines Paris – PSL non connu" in page


def test_school_page_lists_results_titles_and_records(seeded, client):
    page = text(client.get("/schools/imt-mines-ales"))
    assert "Titres : au moins 32" in page
    assert "Meilleur total de points : 325 (2023)" in page
    assert "2023 1 325 9/4/7" in page
    assert client.get("/schools/nowhere").status_code == 404


def test_english_through_the_language_link(seeded, english):
    page = text(english.get("/records?as_of=2023"))
    assert "Record points total in one edition 325 points" in page
    assert "Handball (men)" in text(english.get("/editions/2023"))


def test_language_link_refuses_to_leave_the_site(client):
    response = client.get("/language/en?next=//evil.example/")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/language/de").status_code == 404


def test_home_shows_the_live_edition_ranking(app, client, make_school, make_discipline, make_edition, place, adjust):
    from cartel.models import EditionStatus

    ales, albi = make_school("ales", "IMT Mines Alès"), make_school("albi", "IMT Mines Albi")
    hb = make_discipline("handball")
    edition = make_edition(2026, 51, status=EditionStatus.LIVE, schools=[ales, albi], disciplines=[hb])
    place(edition, hb, 1, albi)
    place(edition, hb, 2, ales)
    adjust(edition, albi, -5, "Comportement antisportif")
    db.session.commit()
    page = text(client.get("/"))
    assert "1 IMT Mines Alès 6 0 1 0 2 IMT Mines Albi 5 (-5) 1 0 0" in page
    assert "Comportement antisportif" in text(client.get("/editions/2026"))


@pytest.mark.parametrize("path", ["/", "/editions/2026"])
def test_a_link_over_the_ranking_jumps_to_the_latest_results(
    app, client, make_school, make_discipline, make_edition, place, path
):
    """On a phone the latest results start screens down: home and the edition page link there from above
    the ranking, once there is a result to go to."""
    from cartel.models import EditionStatus

    ales = make_school("ales", "IMT Mines Alès")
    hb = make_discipline("handball")
    edition = make_edition(2026, 51, status=EditionStatus.LIVE, schools=[ales], disciplines=[hb])
    db.session.commit()
    assert 'href="#h-latest"' not in client.get(path).get_data(as_text=True)  # nothing to jump to yet
    place(edition, hb, 1, ales)
    edition.programme[0].updated_at = datetime.datetime(2026, 4, 10, 15, 0)  # saved, as entry stamps it
    bump_revisions(edition.id)
    db.session.commit()
    html = client.get(path).get_data(as_text=True)
    link, ranking, target = html.find('href="#h-latest"'), html.find("<table"), html.find('id="h-latest"')
    assert -1 < link < ranking < target


def test_provisional_flag_counts_final_disciplines(app, client, make_school, make_discipline, make_edition, place):
    from cartel.models import EditionStatus, ResultState

    ales = make_school("ales")
    hb, fb = make_discipline("handball"), make_discipline("football")
    edition = make_edition(2026, 51, status=EditionStatus.LIVE, schools=[ales], disciplines=[hb, fb])
    edition.programme[1].result_state = ResultState.PROVISIONAL
    place(edition, hb, 1, ales)
    db.session.commit()
    page = text(client.get("/editions/2026"))
    assert "Provisoire : 1 discipline sur 2 a un résultat définitif." in page


@pytest.mark.parametrize("path", ["/", "/editions", "/editions/2023", "/schools/imt-mines-ales", "/records"])
def test_pages_are_light_and_fit_a_phone(seeded, client, path):
    html = client.get(path).get_data()
    css = (ROOT / "static" / "css" / "cartel.css").read_bytes()
    scripts = re.findall(rb"<script[^>]*>", html)
    js = sum(
        len((ROOT / src.decode().lstrip("/")).read_bytes())
        for tag in scripts
        for src in re.findall(rb'src="(/static/js/[a-z]+\.js)\?v=[0-9a-f]{12}"', tag)
    )
    assert len(html) + len(css) + js < 60_000
    assert b'name="viewport" content="width=device-width, initial-scale=1"' in html
    # Readable without JavaScript: the only scripts are our own deferred files, which update the page (and
    # mark the visitor's school).
    assert all(
        re.fullmatch(rb'<script src="/static/js/(poll|live|mine)\.js\?v=[0-9a-f]{12}" defer>', tag) for tag in scripts
    ), scripts


@pytest.mark.parametrize(
    "target",
    [
        "//evil.com",
        "////evil.com",
        "/\\evil.com",
        "/\t/evil.com",
        "/%0d%0aX:y",
        "/\r\nX: y",
        "https://evil.com/",
        "javascript:alert(1)",
        "",
    ],
)
def test_language_switch_never_leaves_the_site_nor_breaks(client, target):
    response = client.get("/language/en", query_string={"next": target})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location in ("/", "http://localhost/") or (
        location.startswith("/") and not location.startswith("//") and "\n" not in location
    ), location


def test_language_switch_goes_back_where_the_visitor_was(client):
    response = client.get("/language/en", query_string={"next": "/records?as_of=2023"})
    assert response.headers["Location"] == "/records?as_of=2023"


def test_points_are_written_as_the_readers_language_writes_numbers(client, edition):
    """A three-way tie under the split rule gives 20/3 points each; a penalty of -1.5 (the ``edition`` fixture)."""
    french = text(client.get("/editions/2026"))
    english = text(client.get("/editions/2026?lang=en"))
    assert "IMT Mines Alès 12,67" in french and "IMT Mines Albi 5,17 (-1,5)" in french and "12.67" not in french
    assert "IMT Mines Alès 12.67" in english and "IMT Mines Albi 5.17 (-1.5)" in english and "12,67" not in english


def test_counts_agree_in_number(client, edition):
    assert "1 discipline sur 3 a un résultat définitif." in text(client.get("/editions/2026"))
    assert "1 of 3 disciplines has a final result." in text(client.get("/editions/2026?lang=en"))


def test_each_request_speaks_its_own_language_with_the_same_client(client, edition):
    """The language is chosen afresh by every request: Flask-Babel keeps a request's locale in ``g``, and the
    test holds an app context of its own, so each request needs its own (conftest's RequestClient) or the
    first request's language would stick to every later one."""
    french, english = "1 discipline sur 3 a un résultat définitif.", "1 of 3 disciplines has a final result."

    def says(url: str) -> str:
        page = text(client.get(url))
        assert (french in page) != (english in page), page[:200]
        return "fr" if french in page else "en"

    assert says("/editions/2026") == "fr"
    assert says("/editions/2026?lang=en") == "en"  # English right after French
    assert says("/editions/2026?lang=fr") == "fr"  # French right after English
    client.get("/language/en?next=/")  # the language cookie
    assert says("/editions/2026") == "en"
    assert says("/editions/2026?lang=fr") == "fr"
    assert says("/editions/2026") == "en"
    assert "Password" in text(client.get("/login"))
    assert "Mot de passe" in text(client.get("/login?lang=fr"))


def test_static_files_have_addresses_that_name_their_content_and_are_kept_a_year(client, tmp_path):
    html = client.get("/").get_data(as_text=True)
    address = asset("css/cartel.css")
    assert f'href="{address}"' in html
    with client.get(address) as kept:
        assert kept.status_code == 200 and kept.data == (ROOT / "static/css/cartel.css").read_bytes()
        assert kept.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    # without the current digest (typed by hand, or an older page after a release): revalidated, not kept a year
    for other in ("/static/css/cartel.css", "/static/css/cartel.css?v=000000000000"):
        with client.get(other) as answer:
            assert answer.status_code == 200 and "immutable" not in answer.headers["Cache-Control"], other


def test_a_static_file_that_changes_gets_a_new_address(tmp_path):
    (tmp_path / "site.css").write_text("a { color: red }")
    prints = assets.Fingerprints(str(tmp_path))
    before = prints.digest("site.css")
    (tmp_path / "site.css").write_text("a { color: blue; }")
    after = prints.digest("site.css")
    assert before and after and before != after
    assert prints.digest("missing.css") is None and prints.digest("../secret") is None


def test_the_list_of_schools_reaches_every_school_from_the_header(seeded, client):
    home = client.get("/").get_data(as_text=True)
    assert '<a href="/schools">Écoles</a>' in home.split("</nav>")[0]
    response = client.get("/schools")
    assert response.status_code == 200 and response.headers["Cache-Control"].startswith("public")
    html = response.get_data(as_text=True)
    from cartel.models import School

    for school in db.session.scalars(sa.select(School)):
        assert f'<a href="/schools/{school.slug}">' in html, school.slug  # never won nor hosted: listed too
    rows = {
        cells[0]: cells[1:]
        for cells in (
            [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", html.split("<tbody>")[1], re.S)
        )
    }
    editions, titles, best, hosted = rows["IMT Mines Alès"]
    assert titles == "au moins 32" and best.startswith("1 (") and "2023" in best and "2023" in hosted
    assert rows["EURECOM"] == ["0", "0", "—", "—"]
    names = list(rows)
    assert names.index("École des Ponts") < names.index("EMINES – UM6P") < names.index("IMT Mines Alès")
