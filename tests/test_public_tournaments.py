"""What students see of the tournaments: the programme (in progress, next, latest, by sport or school) and
a discipline's page (places, pool tables with their tie-break notes, classification matches), each with an
ETag and a live region like the edition page."""

from __future__ import annotations

import datetime as dt

from cartel.core.tournament.presets import PRESETS
from cartel.core.tournament.rules import Side
from cartel.core.tournament.shapes import Shape
from cartel.core.tournament.sheet import Sheet
from cartel.core.tournament.spec import Spec
from cartel.extensions import db
from cartel.models import MatchState
from cartel.read.tournaments import tournament_of
from cartel.write.audit import Actor, bump_revisions
from cartel.write.tournaments import save_match, set_up
from cartel.write.unit import unit_of_work
from tests.helpers import entry_of, text


def play(live, code, home, away, state=MatchState.FINAL):
    entry = entry_of(live, live.hb)
    match = next(m for m in tournament_of(entry).matches if m.code == code)
    with unit_of_work():
        save_match(
            live.edition, entry, code, Sheet(Side(home), Side(away)), state, Actor(), expected_version=match.version
        )


def pools(live):
    with unit_of_work():
        set_up(
            live.edition,
            entry_of(live, live.hb),
            Spec(Shape.POOLS_THEN_BRACKETS, (("ales", "albi"), ("nancy", "douai")), advance=1),
            PRESETS["handball"],
            Actor(),
        )
    tournament = tournament_of(entry_of(live, live.hb))
    next(m for m in tournament.matches if m.code == "1-2").starts_at = dt.datetime(2026, 4, 17, 12, 0)
    db.session.commit()


def test_the_programme_shows_what_is_played_now_next_and_last(client, live):
    pools(live)
    play(live, "A-1.1", 25, 20)
    play(live, "B-1.1", 30, 30, state=MatchState.IN_PROGRESS)
    page = text(client.get("/editions/2026/programme?lang=en"))
    now, upcoming, done = page.index("In progress"), page.index("Next"), page.index("Latest results")
    assert now < page.index("Mines Nancy – IMT Nord Europe") < upcoming  # the live score
    assert upcoming < page.index("Fri 14:00") < done  # the final at 14:00 in Paris (12:00 UTC)
    assert done < page.index("IMT Mines Alès – IMT Mines Albi") and "25–20" in page
    only = text(client.get("/editions/2026/programme?lang=en&school=albi"))
    assert "IMT Mines Albi" in only and "Mines Nancy – IMT Nord Europe" not in only
    assert text(client.get("/editions/2026/programme?lang=en&school=nobody")).count("–") >= 2  # no filter


def test_a_discipline_page_has_its_pool_tables_matches_and_places(client, live):
    pools(live)
    play(live, "A-1.1", 25, 20)
    play(live, "B-1.1", 18, 21)
    page = text(client.get("/editions/2026/disciplines/handball-men?lang=en"))
    assert "Pool A" in page and "Pool B" in page and "Classification matches" in page
    assert "Final · IMT Mines Alès – IMT Nord Europe · to come" in page
    assert "Match for 3rd place · IMT Mines Albi – Mines Nancy" in page
    assert "No place is decided yet." in page
    assert client.get("/editions/2026/disciplines/football-women").status_code == 404  # no tournament
    edition = text(client.get("/editions/2026?lang=en"))
    assert "Programme of the matches · Handball (men)" in edition


def test_the_pages_answer_304_until_a_score_changes_them(client, live):
    pools(live)
    for url in ("/editions/2026/programme/live?lang=en", "/editions/2026/disciplines/handball-men/live?lang=en"):
        first = client.get(url)
        assert first.status_code == 200
        assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
        play(live, "A-1.1" if "programme" in url else "B-1.1", 25, 20)
        again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 200 and "25–20" in again.get_data(as_text=True)


