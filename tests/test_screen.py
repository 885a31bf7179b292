"""The venue's big screen (/editions/<year>/screen): its panels hold the standing's numbers, it is served
once per revision with ETags like the live pages, and in a real Chromium at 1920×1080 and 1280×720 it never
scrolls, its text is large, it turns its panels, and a result saved meanwhile appears without a reload."""

from __future__ import annotations

import datetime as dt
import html
import re
import shutil
import threading
import time
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from cartel import create_app
from cartel.core import podium
from cartel.core.clock import utcnow
from cartel.core.scoring import format_points
from cartel.extensions import db
from cartel.models import AuditEntry, Edition, ProgrammeEntry, ResultState
from cartel.read import published, revisions
from cartel.write.audit import Actor
from cartel.write.results import confirm_result, save_result
from tests.conftest import POSTGRES_URL, _config, login
from tests.test_browser import browser, screenshot_dir  # noqa: F401  (browser: the fixture)

SCREEN, FRAGMENT = "/editions/2026/screen", "/editions/2026/screen/live?lang=fr"


def panels(body: str) -> dict[str, str]:
    """Each panel's markup by its data-panel name."""
    return dict(re.findall(r'<section class="panel[^"]*" data-panel="([a-z]+)"(.*?)</section>', body, re.S))


def ranking_rows(panel: str) -> list[tuple[str, str, str]]:
    return re.findall(r'<tr data-school="([^"]*)" data-rank="([^"]*)" data-points="([^"]*)"', panel)


