"""A student follows a school's day on a phone (360 × 740) in a real Chromium: the school chosen once is
marked on the pages, and a score saved meanwhile appears without reloading."""

from __future__ import annotations

import pytest

from cartel.extensions import db
from cartel.words.typography import french
from tests.helpers import browser_app, serving

SCHOOLS = [
    ("ales", "IMT Mines Alès"),
    ("albi", "IMT Mines Albi"),
    ("nancy", "Mines Nancy"),
    ("douai", "IMT Nord Europe"),
]


@pytest.fixture
def follow_server(template_database, tmp_path):
    app = browser_app(template_database, tmp_path, CARTEL_POLL_SECONDS=1)
    with app.app_context():
        from cartel.core.tournament.presets import PRESETS
        from cartel.core.tournament.shapes import Shape
        from cartel.core.tournament.spec import Spec
        from cartel.models import (
            Category,
            Discipline,
            Edition,
            EditionStatus,
            Participation,
            PointsScheme,
            ProgrammeEntry,
            School,
            Sport,
        )
        from cartel.write.audit import Actor
        from cartel.write.tournaments import set_up
        from cartel.write.unit import unit_of_work

        schools = [School(slug=s, name=n, short_name=n[-6:], country="FR") for s, n in SCHOOLS]
        sport = Sport(slug="handball", name_fr="Handball", name_en="Handball")
        hb = Discipline(slug="handball-men", sport=sport, category=Category.MEN)
        foot = Sport(slug="football", name_fr="Football", name_en="Football")
        fb = Discipline(slug="football-women", sport=foot, category=Category.WOMEN)
        edition = Edition(year=2027, number=52, status=EditionStatus.LIVE)
        edition.participations = [Participation(school=s) for s in schools]
        edition.programme = [ProgrammeEntry(discipline=hb, version=0), ProgrammeEntry(discipline=fb, version=0)]
        edition.scheme = PointsScheme(place_points=[10, 6, 4, 2], tie_rule="shared", tie_breaks=[1, 2, 3])
        db.session.add_all([*schools, edition])
        db.session.commit()
        spec = Spec(Shape.POOLS_THEN_BRACKETS, (("ales", "albi"), ("nancy", "douai")), advance=1)
        with unit_of_work():
            set_up(edition, edition.programme[0], spec, PRESETS["handball"], Actor())  # handball (men)
        db.session.remove()
    yield from serving(app)


def save(app, code: str, home: int, away: int) -> None:
    from cartel.core.tournament.rules import Side
    from cartel.core.tournament.sheet import Sheet
    from cartel.models import Edition, MatchState
    from cartel.read.tournaments import tournament_of
    from cartel.write.audit import Actor
    from cartel.write.tournaments import save_match
    from cartel.write.unit import unit_of_work

    with app.app_context():
        edition = db.session.query(Edition).filter_by(year=2027).one()
        entry = next(e for e in edition.programme if e.discipline.slug == "handball-men")
        match = next(m for m in tournament_of(entry).matches if m.code == code)
        with unit_of_work():
            save_match(
                edition,
                entry,
                code,
                Sheet(Side(home), Side(away)),
                MatchState.FINAL,
                Actor(),
                expected_version=match.version,
            )
        db.session.remove()


def podium(app, order: list[str]) -> None:
    """A football (women) result entered directly, as the podium form does."""
    from cartel.core import podium as rows
    from cartel.models import Edition, ResultState
    from cartel.write.audit import Actor
    from cartel.write.results import save_result
    from cartel.write.unit import unit_of_work

    with app.app_context():
        edition = db.session.query(Edition).filter_by(year=2027).one()
        entry = next(e for e in edition.programme if e.discipline.slug == "football-women")
        teams = [rows.Team(k, (slug,)) for k, slug in enumerate(order, start=1)]
        with unit_of_work():
            save_result(
                edition, entry, teams, ResultState.FINAL, Actor(), expected_version=entry.version, submission_key=None
            )
        db.session.remove()


def test_a_student_follows_a_school_s_day_and_sees_a_score_arrive_without_reloading(follow_server, browser):
    server = follow_server.url
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="fr-FR", has_touch=True)
    page = context.new_page()
    page.goto(f"{server}/editions/2027/schools/ales")
    page.get_by_role("link", name=french("C'est mon école : la mettre en évidence partout")).click()
    page.wait_for_url("**/editions/2027/schools/ales")
    assert "mine" in (page.locator("h1").get_attribute("class") or "")  # marked: the visitor's school
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.evaluate("window.__notReloaded = true")
    save(follow_server.app, "A-1.1", 25, 20)
    page.locator("#live li", has_text="25–20").first.wait_for(timeout=10_000)  # the page polls every second
    assert page.evaluate("window.__notReloaded") is True
    # the match now in the results is marked as the school's too
    assert page.locator("#live li.mine").count() >= 1
    page.goto(f"{server}/editions/2027/programme")  # and on other pages: the match in the programme
    assert page.locator("[data-school~='ales'].mine").count() >= 1
    context.close()


