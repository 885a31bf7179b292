"""A student follows a school's day on a phone (360 × 740) in a real Chromium: the school chosen once is
marked on the pages, and a score saved meanwhile appears without reloading."""

from __future__ import annotations

import pytest

from cartel.extensions import db
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
        edition = Edition(year=2027, number=52, status=EditionStatus.LIVE)
        edition.participations = [Participation(school=s) for s in schools]
        edition.programme = [ProgrammeEntry(discipline=hb, version=0)]
        edition.scheme = PointsScheme(place_points=[10, 6, 4, 2], tie_rule="shared", tie_breaks=[1, 2, 3])
        db.session.add_all([*schools, edition])
        db.session.commit()
        spec = Spec(Shape.POOLS_THEN_BRACKETS, (("ales", "albi"), ("nancy", "douai")), advance=1)
        with unit_of_work():
            set_up(edition, edition.programme[0], spec, PRESETS["handball"], Actor())
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
        entry = edition.programme[0]
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


def test_a_student_follows_a_school_s_day_and_sees_a_score_arrive_without_reloading(follow_server, browser):
    server = follow_server.url
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="fr-FR", has_touch=True)
    page = context.new_page()
    page.goto(f"{server}/editions/2027/schools/ales")
    page.get_by_role("link", name="C'est mon école : la mettre en évidence partout").click()
    page.wait_for_url("**/editions/2027/schools/ales")
    assert "mine" in (page.locator("h1").get_attribute("class") or "")  # marked: the visitor's school
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.evaluate("window.__notReloaded = true")
    save(follow_server.app, "A-1.1", 25, 20)
    page.locator("#live li", has_text="25–20").first.wait_for(timeout=10_000)  # the page polls every second
    assert page.evaluate("window.__notReloaded") is True
    # the match now in the results is marked as the school's too
    assert page.locator("#live li.mine").count() >= 1
    page.goto(f"{server}/editions/2027")
    assert "mine" in (page.locator("tr[data-school='ales']").get_attribute("class") or "")
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
        listed.shutdown()
        other.shutdown()