def test_calendar_feeds_parse_and_follow_the_matches_as_a_calendar_client_would(client, live):
    import icalendar

    from cartel.models import Match
    from cartel.write import schedule

    pools(live)
    tournament = tournament_of(entry_of(live, live.hb))
    a = next(m for m in tournament.matches if m.code == "A-1.1")
    with unit_of_work():
        schedule.apply(
            live.edition,
            [schedule.Change(a.id, dt.datetime(2026, 4, 16, 8, 0), "Gymnase 1")],  # 10:00 in Paris
            Actor(),
        )
    url = "/editions/2026/calendar/schools/ales.ics?lang=en"
    first = client.get(url)
    assert first.status_code == 200 and first.mimetype == "text/calendar"
    feed = icalendar.Calendar.from_ical(first.data)
    assert [tz["TZID"] for tz in feed.walk("VTIMEZONE")] == ["Europe/Paris"]
    events = {str(e["UID"]): e for e in feed.walk("VEVENT")}
    # Alès's matches with a time: the pool match (the final has one too, its teams not known yet: not Alès's)
    assert list(events) == ["2026-handball-men-A-1.1@cartel"]
    event = events["2026-handball-men-A-1.1@cartel"]
    start = event.decoded("DTSTART")
    assert (start.hour, str(start.tzinfo)) == (10, "Europe/Paris") and str(event["LOCATION"]) == "Gymnase 1"
    assert int(event["SEQUENCE"]) == 1 and "IMT Mines Alès – IMT Mines Albi" in str(event["SUMMARY"])
    # a calendar client asks again with the ETag it holds: nothing changed, a 304
    assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    # the match moves, then is played: the same UID, a greater SEQUENCE, the score in its description
    with unit_of_work():
        schedule.apply(live.edition, [schedule.Change(a.id, dt.datetime(2026, 4, 16, 9, 0), "Gymnase 2")], Actor())
    play(live, "A-1.1", 25, 20)
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200
    moved = next(e for e in icalendar.Calendar.from_ical(again.data).walk("VEVENT"))
    assert str(moved["UID"]) == "2026-handball-men-A-1.1@cartel" and int(moved["SEQUENCE"]) == 2
    assert moved.decoded("DTSTART").hour == 11 and "25–20" in str(moved["DESCRIPTION"])
    discipline = icalendar.Calendar.from_ical(client.get("/editions/2026/calendar/disciplines/handball-men.ics").data)
    assert len(discipline.walk("VEVENT")) == 2  # the pool match and the final, which have a time
    assert client.get("/editions/2026/calendar/schools/nobody.ics").status_code == 404
    assert db.session.get(Match, a.id).sequence == 2


def test_a_school_s_day_and_the_school_a_visitor_chose(client, live, place):
    pools(live)
    play(live, "A-1.1", 25, 20)
    page = client.get("/editions/2026/schools/ales?lang=en")
    words = text(page)
    assert "IMT Mines Alès" in words and "points so far, rank" in words
    assert "Final" in words and "IMT Mines Alès – IMT Mines Albi" in words and "25–20" in words
    assert "Mines Nancy – IMT Nord Europe" not in words  # not Alès's match
    html = page.get_data(as_text=True)
    assert 'data-school="ales albi"' in html and "js/mine.js" in html
    chosen = client.get("/my-school/ales?next=/editions/2026")
    assert chosen.status_code == 302 and chosen.headers["Location"].endswith("/editions/2026")
    assert "cartel_school=ales" in chosen.headers["Set-Cookie"]
    assert "cartel_school=;" in client.get("/my-school/?next=/").headers["Set-Cookie"]  # forgotten
    assert client.get("/my-school/nobody").headers.get("Set-Cookie", "").startswith("cartel_school=;")
    assert client.get("/editions/2026/schools/nobody").status_code == 404
    # the ranking rows (once a result counts) say which school they are, for the script to mark the visitor's
    place(live.edition, live.swim, 1, live.ales)
    bump_revisions(live.edition.id)
    db.session.commit()
    assert '<tr data-school="ales"' in client.get("/editions/2026?lang=en").get_data(as_text=True)


def test_widgets_may_be_framed_by_the_sites_an_administrator_lists_and_nothing_else(admin, live):
    pools(live)
    plain = admin.get("/editions/2026")
    assert "frame-ancestors 'none'" in plain.headers["Content-Security-Policy"]
    assert plain.headers["X-Frame-Options"] == "DENY"
    widget = admin.get("/embed/editions/2026/ranking?lang=en")
    assert widget.status_code == 200 and "frame-ancestors 'self'" in widget.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in widget.headers
    refused = admin.post("/admin/embeds?lang=en", data={"origin": "javascript:alert(1)", "submission_id": "o0"})
    assert refused.status_code == 422 and "such as https://bds.example.org" in text(refused)
    added = admin.post("/admin/embeds", data={"origin": "https://BDS.example.org/", "submission_id": "o1"})
    assert added.status_code == 303
    widget = admin.get("/embed/editions/2026/programme?school=ales")
    assert "frame-ancestors 'self' https://bds.example.org;" in widget.headers["Content-Security-Policy"] + ";"
    assert "IMT Mines Alès – IMT Mines Albi" in text(widget)
    assert "frame-ancestors 'none'" in admin.get("/editions/2026/programme").headers["Content-Security-Policy"]
    trail = text(admin.get("/admin/audit?lang=en"))
    assert "Site allowed to frame the widgets: https://bds.example.org" in trail