def shown(markup: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def stand(panel: str) -> list[tuple[str, str]]:
    """(place, team) on a podium panel, teams as their slugs joined by spaces."""
    steps = re.findall(r'data-place="(\d+)">(.*?)</li>', panel, re.S)
    return [(place, team) for place, body in steps for team in re.findall(r'data-team="([^"]*)"', body)]


def view_of(year: int = 2026) -> published.EditionView:
    db.session.remove()
    return published.edition_view(*revisions.edition_revision(year))


def save(live, discipline, *teams: str, state: str = "final") -> None:
    """Places 1, 2, 3... for the teams given ("a" or "a+b" for a joint team)."""
    db.session.expire_all()
    edition = db.session.get(Edition, live.edition.id)
    entry = next(e for e in edition.programme if e.discipline_id == discipline.id)
    save_result(
        edition,
        entry,
        [podium.Team(k, tuple(t.split("+"))) for k, t in enumerate(teams, start=1)],
        ResultState(state),
        Actor(),
        expected_version=entry.version,
        submission_key=None,
    )


# --- served like the live pages ---------------------------------------------------------------------


def test_screen_and_fragment_carry_the_etag_of_the_revision_and_answer_304(live, client):
    page = client.get(SCREEN)
    assert page.status_code == 200 and page.mimetype == "text/html"
    tag = page.headers["ETag"]
    assert page.headers["Cache-Control"] == "public, max-age=2" and page.headers["Vary"] == "Cookie"
    body = page.get_data(as_text=True)
    assert f'data-live="{FRAGMENT}"' in body and f'data-etag="{tag.replace(chr(34), "&#34;")}"' in body
    assert 'data-interval="10"' in body and 'data-rotate="10"' in body
    assert client.get(SCREEN, headers={"If-None-Match": tag}).status_code == 304
    assert client.get(FRAGMENT, headers={"If-None-Match": tag}).status_code == 304
    fragment = client.get(FRAGMENT)
    assert fragment.status_code == 200 and fragment.headers["ETag"] == tag
    assert "<html" not in fragment.get_data(as_text=True) and 'data-panel="ranking"' in fragment.get_data(as_text=True)
    assert tag != client.get("/editions/2026").headers["ETag"]  # its own representation

    save(live, live.hb, "ales", "albi", "nancy")
    again = client.get(FRAGMENT, headers={"If-None-Match": tag})
    assert again.status_code == 200 and again.headers["ETag"] != tag
    assert client.get(SCREEN, headers={"If-None-Match": tag}).status_code == 200
    assert client.get(SCREEN).headers["ETag"] == again.headers["ETag"]
    assert client.get(FRAGMENT, headers={"If-None-Match": again.headers["ETag"]}).status_code == 304


def test_the_screen_is_the_same_for_everyone_logged_in_or_not(live, client, make_user):
    anonymous = client.get(SCREEN)
    make_user("orga@example.org")
    login(client, "orga@example.org")
    organiser = client.get(SCREEN)
    assert organiser.headers["ETag"] == anonymous.headers["ETag"]
    assert organiser.get_data() == anonymous.get_data() and "Se déconnecter" not in organiser.get_data(as_text=True)


def test_unknown_years_are_404(live, client):
    for url in ["/editions/1899/screen", "/editions/1899/screen/live?lang=fr", "/editions/99999999999/screen"]:
        assert client.get(url).status_code == 404, url


# --- the numbers ------------------------------------------------------------------------------------


def test_panels_hold_the_ranking_the_medals_and_the_podiums(edition, client):
    """The edition fixture: a 3-way tie for 1st (split rule), a joint team, a penalty, a school named like
    a formula; handball final, then football provisional (the latest result, not a final one)."""
    body = client.get(FRAGMENT).get_data(as_text=True)
    view, found = view_of(), panels(body)
    assert list(found) == ["ranking", "latest", "medals", "podium", "race", "new"]

    rows = ranking_rows(found["ranking"])
    expected = [(r.school.slug, str(r.rank), str(r.points)) for r in view.standing.rows]
    assert rows == expected and len(rows) == 4
    for row in view.standing.rows:  # the points as the pages write them
        cells = re.search(rf'data-school="{row.school.slug}".*?class="num points">([^<]*)<', found["ranking"], re.S)
        assert cells.group(1) == format_points(row.points).replace(".", ",")  # in French: 12,67
    assert "Provisoire · résultats définitifs : 1/3" in shown(found["ranking"])

    medals = re.findall(r'<tr data-school="([^"]*)" data-medals="([^"]*)"', found["medals"])
    by_school = {r.school.slug: " ".join(map(str, r.medals)) for r in view.standing.rows}
    assert dict(medals) == by_school
    for slug, counts in medals:  # the cells say what the attribute says
        row = re.search(rf'data-school="{slug}" data-medals.*?</tr>', found["medals"], re.S).group(0)
        assert re.findall(r'<td class="num">(\d+)</td>', row) == counts.split()
    order = [tuple(map(int, m.split())) for _, m in medals]
    assert order == sorted(order, reverse=True)  # most golds first, then silvers, then bronzes
    assert re.findall(r'<td class="rank">(\d+)</td>', found["medals"]) == ["1", "2", "3", "3"]  # equal: same rank

    latest = re.findall(r'<li data-discipline="([^"]*)"', found["latest"])
    assert latest == [p.entry.discipline.slug for p in view.latest] == ["football-women", "handball-men"]

    # the podium of the last finished discipline: handball (football is newer but provisional)
    assert 'data-discipline="handball-men"' in body.split('data-panel="podium"')[1].split(">")[0]
    assert stand(found["podium"]) == [("1", "ales"), ("1", "albi"), ("1", "nancy")]
    assert "Handball masculin" in shown(found["podium"])
    # the newest result, shown when it arrives: football, with its joint team
    assert stand(found["new"]) == [("1", "nancy evil"), ("2", "ales")]
    football = next(p for p in view.latest if p.entry.discipline.slug == "football-women").entry
    assert f'data-latest-key="{football.discipline_id}-{football.version}"' in body
    assert "Nouveau résultat" in shown(found["new"]) and "provisoire" in shown(found["new"])
    assert 'data-rotation="off"' in body.split('data-panel="new"')[1].split(">")[0]

    assert 'class="chart chart-race"' in found["race"] and 'data-school="ales" data-points="38/3"' in found["race"]
    assert '=HYPERLINK("http' not in body  # names from data are escaped


def test_the_podium_follows_the_most_recent_final_result(live, client):
    save(live, live.fb, "ales", "albi", "nancy")  # the programme lists handball before football
    save(live, live.hb, "nancy", "douai", "ales")
    save(live, live.swim, "albi", "ales", state="provisional")
    found = panels(client.get(FRAGMENT).get_data(as_text=True))
    assert stand(found["podium"]) == [("1", "nancy"), ("2", "douai"), ("3", "ales")]
    assert "Handball masculin" in shown(found["podium"]) and "Swimming" in shown(found["new"])

    db.session.expire_all()
    swim = db.session.scalar(
        sa.select(ProgrammeEntry).filter_by(edition_id=live.edition.id, discipline_id=live.swim.id)
    )
    confirm_result(
        db.session.get(Edition, live.edition.id),
        swim,
        Actor(),
        expected_version=swim.version,
        submission_key=None,
    )
    found = panels(client.get(FRAGMENT).get_data(as_text=True))
    assert "Swimming" in shown(found["podium"]) and stand(found["podium"]) == [("1", "albi"), ("2", "ales")]


def test_without_results_only_the_ranking_is_shown(live, client):
    """No latest results, no podium, no race, and no medal table of zeros."""
    body = client.get(FRAGMENT).get_data(as_text=True)
    assert list(panels(body)) == ["ranking"] and 'data-latest-key=""' in body
    assert [slug for slug, *_ in ranking_rows(body)] == [r.school.slug for r in view_of().standing.rows]
    assert len(ranking_rows(body)) == 4


def test_a_past_edition_with_a_partial_official_standing(seeded, client):
    body = client.get("/editions/2023/screen").get_data(as_text=True)
    found = panels(body)
    assert list(found) == ["ranking", "medals"] and "Classement partiel" in shown(found["ranking"])
    assert ranking_rows(found["ranking"]) == [("imt-mines-ales", "1", "325")]
    assert 'data-medals="9 4 7"' in found["medals"]


# --- languages --------------------------------------------------------------------------------------


def test_french_by_default_english_on_request(edition, client):
    french = shown(client.get(SCREEN).get_data(as_text=True))
    for words in ["Classement général", "Derniers résultats", "Tableau des médailles", "Or", "Argent", "Bronze"]:
        assert words in french
    assert "Dernier résultat définitif" in french and "Nouveau résultat" in french and "Connexion perdue" in french

    english = client.get(SCREEN + "?lang=en").get_data(as_text=True)
    assert 'data-live="/editions/2026/screen/live?lang=en"' in english and '<html lang="en"' in english
    for words in ["General ranking", "Latest results", "Medal table", "Gold", "Last final result", "New result"]:
        assert words in shown(english)
    assert 'data-pager="{first}–{last} of {total}"' in english
    assert "Provisional · final results: 1/3" in shown(english)

    client.get("/language/en?next=/")  # the usual switch: a cookie
    assert 'data-live="/editions/2026/screen/live?lang=en"' in client.get(SCREEN).get_data(as_text=True)
    assert "Medal table" in shown(client.get("/editions/2026/screen/live?lang=en").get_data(as_text=True))
    assert "Tableau des médailles" in shown(client.get(FRAGMENT).get_data(as_text=True))  # the URL names it


def test_the_edition_page_links_to_its_big_screen(live, client):
    assert f'href="{SCREEN}">Grand écran pour la salle</a>' in client.get("/editions/2026").get_data(as_text=True)


# --- in a real browser --------------------------------------------------------------------------------

# Fictional schools (slug, name, short name, colours): four without colours get the charts' palette.
SCHOOLS = [
    ("valbrune", "Mines de Valbrune", "Valbrune", "#1d3f8f,#ffffff"),
    ("rocher", "École du Rocher", "Rocher", "#c0392b"),
    ("port-marin", "IMT Port-Marin", "Port-Marin", "#0e8a96"),
    ("hautes-terres", "Mines Hautes-Terres", "Hautes-Terres", "#6b7a1a"),
    ("salines", "Institut des Salines", "Salines", "#b86e00"),
    ("forge", "École de la Forge", "Forge", "#7b3fa0"),
    ("clairval", "Mines de Clairval", "Clairval", "#000000"),
    ("belvedere", "Télécom Belvédère", "Belvédère", "#ffd400"),
    ("montagne-noire", "École supérieure des mines et carrières de Montagne-Noire", "Montagne-Noire", None),
    ("brumeval", "Mines de Brumeval", "Brumeval", None),
    ("lac-vert", "IMT Lac-Vert", "Lac-Vert", None),
    ("ponts-levis", "École des Ponts-Levis", "Ponts-Levis", None),
]
DISCIPLINES = [  # (sport slug, French, English, category)
    ("handball", "Handball", "Handball", "men"),
    ("football", "Football", "Football", "women"),
    ("swimming", "Natation", "Swimming", "open"),
    ("rugby", "Rugby", "Rugby", "men"),
    ("basketball", "Basketball", "Basketball", "women"),
    ("volleyball", "Volley-ball", "Volleyball", "open"),
    ("badminton", "Badminton", "Badminton", "open"),
    ("athletics", "Athlétisme", "Athletics", "open"),
]
# Results recorded before the screen opens, one every 40 minutes (the last is the latest, provisional).
SCRIPT = [
    ("handball-men", ["valbrune", "rocher", "port-marin", "salines"], "final"),
    ("football-women", ["rocher", "valbrune", "forge", "hautes-terres"], "final"),
    ("swimming-open", ["montagne-noire", "clairval", "belvedere", "lac-vert", "valbrune"], "final"),
    ("rugby-men", ["port-marin+brumeval", "valbrune", "lac-vert"], "final"),
    ("volleyball-open", ["belvedere", "rocher", "valbrune", "salines"], "final"),
    ("basketball-women", ["forge", "salines", "ponts-levis"], "provisional"),
]


def _build_venue() -> None:
    from cartel.models import Category, Discipline, EditionStatus, Participation, PointsScheme, School, Sport

    schools = [School(slug=s, name=n, short_name=short, country="FR", colours=c) for s, n, short, c in SCHOOLS]
    disciplines = [
        Discipline(slug=f"{slug}-{cat}", sport=Sport(slug=slug, name_fr=fr, name_en=en), category=Category(cat))
        for slug, fr, en, cat in DISCIPLINES
    ]
    edition = Edition(year=2026, number=51, status=EditionStatus.LIVE, host=schools[0])
    edition.participations = [Participation(school=s) for s in schools]
    edition.programme = [ProgrammeEntry(discipline=d, version=0) for d in disciplines]
    edition.scheme = PointsScheme(place_points=[10, 7, 5, 3, 1], tie_rule="shared", tie_breaks=[1, 2, 3])
    db.session.add_all([*schools, edition])
    db.session.commit()
    start = utcnow() - dt.timedelta(hours=5)
    for k, (discipline, teams, state) in enumerate(SCRIPT):
        _record(discipline, teams, state, at=start + k * dt.timedelta(minutes=40))


def _record(discipline: str, teams: list[str], state: str, at: dt.datetime | None = None) -> None:
    """Save a result through the app's write path, best team first: "a", "a+b" for a joint team, "=a" for
    a team sharing the place above (places go 1, 2, 2, 4); ``at`` backdates it (its time and audit entry)."""
    db.session.expire_all()
    edition = db.session.scalar(sa.select(Edition).filter_by(year=2026))
    entry = next(e for e in edition.programme if e.discipline.slug == discipline)
    places: list[podium.Team] = []
    for k, team in enumerate(teams, start=1):
        place = places[-1].place if team.startswith("=") else k
        places.append(podium.Team(place, tuple(team.lstrip("=").split("+"))))
    save_result(
        edition,
        entry,
        places,
        ResultState(state),
        Actor(),
        expected_version=entry.version,
        submission_key=None,
    )
    if at is not None:
        db.session.execute(sa.update(ProgrammeEntry).filter_by(id=entry.id).values(updated_at=at, published_at=at))
        last = db.session.scalar(sa.select(sa.func.max(AuditEntry.id)))
        db.session.execute(sa.update(AuditEntry).filter_by(id=last).values(at=at))
        db.session.commit()


@pytest.fixture
def venue(template_database, tmp_path):
    """The app on a free port with a live edition of 12 schools and 6 results; polls every second.
    ``record()`` saves a result in its database, ``stop()`` and ``start()`` take it down and up again."""
    copy = tmp_path / "screen.sqlite3"
    shutil.copy(template_database, copy)
    config = {**_config(f"sqlite:///{copy}"), "CARTEL_POLL_SECONDS": 1}
    config.pop("SERVER_NAME")
    app = create_app(config)
    with app.app_context():
        _build_venue()
        db.session.remove()
    state = SimpleNamespace(http=None, thread=None, port=0)

    def start():
        state.http = make_server("127.0.0.1", state.port, app, threaded=True)
        state.port = state.http.server_port
        state.thread = threading.Thread(target=state.http.serve_forever, daemon=True)
        state.thread.start()

    def stop():
        if state.http is not None:
            state.http.shutdown()
            state.http.server_close()
            state.thread.join(5)
            state.http = None

    def record(discipline, teams, result_state="final"):
        with app.app_context():
            _record(discipline, teams, result_state)
            db.session.remove()

    def ranking() -> list[str]:
        with app.app_context():
            return [r.school.slug for r in view_of().standing.rows]

    start()
    yield SimpleNamespace(url=f"http://127.0.0.1:{state.port}", record=record, stop=stop, start=start, ranking=ranking)
    stop()
    with app.app_context():
        db.engine.dispose()


# What the screen looks like now: what scrolls, the smallest text, the lowest contrast, rows out of their box.
SURVEY = """() => {
  const root = document.documentElement, screen = document.getElementById("screen");
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = (c) => {
    const linear = (v) => (v /= 255) <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    const [r, g, b] = rgb(c).slice(0, 3).map(linear);
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const backdrop = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = getComputedStyle(e).backgroundColor, a = rgb(c);
      if (a.length === 3 || (a.length === 4 && a[3] === 1)) return c;
    }
    return "rgb(255, 255, 255)";
  };
  let smallest = { size: 1e9 }, faintest = { ratio: 1e9 }, outside = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    if (!node.textContent.trim() || el.closest("title, desc")) continue;
    if (!el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) continue;
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height) continue;
    const svg = el instanceof SVGElement;
    const style = getComputedStyle(el);
    const size = parseFloat(style.fontSize) * (svg ? el.getScreenCTM().a : 1);
    if (size < smallest.size) smallest = { size, text: node.textContent.trim().slice(0, 40), svg };
    const a = lum(svg ? style.fill : style.color), b = lum(backdrop(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < faintest.ratio) faintest = { ratio, text: node.textContent.trim().slice(0, 40) };
    const cut = [el.closest(".teams"), el.closest("[data-fit]"), el.closest(".panel")].filter(Boolean);
    const line = (el.closest(".team .school") || el).getBoundingClientRect();  // names clamped to 2 lines
    const clipped = cut.some((c) => line.bottom > c.getBoundingClientRect().bottom + 1);
    if (clipped || box.right > innerWidth + 1 || box.bottom > innerHeight + 1) {
      outside.push(node.textContent.trim().slice(0, 40));
    }
  }
  for (const row of document.querySelectorAll("[data-rows] > *")) {
    if (!row.checkVisibility()) continue;
    const fit = row.closest("[data-fit]").getBoundingClientRect(), box = row.getBoundingClientRect();
    const name = "row " + (row.dataset.school || row.dataset.discipline);
    if (box.bottom > fit.bottom + 1 || box.bottom > innerHeight + 1) outside.push(name);
  }
  const panel = document.querySelector("[data-panel]:not([hidden])");
  const rows = panel ? [...panel.querySelectorAll("[data-rows] > *")].filter((r) => !r.hidden) : [];
  const pager = panel && panel.querySelector("[data-pager]");
  return {
    showing: screen.dataset.showing, panel: panel && panel.dataset.panel,
    scrollHeight: Math.max(root.scrollHeight, document.body.scrollHeight), innerHeight,
    scrollWidth: Math.max(root.scrollWidth, document.body.scrollWidth), innerWidth,
    smallest, faintest, outside, rows: rows.map((r) => r.dataset.school || r.dataset.discipline),
    pager: pager ? pager.textContent : "",
  };
}"""


def check(survey: dict, *, svg_text: bool = True) -> None:
    """Nothing scrolls or leaves the screen, no text under 28 px, contrast at least 7:1."""
    where = survey["showing"]
    assert survey["scrollHeight"] <= survey["innerHeight"], (where, survey["scrollHeight"])
    assert survey["scrollWidth"] <= survey["innerWidth"], (where, survey["scrollWidth"])
    assert survey["outside"] == [], (where, survey["outside"])
    if svg_text or not survey["smallest"]["svg"]:
        assert survey["smallest"]["size"] >= 28, (where, survey["smallest"])
    assert survey["faintest"]["ratio"] >= 7, (where, survey["faintest"])


def watch(page, seconds: float, until, **checks) -> dict[str, dict]:
    """Survey the screen every 0.1 s until ``until(seen)`` or the time is up: the first survey of each step."""
    seen: dict[str, dict] = {}
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not until(seen):
        survey = page.evaluate(SURVEY)
        check(survey, **checks)
        seen.setdefault(survey["showing"], survey)
        time.sleep(0.1)
    return seen


ALL_PANELS = {"ranking", "latest", "medals", "podium", "race"}


def full_turn(seen: dict) -> bool:
    return ALL_PANELS <= {s.split(":")[0] for s in seen} and any(s != "ranking:0" for s in seen) and "ranking:0" in seen


def ranking_pages(seen: dict) -> list[str]:
    """The schools shown by the ranking's pages, in page order, with the pager's words checked."""
    pages = sorted((int(s.split(":")[1]), v) for s, v in seen.items() if s.startswith("ranking:"))
    shown_rows: list[str] = []
    for _k, survey in pages:
        if len(pages) > 1:
            first, last = len(shown_rows) + 1, len(shown_rows) + len(survey["rows"])
            assert survey["pager"] == f"{first}–{last} sur {len(SCHOOLS)}"
        shown_rows += survey["rows"]
    return shown_rows


@pytest.mark.browser
@pytest.mark.skipif(POSTGRES_URL is not None, reason="browser tests run once, on SQLite")
def test_at_1920_the_screen_turns_never_scrolls_and_shows_a_new_result_at_once(venue, browser):  # noqa: F811
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    errors = []  # a script error, or anything the Content-Security-Policy blocked
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{venue.url}/editions/2026/screen?rotate=1")
    page.evaluate("window.notReloaded = true")

    seen = watch(page, 30, full_turn)
    assert full_turn(seen), sorted(seen)
    assert ranking_pages(seen) == venue.ranking()  # every school once, in ranking order, over the pages
    assert seen["latest:0"]["rows"][:2] == ["basketball-women", "volleyball-open"]

    venue.record("athletics-open", ["clairval", "montagne-noire", "lac-vert", "=forge+ponts-levis"])
    page.locator("#screen[data-showing='new:0']").wait_for(timeout=10_000)
    survey = page.evaluate(SURVEY)
    check(survey)
    assert survey["panel"] == "new" and page.evaluate("window.notReloaded") is True
    new = page.locator("[data-panel='new']")
    assert new.get_attribute("data-discipline") == "athletics-open"
    assert "Nouveau résultat" in new.inner_text() and "Athlétisme" in new.inner_text()
    teams = new.locator("[data-team]")
    assert [teams.nth(k).get_attribute("data-team") for k in range(teams.count())] == [
        "clairval",
        "montagne-noire",
        "lac-vert",
        "forge ponts-levis",
    ]
    # then the rotation starts again from the ranking, and the new result tops the latest results
    page.locator("#screen[data-showing='ranking:0']").wait_for(timeout=10_000)
    page.locator("#screen[data-showing='latest:0']").wait_for(timeout=10_000)
    assert page.evaluate(SURVEY)["rows"][0] == "athletics-open"
    assert page.evaluate("window.notReloaded") is True
    assert errors == []


@pytest.mark.browser
@pytest.mark.skipif(POSTGRES_URL is not None, reason="browser tests run once, on SQLite")
def test_at_1280_by_720_nothing_scrolls_and_the_ranking_pages(venue, browser):  # noqa: F811
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    page.goto(f"{venue.url}/editions/2026/screen?rotate=0.5")
    seen = watch(page, 30, full_turn, svg_text=False)
    assert full_turn(seen), sorted(seen)
    assert "ranking:1" in seen  # 12 schools do not fit at 720 px: two pages
    assert ranking_pages(seen) == venue.ranking()
    # the most crowded podium: three teams share the 1st place, two of them joint teams (held on screen)
    page.goto(f"{venue.url}/editions/2026/screen?rotate=600")
    page.locator("#screen[data-showing='ranking:0']").wait_for()
    venue.record("badminton-open", ["montagne-noire+brumeval", "=rocher", "=hautes-terres+lac-vert"])
    page.locator("#screen[data-showing='new:0']").wait_for(timeout=10_000)
    survey = page.evaluate(SURVEY)
    check(survey, svg_text=False)
    assert survey["panel"] == "new"
    assert page.locator("[data-panel='new'] [data-place='1'] [data-team]").count() == 3


@pytest.mark.browser
@pytest.mark.skipif(POSTGRES_URL is not None, reason="browser tests run once, on SQLite")
def test_screenshots_and_the_lost_server_banner(venue, browser, tmp_path):  # noqa: F811
    """docs/screen.png and docs/screen-result.png (CARTEL_SCREENSHOT_DIR=docs); the red banner comes and goes."""
    folder = screenshot_dir(tmp_path)
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    page.goto(f"{venue.url}/editions/2026/screen?rotate=600")
    page.locator("#screen[data-showing='ranking:0']").wait_for()
    page.screenshot(path=str(folder / "screen.png"))

    venue.record("athletics-open", ["clairval", "montagne-noire", "lac-vert"])
    page.locator("#screen[data-showing='new:0']").wait_for(timeout=10_000)
    page.wait_for_timeout(3_500)  # the flag's flashing is over
    check(page.evaluate(SURVEY))
    page.screenshot(path=str(folder / "screen-result.png"))

    lost = page.get_by_role("alert")
    assert lost.is_hidden()
    venue.stop()
    lost.wait_for(state="visible", timeout=10_000)
    assert "Connexion perdue" in lost.inner_text()
    check(page.evaluate(SURVEY))
    page.screenshot(path=str(folder / "screen-lost.png"))
    venue.start()  # the same port: the screen finds the server again by itself
    lost.wait_for(state="hidden", timeout=10_000)
