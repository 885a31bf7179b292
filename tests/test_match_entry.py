"""Courtside entry of a tournament's matches: the list, a score in a few fields, a forfeit in one tap,
bad input said where it is with nothing saved, and a tie decided by the organiser."""

from __future__ import annotations

import re

import sqlalchemy as sa

from cartel.core.tournament.presets import PRESETS
from cartel.core.tournament.shapes import Shape
from cartel.core.tournament.spec import Spec
from cartel.extensions import db
from cartel.models import Match, MatchState, ResultState
from cartel.read.tournaments import read, tournament_of
from cartel.write.audit import Actor
from cartel.write.tournaments import set_up
from cartel.write.unit import unit_of_work
from tests.helpers import entry_of, places, text


def knockout(live, sport="handball"):
    with unit_of_work():
        set_up(
            live.edition,
            entry_of(live, live.hb),
            Spec(Shape.KNOCKOUT, seeds=("ales", "albi", "nancy", "douai")),
            PRESETS[sport],
            Actor(),
            preset=sport,
        )


def match(live, code: str) -> Match:
    db.session.expire_all()
    tournament = tournament_of(entry_of(live, live.hb))
    return db.session.scalar(sa.select(Match).filter_by(tournament_id=tournament.id, code=code))


def post_score(client, live, code, version=None, submission_id=None, **fields):
    version = match(live, code).version if version is None else version
    data = {"version": version, "submission_id": submission_id or f"sub-{code}-{version}", **fields}
    return client.post(f"/saisie/handball-men/match/{code}?lang=en", data=data)


def test_the_discipline_page_lists_its_matches_next_then_played(organiser, live):
    knockout(live)
    page = text(organiser.get("/saisie/handball-men?lang=en"))
    assert "Semi-final 1" in page and "IMT Mines Alès – IMT Nord Europe" in page
    assert "Final" in page and "— – —" in page  # its teams are not known yet
    assert "Place 1" not in page  # no podium form: places come from the matches


def test_a_score_is_two_numbers_and_a_tap(organiser, live):
    knockout(live)
    form = organiser.get("/saisie/handball-men/match/1-4.1?lang=en").get_data(as_text=True)
    assert 'inputmode="numeric"' in form and "autofocus" in form
    # the final button comes first: Enter in the score saves it as final
    assert form.index('value="final"') < form.index('value="in_progress"')
    response = post_score(organiser, live, "1-4.1", home="25", away="19", state="final")
    assert response.status_code == 303 and re.search(r"/saved/1$", response.headers["Location"])
    assert match(live, "1-4.1").state is MatchState.FINAL
    saved = text(organiser.get(response.headers["Location"] + "?lang=en"))
    assert "Saved: Semi-final 1, IMT Mines Alès – IMT Nord Europe: 25–19 (final)." in saved
    # the same post again (a retry after a lost answer) saves nothing more
    again = post_score(organiser, live, "1-4.1", version=0, submission_id="sub-1-4.1-0", home="25", away="19")
    assert again.status_code == 303 and match(live, "1-4.1").version == 1


def test_a_score_in_progress_then_final(organiser, live):
    knockout(live)
    post_score(organiser, live, "1-4.2", home="3", away="3", state="in_progress")
    assert match(live, "1-4.2").state is MatchState.IN_PROGRESS
    assert entry_of(live, live.hb).result_state is ResultState.IN_PROGRESS
    page = text(organiser.get("/saisie/handball-men?lang=en"))
    assert page.index("In progress") < page.index("Semi-final 2") < page.index("Next")
    post_score(organiser, live, "1-4.2", home="3", away="4")
    assert match(live, "1-4.2").state is MatchState.FINAL


def test_a_forfeit_is_one_tap(organiser, live):
    knockout(live)
    response = post_score(organiser, live, "1-4.1", forfeit="away")
    assert response.status_code == 303
    standing = read(tournament_of(entry_of(live, live.hb)))
    assert standing.resolution.slots["1-2"][0] == "ales"  # won on the fictitious 10-0
    assert standing.sheets["1-4.1"].forfeit == "away"