def test_the_bracket_is_drawn_round_by_round_with_its_list_beside(client, live):
    import xml.etree.ElementTree as ET

    with unit_of_work():
        set_up(
            live.edition,
            entry_of(live, live.hb),
            Spec(Shape.KNOCKOUT, seeds=("ales", "albi", "nancy", "douai")),
            PRESETS["handball"],
            Actor(),
        )
    play(live, "1-4.1", 25, 20)
    html = client.get("/editions/2026/disciplines/handball-men?lang=en").get_data(as_text=True)
    svg = html[html.index("<svg") : html.index("</svg>") + 6]
    tree = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    boxes = {g.get("data-code"): g for g in tree.iter(f"{ns}g")}
    assert list(boxes) == ["1-4.1", "1-4.2", "1-2", "3-4"]
    words = ["".join(t.itertext()) for t in boxes["1-4.1"].iter(f"{ns}text")]
    assert words == ["Semi-final 1", "IMT Mines Alès", "25", "IMT Nord Europe", "20"]
    bold = [t.get("font-weight") for t in boxes["1-4.1"].iter(f"{ns}text")]
    assert bold[1:3] == ["700", "700"] and bold[3] is None  # the winner's line
    x = {code: float(g.find(f"{ns}rect").get("x")) for code, g in boxes.items()}
    assert x["1-4.1"] == x["1-4.2"] < x["1-2"] == x["3-4"]  # the semi-finals, then the final and 3rd place
    edges = [p.get("stroke-dasharray") for p in tree.iter(f"{ns}path")]
    assert edges.count("4 3") == 2 and edges.count(None) == 2  # the losers (dashed) to 3rd place
    assert "Final · IMT Mines Alès – — · to come" in text(client.get("/editions/2026/disciplines/handball-men?lang=en"))


def test_the_big_screen_shows_the_matches_pools_and_bracket_with_readable_distinct_colours(client, live, adjust):
    from cartel.core.colours import MIN_CONTRAST, MIN_DISTANCE, contrast, distance
    from cartel.web.public.views import SCREEN_BACKGROUND

    live.ales.colours, live.albi.colours = "#000000", "#1d3f8f"  # black; and a dark blue
    live.nancy.colours = "#1d3f90"  # all but Albi's
    adjust(live.edition, live.douai, -2, "Retard")
    db.session.commit()
    pools(live)
    play(live, "A-1.1", 25, 20)
    play(live, "B-1.1", 3, 3, state=MatchState.IN_PROGRESS)
    html = client.get("/editions/2026/screen/live?lang=en").get_data(as_text=True)
    for panel in ('data-panel="matches"', 'data-panel="pool-A"', 'data-panel="bracket"', "data-adjustments"):
        assert panel in html, panel
    assert "Penalties and bonuses:" in html
    import re

    bars = re.findall(r'<tr data-school="(\w+)"[^>]*data-bar="(#[0-9a-f]{6})"', html)
    swatches = dict(re.findall(r'<tr data-school="(\w+)".*?data-colour="(#[0-9a-f]{6})"', html, flags=re.S))
    assert swatches["ales"] == "#000000"  # the real colour, beside its bar
    colours = [c for _school, c in bars]
    assert colours and all(contrast(c, SCREEN_BACKGROUND) >= MIN_CONTRAST for c in colours)
    assert all(distance(a, b) >= MIN_DISTANCE for i, a in enumerate(colours) for b in colours[i + 1 :])


def test_the_programme_by_venue(client, live):
    from cartel.models import Venue

    pools(live)
    tournament = tournament_of(entry_of(live, live.hb))
    gym = Venue(edition_id=live.edition.id, name="Gymnase 1")
    db.session.add(gym)
    db.session.flush()
    next(m for m in tournament.matches if m.code == "B-1.1").venue_id = gym.id
    db.session.commit()
    page = client.get("/editions/2026/programme?lang=en&venue=Gymnase+1")
    words = text(page)
    assert "Mines Nancy – IMT Nord Europe" in words and "IMT Mines Alès – IMT Mines Albi" not in words
    assert '<option value="Gymnase 1" selected>' in page.get_data(as_text=True)
