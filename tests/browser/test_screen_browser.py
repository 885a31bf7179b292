"""The venue's big screen in a real Chromium: at 1920×1080 and 1280×720 it never scrolls, its text is large,
it turns its panels, a result saved meanwhile appears without a reload, and a lost server shows a banner."""

from __future__ import annotations

import datetime as dt
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
from cartel.extensions import db
from cartel.models import AuditEntry, Edition, ProgrammeEntry, ResultState
from cartel.write.audit import Actor
from cartel.write.results import save_result
from tests.helpers import config_for, view_of

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
    db.session.commit()  # save_result only flushes: the caller owns the transaction


@pytest.fixture
def venue(template_database, tmp_path):
    """The app on a free port with a live edition of 12 schools and 6 results; polls every second.
    ``record()`` saves a result in its database, ``stop()`` and ``start()`` take it down and up again."""
    copy = tmp_path / "screen.sqlite3"
    shutil.copy(template_database, copy)
    config = {**config_for(f"sqlite:///{copy}"), "CARTEL_POLL_SECONDS": 1}
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


def test_at_1920_the_screen_turns_never_scrolls_and_shows_a_new_result_at_once(venue, browser):
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


def test_at_1280_by_720_nothing_scrolls_and_the_ranking_pages(venue, browser):
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


def test_screenshots_and_the_lost_server_banner(venue, browser, screenshot_dir):
    """docs/screen.png and docs/screen-result.png (CARTEL_SCREENSHOT_DIR=docs); the red banner comes and goes."""
    folder = screenshot_dir
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