def test_bad_input_is_said_where_it_is_and_nothing_is_saved(organiser, live):
    knockout(live)
    cases = [
        ({"home": "-2", "away": "1"}, "IMT Mines Alès: A score is a whole number from 0 to 9999."),
        ({"home": "25"}, "IMT Nord Europe: Enter this score too (0 if none)."),
        ({"home": "abc", "away": "1"}, "IMT Mines Alès: Not a valid integer"),
        ({"home": "900", "away": "1"}, "This score is too high to be right"),
        ({"home": "20", "away": "20"}, "This match cannot end level"),
        ({"home": "20", "away": "20", "winner": "home", "finish": "sudden"}, "Not a valid choice"),
        ({}, "Enter the score (or a forfeit)"),
    ]
    for fields, message in cases:
        response = post_score(organiser, live, "1-4.1", **fields)
        assert response.status_code == 422, fields
        assert message in text(response), (fields, text(response)[:400])
    final = post_score(organiser, live, "1-2", home="2", away="1")
    assert final.status_code == 422 and "not known yet" in text(final)
    assert match(live, "1-4.1").version == 0 and match(live, "1-2").version == 0


def test_a_level_bracket_match_is_won_after_a_shoot_out(organiser, live):
    knockout(live)
    response = post_score(organiser, live, "1-4.1", home="20", away="20", winner="away", finish="shootout")
    assert response.status_code == 303
    assert read(tournament_of(entry_of(live, live.hb))).resolution.slots["1-2"][0] == "douai"


def test_a_correction_that_changes_the_bracket_is_refused_and_the_administrator_may_redraw(admin, live):
    knockout(live)
    for code in ("1-4.1", "1-4.2", "3-4", "1-2"):
        assert post_score(admin, live, code, home="2", away="1").status_code == 303
    refused = post_score(admin, live, "1-4.1", home="1", away="2")
    assert refused.status_code == 422
    assert "Final" in text(refused) and "Match for 3rd place" in text(refused)
    assert 'name="redraw"' in refused.get_data(as_text=True)  # offered to the administrator
    assert [p for p, _ in places(live, live.hb)] == [1, 2, 3, 4]
    again = post_score(admin, live, "1-4.1", home="1", away="2", redraw="y")
    assert again.status_code == 303 and places(live, live.hb) == []


def test_an_organiser_is_not_offered_the_redraw(organiser, live):
    knockout(live)
    for code in ("1-4.1", "1-4.2", "1-2"):
        post_score(organiser, live, code, home="2", away="1")
    refused = post_score(organiser, live, "1-4.1", home="1", away="2", redraw="y")
    assert refused.status_code == 422 and 'name="redraw"' not in refused.get_data(as_text=True)
    assert match(live, "1-2").state is MatchState.FINAL


def test_a_team_tie_is_entered_sub_match_by_sub_match(organiser, live):
    knockout(live, "badminton")
    form = organiser.get("/saisie/handball-men/match/1-4.1?lang=en").get_data(as_text=True)
    assert "Men&#39;s singles" in form and "Mixed doubles" in form
    bad = post_score(
        organiser, live, "1-4.1", **{"subs-0-sets": "21-15 x", "subs-1-sets": "", "subs-2-sets": "21-3 21-4"}
    )
    assert bad.status_code == 422 and "Write each set as 21-15" in text(bad)
    response = post_score(
        organiser,
        live,
        "1-4.1",
        **{"subs-0-sets": "21-15 21-18", "subs-1-given_up": "home", "subs-2-sets": "15-21 21-19 21-10"},
    )
    assert response.status_code == 303
    assert read(tournament_of(entry_of(live, live.hb))).resolution.slots["1-2"][0] == "ales"


def test_a_tie_is_decided_by_the_organiser_with_its_reason(organiser, live):
    with unit_of_work():
        set_up(
            live.edition,
            entry_of(live, live.hb),
            Spec(Shape.ROUND_ROBIN, seeds=("ales", "albi", "nancy")),
            PRESETS["handball"],
            Actor(),
        )
    for code in [m.code for m in tournament_of(entry_of(live, live.hb)).matches]:
        post_score(organiser, live, code, home="5", away="5")
    page = text(organiser.get("/saisie/handball-men?lang=en"))
    assert "Level on every criterion" in page
    form = organiser.get("/saisie/handball-men/tie/A?lang=en")
    assert form.status_code == 200
    refused = organiser.post(
        "/saisie/handball-men/tie/A?lang=en",
        data={
            "position_1": "nancy",
            "position_2": "nancy",
            "position_3": "ales",
            "reason": "lots",
            "submission_id": "d1",
        },
    )
    assert refused.status_code == 422
    done = organiser.post(
        "/saisie/handball-men/tie/A?lang=en",
        data={
            "position_1": "nancy",
            "position_2": "albi",
            "position_3": "ales",
            "reason": "lots",
            "submission_id": "d2",
        },
    )
    assert done.status_code == 303
    assert places(live, live.hb) == [(1, ("nancy",)), (2, ("albi",)), (3, ("ales",))]