def site(html: str):
    """Another site: a page of its own on a free port of 127.0.0.1 (its origin differs by the port)."""
    import http.server
    import threading

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = html.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_the_ranking_widget_is_framed_by_a_listed_site_and_refused_by_another(follow_server, browser):
    from cartel.write.audit import Actor
    from cartel.write.embeds import add_origin
    from cartel.write.unit import unit_of_work

    podium(follow_server.app, ["douai", "albi"])  # a ranking to show: none before the first result
    widget = f"{follow_server.url}/embed/editions/2027/ranking"
    frame = f'<iframe src="{widget}" width="360" height="400" title="Cartel"></iframe>'
    listed, other = site(frame), site(frame)
    try:
        with follow_server.app.app_context():
            with unit_of_work():
                add_origin(f"http://127.0.0.1:{listed.server_port}", Actor())
            db.session.remove()
        context = browser.new_context(viewport={"width": 1920, "height": 1080})
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{listed.server_port}/")
        framed = page.frame_locator("iframe")
        framed.locator("table.ranking").wait_for(timeout=5_000)
        assert "IMT Mines Alès" in framed.locator("table.ranking").inner_text()
        page.goto(f"http://127.0.0.1:{other.server_port}/")
        page.wait_for_timeout(1_000)
        inner = page.frames[1]
        assert inner.url.startswith("chrome-error://"), inner.url  # refused: the browser shows its error page
        context.close()
    finally:
        for server in (listed, other):
            server.shutdown()
            server.server_close()


def test_the_big_screen_cycles_through_every_panel_while_results_arrive_every_3_s(follow_server, browser):
    import threading
    import time

    from cartel.core.colours import MIN_CONTRAST, contrast
    from cartel.web.public.views import SCREEN_BACKGROUND

    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    context.add_cookies([{"name": "cartel_school", "value": "ales", "url": follow_server.url}])  # my school
    page = context.new_page()
    # turns of 2 s: a new result is held 4 s, longer than the 3 s between results
    page.goto(f"{follow_server.url}/editions/2027/screen?rotate=2")
    page.locator("#screen[data-showing='ranking:0']").wait_for()
    done = threading.Event()

    save(follow_server.app, "A-1.1", 25, 20)  # the pools, before the screen is watched
    save(follow_server.app, "B-1.1", 30, 28)

    def results():  # a new result every 3 s, as on a busy afternoon
        for step in ("1-2", "football", "3-4", "football again"):
            if done.wait(3):
                return
            if step.startswith("football"):
                podium(follow_server.app, ["douai", "albi"] if step == "football" else ["albi", "douai"])
            else:
                save(follow_server.app, step, 22, 21)

    feeder = threading.Thread(target=results)
    feeder.start()
    shown = []

    def watch(seconds: float, until=lambda: False) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end and not until():
            showing = page.locator("#screen").get_attribute("data-showing") or ""
            if not shown or shown[-1] != showing:
                shown.append(showing)
            page.wait_for_timeout(100)

    def panels() -> set[str]:
        return set(page.locator("[data-panel]").evaluate_all("els => els.map(e => e.dataset.panel)"))

    try:
        watch(13)
    finally:
        done.set()
        feeder.join()
    busy = list(shown)
    # then one more rotation at most: the panels the last results brought come round too
    watch(40, until=lambda: panels() - {"new"} <= {s.split(":")[0] for s in shown})
    panels = panels()
    seen = {s.split(":")[0] for s in shown}
    assert panels - {"new"} <= seen, (panels, shown)  # every panel of the rotation was shown
    assert "new" in seen and "matches" in seen and any(p.startswith("pool-") for p in seen)
    # while results kept coming, the ranking came back after the first interruption (it used to wait for a lull)
    first = next(k for k, name in enumerate(busy) if name.startswith("new"))
    assert any(name.startswith("ranking") for name in busy[first:]), busy
    # after each new result, the ranking again; never two interruptions in a row
    for k, name in enumerate(shown[:-1]):
        if name.startswith("new"):
            assert shown[k + 1].startswith("ranking"), shown
    assert "mine" in (page.locator("tr[data-school='ales']").first.get_attribute("class") or "")  # marked there too
    # every bar readable on the dark screen
    bars = page.locator("tr[data-bar]").evaluate_all("els => els.map(e => e.dataset.bar)")
    assert bars and all(contrast(c, SCREEN_BACKGROUND) >= MIN_CONTRAST for c in bars)
    context.close()