def test_a_race_takes_each_team_s_time_and_the_final_follows_the_heats(organiser, live):
    with unit_of_work():
        set_up(
            live.edition,
            entry_of(live, live.hb),
            Spec(Shape.HEATS, pools=(("ales", "albi"), ("nancy", "douai")), advance=2),
            PRESETS["football"],
            Actor(),
        )
    heat = organiser.get("/saisie/handball-men/match/H1?lang=en").get_data(as_text=True)
    assert "Heat 1" in heat and 'name="time_ales"' in heat and 'inputmode="decimal"' in heat
    bad = post_score(organiser, live, "H1", time_ales="1:75.00", time_albi="61.5")
    assert bad.status_code == 422 and "Write a time as 1:02.35" in text(bad)
    assert post_score(organiser, live, "H1", time_ales="1:00.00", time_albi="61,5").status_code == 303
    assert post_score(organiser, live, "H2", time_nancy="59.9", time_douai="").status_code == 303
    page = text(organiser.get("/saisie/handball-men?lang=en"))
    assert "Mines Nancy 59.90, IMT Mines Alès 1:00.00" not in page  # heats show their own times
    assert "IMT Mines Alès 1:00.00, IMT Mines Albi 1:01.50" in page and "IMT Nord Europe —" in page
    final = organiser.get("/saisie/handball-men/match/F?lang=en").get_data(as_text=True)
    assert 'name="time_nancy"' in final and 'name="time_ales"' in final and "time_albi" not in final
    assert post_score(organiser, live, "F", time_nancy="58.00", time_ales="57.99").status_code == 303
    assert places(live, live.hb) == [(1, ("ales",)), (2, ("nancy",)), (3, ("albi",)), (4, ("douai",))]


def test_the_api_gives_a_race_s_lanes_and_times(organiser, live):
    from tests.helpers import check_api

    with unit_of_work():
        set_up(
            live.edition,
            entry_of(live, live.hb),
            Spec(Shape.HEATS, pools=(("ales", "albi"), ("nancy", "douai")), advance=2),
            PRESETS["football"],
            Actor(),
        )
    post_score(organiser, live, "H1", time_ales="1:00.00", time_albi="")
    body = check_api(organiser, "/api/editions/2026/tournaments/handball-men")
    heat = next(m for m in body["matches"] if m["code"] == "H1")
    assert heat["stage"] == "heat" and heat["lanes"] == [["ales"], ["albi"]] and heat["score"] is None
    assert heat["times"] == [{"schools": ["ales"], "time": 6000}, {"schools": ["albi"], "time": None}]
    assert next(m for m in body["matches"] if m["code"] == "F")["lanes"] == []


def test_a_venue_s_link_enters_the_matches_played_there_and_no_other(admin, live, app):
    from cartel.models import Venue

    knockout(live)
    gym = Venue(edition_id=live.edition.id, name="Gymnase 1")
    db.session.add(gym)
    db.session.flush()
    match(live, "1-4.1").venue_id = gym.id
    db.session.commit()
    sheet = admin.post(
        "/admin/editions/2026/schedule/links?lang=en", data={"label": "Table", "hours": "12", "submission_id": "v1"}
    )
    assert sheet.status_code == 200 and "<h1>Matches at Gymnase 1</h1>" in sheet.get_data(as_text=True)
    token = re.search(r"/e/([A-Za-z0-9_-]+)", sheet.get_data(as_text=True)).group(1)
    holder = app.test_client()
    assert holder.get(f"/e/{token}").headers["Location"].endswith("/saisie/lieu")
    page = text(holder.get("/saisie/lieu?lang=en"))
    assert "Semi-final 1" in page and "Semi-final 2" not in page
    assert post_score(holder, live, "1-4.1", home="3", away="1").status_code == 303
    assert post_score(holder, live, "1-4.2", home="3", away="1").status_code == 403  # another venue's
    assert holder.get("/saisie/handball-men").status_code == 403
    assert "Saved: Semi-final 1, IMT Mines Alès – IMT Nord Europe: 3–1 (final)." in text(
        holder.get("/saisie/handball-men/match/1-4.1/saved/1?lang=en")
    )
    trail = text(admin.get("/admin/audit?lang=en"))
    assert "Entry link created for Matches at Gymnase 1 (Table)" in trail


def test_a_tournament_s_history_shows_its_places_but_offers_no_restore(organiser, live):
    from cartel.models import AuditEntry

    knockout(live)
    for code in ("1-4.1", "1-4.2", "3-4"):
        post_score(organiser, live, code, home="2", away="1")
    history = organiser.get("/saisie/handball-men/history?lang=en")
    assert "IMT Nord Europe" in text(history) and "Restore this version" not in text(history)
    line = db.session.scalar(sa.select(AuditEntry).filter_by(action="result.match").order_by(AuditEntry.id.desc()))
    restored = organiser.post(
        f"/saisie/handball-men/restore/{line.id}?lang=en",
        data={"side": "after", "version": entry_of(live, live.hb).version, "submission_id": "r1"},
        follow_redirects=True,
    )
    assert "played as a tournament: its places come from its matches" in text(restored)


def test_what_review_found_on_a_phone_stays_fixed(organiser, live):
    knockout(live)
    # matches whose teams wait on others come after those that can be played
    page = text(organiser.get("/saisie/handball-men?lang=en"))
    assert page.index("Semi-final 2") < page.index("Final")
    # a level bracket match refused opens the choice of its winner
    level = post_score(organiser, live, "1-4.1", home="2", away="2").get_data(as_text=True)
    assert '<details class="more" id="winner" open>' in level
    # a forfeit reopened says so, with the team's name, in the list too
    post_score(organiser, live, "1-4.1", forfeit="away")
    reopened = text(organiser.get("/saisie/handball-men/match/1-4.1?lang=en"))
    assert "Recorded as a forfeit: IMT Nord Europe did not play." in reopened
    assert "IMT Nord Europe did not play (forfeit)" in text(organiser.get("/saisie/handball-men?lang=en"))
    # a shoot-out's winner is named
    post_score(organiser, live, "1-4.2", home="1", away="1", winner="away", finish="shootout")
    assert "1–1, Mines Nancy won the shoot-out" in text(organiser.get("/saisie/handball-men?lang=en"))


def test_the_scores_history_says_who_entered_what_and_puts_a_score_back(organiser, live):
    from cartel.models import AuditEntry

    knockout(live)
    post_score(organiser, live, "1-4.1", home="20", away="10")
    post_score(organiser, live, "1-4.1", home="21", away="10")  # a correction
    page = organiser.get("/saisie/handball-men/matches/history?lang=en")
    words = text(page)
    assert "Semi-final 1 saved: Handball (men), 2026 edition — IMT Mines Alès v IMT Nord Europe, 21–10 (final)" in words
    assert "Before: IMT Mines Alès v IMT Nord Europe, 20–10 (final)" in words and "orga@example.org" in words
    correction = db.session.scalar(
        sa.select(AuditEntry).filter_by(action="match.save").order_by(AuditEntry.id.desc()).limit(1)
    )
    put_back = organiser.post(
        f"/saisie/handball-men/match/1-4.1/restore/{correction.id}?lang=en",
        data={"version": match(live, "1-4.1").version, "submission_id": "back-1"},
    )
    assert put_back.status_code == 303
    assert read(tournament_of(entry_of(live, live.hb))).sheets["1-4.1"].home.score == 20
    # a stale page (the version it showed) puts nothing back
    stale = organiser.post(
        f"/saisie/handball-men/match/1-4.1/restore/{correction.id}?lang=en",
        data={"version": 0, "submission_id": "back-2"},
        follow_redirects=True,
    )
    assert "changed since the history was shown" in text(stale)
    assert read(tournament_of(entry_of(live, live.hb))).sheets["1-4.1"].home.score == 20


def test_a_sub_match_field_slipped_into_a_plain_match_does_not_let_an_empty_side_through(organiser, live):
    knockout(live)
    crafted = post_score(organiser, live, "1-4.1", home="25", **{"subs-0-sets": "21-15"})
    assert crafted.status_code == 422 and "Enter this score too" in text(crafted)
    assert match(live, "1-4.1").version == 0
