"""A discipline played as a tournament: set up, matches saved through the write path, places flowing into
its result, corrections that would re-seed a bracket refused, the organiser's decisions on ties."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from cartel.core.tournament.matches import Finish
from cartel.core.tournament.presets import PRESETS
from cartel.core.tournament.rules import Side
from cartel.core.tournament.shapes import Shape
from cartel.core.tournament.sheet import Sheet
from cartel.core.tournament.spec import Spec
from cartel.core.tournament.ties import SubMatch
from cartel.extensions import db
from cartel.models import AuditEntry, Match, MatchState, ResultState
from cartel.read.tournaments import read, tournament_of
from cartel.write.audit import Actor
from cartel.write.results import ValidationFailed, VersionConflict, save_result
from cartel.write.tournaments import TournamentRefused, decide, save_match, set_up
from cartel.write.unit import unit_of_work
from tests.helpers import entry_of, places

ADMIN = Actor()
HANDBALL = PRESETS["handball"]


def score(home: int, away: int, **more) -> Sheet:
    return Sheet(Side(home), Side(away), **more)


def setup(live, spec: Spec, rules=HANDBALL, preset="handball"):
    with unit_of_work():
        set_up(live.edition, entry_of(live, live.hb), spec, rules, ADMIN, preset=preset)
    return tournament_of(entry_of(live, live.hb))


def play(live, code: str, sheet: Sheet | None, state=MatchState.FINAL, key=None, **kwargs):
    entry = entry_of(live, live.hb)
    match = db.session.scalar(sa.select(Match).filter_by(tournament_id=tournament_of(entry).id, code=code))
    with unit_of_work():
        return save_match(
            live.edition, entry, code, sheet, state, ADMIN, expected_version=match.version, submission_key=key, **kwargs
        )


def knockout(live):
    return setup(live, Spec(Shape.KNOCKOUT, seeds=("ales", "albi", "nancy", "douai")))


def test_a_round_robin_gives_its_places_once_its_last_match_is_final(live):
    tournament = setup(live, Spec(Shape.ROUND_ROBIN, seeds=("ales", "albi", "nancy", "douai")))
    codes = [m.code for m in tournament.matches]
    assert len(codes) == 6
    for k, code in enumerate(codes[:-1]):
        play(live, code, score(20 + k, 10))
        assert entry_of(live, live.hb).result_state is ResultState.IN_PROGRESS and places(live, live.hb) == []
    play(live, codes[-1], score(15, 15))  # a pool match may end level
    entry = entry_of(live, live.hb)
    assert entry.result_state is ResultState.FINAL
    assert [p for p, _ in places(live, live.hb)] == [1, 2, 3, 4]
    line = db.session.scalars(sa.select(AuditEntry).filter_by(action="result.match").order_by(AuditEntry.id)).all()[-1]
    assert line.after["cause"] == codes[-1]  # the audit trail says which match gave the places


def test_a_semi_final_loser_has_no_place_until_the_match_for_third_is_played(live):
    knockout(live)
    play(live, "1-4.1", score(20, 10))  # ales beat douai
    play(live, "1-4.2", score(18, 19))  # nancy beat albi
    assert places(live, live.hb) == []
    play(live, "3-4", score(25, 24))  # douai 3rd, albi 4th
    assert places(live, live.hb) == [(3, ("douai",)), (4, ("albi",))]
    assert entry_of(live, live.hb).result_state is ResultState.PROVISIONAL
    play(live, "1-2", score(30, 30, winner="away", finish=Finish.SHOOTOUT))
    assert places(live, live.hb) == [(1, ("nancy",)), (2, ("ales",)), (3, ("douai",)), (4, ("albi",))]
    assert entry_of(live, live.hb).result_state is ResultState.FINAL
    assert entry_of(live, live.hb).corrected_at is None  # places added one by one correct nothing


@pytest.mark.parametrize(
    ("code", "sheet", "problem"),
    [
        ("1-4.1", score(-1, 3), "negative"),
        ("1-4.1", score(500, 3), "absurd"),
        ("1-4.1", score(3, 3), "draw_not_allowed"),  # a bracket match always has a winner
        ("1-2", score(3, 1), "teams_unknown"),  # its teams come from the semi-finals, not played
        ("1-4.1", None, "no_score"),
        ("9-9", score(1, 0), "unknown_match"),
    ],
)
def test_bad_scores_are_refused_and_nothing_is_saved(live, code, sheet, problem):
    tournament = knockout(live)
    before = {m.code: m.version for m in tournament.matches}
    entry = entry_of(live, live.hb)
    with pytest.raises(TournamentRefused) as refused, unit_of_work():
        save_match(live.edition, entry, code, sheet, MatchState.FINAL, ADMIN, expected_version=0)
    assert problem in [c for c, _ in refused.value.problems]
    db.session.expire_all()
    assert {m.code: m.version for m in tournament_of(entry).matches} == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).filter_by(action="match.save")) == 0


def test_a_correction_that_would_change_a_bracket_already_played_is_refused_naming_it(live):
    knockout(live)
    play(live, "1-4.1", score(20, 10))
    play(live, "1-4.2", score(20, 10))
    play(live, "1-2", score(20, 10))
    play(live, "3-4", score(20, 10))
    assert [p for p, _ in places(live, live.hb)] == [1, 2, 3, 4]
    with pytest.raises(TournamentRefused) as refused:
        play(live, "1-4.1", score(10, 20))  # douai won that semi-final, in fact
    assert refused.value.problems == [("changes_bracket", "1-2, 3-4")]
    assert [p for p, _ in places(live, live.hb)] == [1, 2, 3, 4]  # nothing changed
    # the administrator re-draws: the two matches are emptied in the same change, their places withdrawn
    play(live, "1-4.1", score(10, 20), redraw=True)
    entry = entry_of(live, live.hb)
    standing = read(tournament_of(entry))
    assert standing.matches["1-2"].state is MatchState.SCHEDULED and standing.matches["1-2"].result is None
    assert standing.resolution.slots["1-2"] == ("douai", "albi")
    assert places(live, live.hb) == [] and entry.result_state is ResultState.IN_PROGRESS
    assert entry.corrected_at is not None  # places given, then withdrawn: a correction
    line = db.session.scalars(sa.select(AuditEntry).filter_by(action="match.save").order_by(AuditEntry.id)).all()[-1]
    assert line.after["emptied"] == ["1-2", "3-4"]


def test_a_score_saved_twice_applies_once_and_a_stale_version_is_a_conflict(live):
    knockout(live)
    first = play(live, "1-4.1", score(20, 10), key="k1")
    entry = entry_of(live, live.hb)
    with unit_of_work():
        again = save_match(
            live.edition,
            entry,
            "1-4.1",
            score(20, 10),
            MatchState.FINAL,
            ADMIN,
            expected_version=0,
            submission_key="k1",
        )
    assert again.duplicate and again.version == first.version == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).filter_by(action="match.save")) == 1
    with pytest.raises(VersionConflict) as conflict, unit_of_work():
        save_match(live.edition, entry, "1-4.1", score(21, 10), MatchState.FINAL, ADMIN, expected_version=0)
    assert conflict.value.current_version == 1


def test_places_of_a_tournament_cannot_be_entered_directly(live):
    knockout(live)
    from cartel.core import podium

    entry = entry_of(live, live.hb)
    with pytest.raises(ValidationFailed) as failed, unit_of_work():
        save_result(
            live.edition,
            entry,
            [podium.Team(1, ("ales",))],
            ResultState.FINAL,
            ADMIN,
            expected_version=entry.version,
            submission_key=None,
        )
    assert [p.code for p in failed.value.problems] == ["has_tournament"]


def test_a_tie_the_rules_cannot_split_waits_for_the_organisers_decision(live):
    setup(live, Spec(Shape.ROUND_ROBIN, seeds=("ales", "albi", "nancy")))
    entry = entry_of(live, live.hb)
    for code in [m.code for m in tournament_of(entry).matches]:
        play(live, code, score(20, 20))  # three draws: level on everything
    standing = read(tournament_of(entry_of(live, live.hb)))
    [tie] = standing.resolution.undecided
    assert tie.teams == {"ales", "albi", "nancy"} and places(live, live.hb) == []
    with pytest.raises(TournamentRefused), unit_of_work():
        decide(live.edition, entry, "A", ["nancy", "ales", "albi"], "  ", ADMIN)
    with unit_of_work():
        decide(live.edition, entry, "A", ["nancy", "ales", "albi"], "Shoot-out: 3-2, 2-1", ADMIN)
    assert places(live, live.hb) == [(1, ("nancy",)), (2, ("ales",)), (3, ("albi",))]
    assert entry_of(live, live.hb).result_state is ResultState.FINAL


def test_a_team_tie_is_won_by_most_sub_matches_and_a_missing_player_loses_one(live):
    setup(live, Spec(Shape.KNOCKOUT, seeds=("ales", "albi")), PRESETS["badminton"], "badminton")
    tie = Sheet(
        subs=(
            SubMatch(((21, 15), (21, 18))),
            SubMatch(given_up="home"),  # Alès has no woman: women's singles lost 21-0 21-0
            SubMatch(((15, 21), (21, 19), (21, 10))),
        )
    )
    play(live, "1-2", tie)
    assert places(live, live.hb) == [(1, ("ales",)), (2, ("albi",))]
    with pytest.raises(TournamentRefused) as refused:
        play(live, "1-2", Sheet(subs=(SubMatch(((21, 21),)), SubMatch(), SubMatch(((21, 3), (21, 4))))))
    assert refused.value.problems == [("no_winner", "1"), ("no_sets", "2")]


def test_a_tournament_needs_the_edition_s_schools_once_each(live, make_school):
    stranger = make_school("stranger")
    entry = entry_of(live, live.hb)
    with pytest.raises(TournamentRefused) as refused, unit_of_work():
        set_up(live.edition, entry, Spec(Shape.KNOCKOUT, seeds=("ales", "ales+albi", stranger.slug)), HANDBALL, ADMIN)
    assert ("school_twice", "ales") in refused.value.problems
    assert ("not_participant", "stranger") in refused.value.problems
    assert tournament_of(entry) is None


def test_the_audit_trail_tells_the_tournament_in_sentences(admin, live):
    from tests.test_audit_words import told

    knockout(live)
    play(live, "1-4.1", score(20, 10))
    play(live, "1-4.2", score(18, 19))
    play(live, "3-4", score(25, 24))
    setup_decision = "Tournament set up: Handball (men), 2026 edition — Knockout, every place played, 4 matches"
    page = "\n".join(told(admin.get("/admin/audit?lang=en")))
    for sentence in [
        setup_decision,
        "Semi-final 1 saved: Handball (men), 2026 edition — IMT Mines Alès v IMT Nord Europe, 20–10 (final) Before: —",
        "Match for 3rd place saved: Handball (men), 2026 edition — IMT Nord Europe v IMT Mines Albi, 25–24 (final)",
        "Places from Match for 3rd place: Handball (men), 2026 edition — 3rd IMT Nord Europe, 4th IMT Mines Albi "
        "(provisional)",
    ]:
        assert sentence in page, sentence
    assert "Other change" not in page


def test_the_api_gives_pool_tables_with_the_tie_break_that_decided(client, live):
    from tests.helpers import check_api

    setup(live, Spec(Shape.ROUND_ROBIN, seeds=("ales", "albi", "nancy")))
    codes = [m.code for m in tournament_of(entry_of(live, live.hb)).matches]
    # each wins once, by 1, 2 and 3 goals: level on points, split by the score difference
    for k, code in enumerate(codes):
        play(live, code, score(20 + k + 1, 20))
    body = check_api(client, "/api/editions/2026/tournaments/handball-men")
    [pool] = body["pools"]
    assert pool["complete"] and [row["points"] for row in pool["rows"]] == [3 + 1, 3 + 1, 3 + 1]  # 3-2-1-0
    assert [row["rank"] for row in pool["rows"]] == [1, 2, 3]
    assert pool["tiebreaks"][0]["criterion"] == "score_difference"
    assert [p["place"] for p in body["places"]] == [1, 2, 3] and body["finished"]


def test_the_edition_workbook_holds_the_matches_and_the_pool_tables(client, live):
    import io

    import openpyxl

    setup(live, Spec(Shape.POOLS_THEN_BRACKETS, (("ales", "albi"), ("nancy", "douai")), advance=1))
    play(live, "A-1.1", score(25, 20))
    play(live, "B-1.1", score(18, 21))
    wb = openpyxl.load_workbook(io.BytesIO(client.get("/editions/2026/export.xlsx?lang=en").data))
    assert wb.sheetnames[-2:] == ["Matches", "Pools"]
    rows = list(wb["Matches"].iter_rows(values_only=True))
    header = rows.index(next(r for r in rows if r[0] == "Discipline"))
    matches = {r[1]: r for r in rows[header + 1 :]}
    assert matches["Pool A, round 1"][2:6] == ("IMT Mines Alès", "IMT Mines Albi", "25–20", "final")
    assert matches["Final"][2:6] == ("IMT Mines Alès", "IMT Nord Europe", None, "to come")
    pools = [r for r in wb["Pools"].iter_rows(values_only=True) if r[0] == "Handball (men)"]
    assert [(r[1], r[2], r[3], r[11]) for r in pools] == [
        ("A", 1, "IMT Mines Alès", 3),
        ("A", 2, "IMT Mines Albi", 1),
        ("B", 1, "IMT Nord Europe", 3),
        ("B", 2, "Mines Nancy", 1),
    ]


def race(**times) -> Sheet:
    return Sheet(times=tuple(times.items()))


def test_heats_then_a_final_give_places_from_the_final_then_the_heats(live):
    tournament = setup(live, Spec(Shape.HEATS, pools=(("ales", "albi"), ("nancy", "douai")), advance=2))
    assert [m.code for m in tournament.matches] == ["H1", "H2", "F"]
    play(live, "H1", race(ales=6000, albi=6100))
    with pytest.raises(TournamentRefused) as refused:
        play(live, "F", race(ales=5800, nancy=5850))  # the final's lanes are not known before every heat
    assert refused.value.problems == [("teams_unknown", "F")]
    play(live, "H2", race(nancy=5900, douai=None))  # IMT Nord Europe did not finish
    assert read(tournament_of(entry_of(live, live.hb))).lanes["F"] == ("nancy", "ales")
    assert places(live, live.hb) == [(3, ("albi",)), (4, ("douai",))]  # certain once the heats are swum
    with pytest.raises(TournamentRefused) as refused:
        play(live, "F", race(ales=5800, albi=5850))
    assert refused.value.problems == [("lanes_mismatch", "albi, nancy")]
    play(live, "F", race(ales=5800, nancy=5850))
    assert places(live, live.hb) == [(1, ("ales",)), (2, ("nancy",)), (3, ("albi",)), (4, ("douai",))]
    assert entry_of(live, live.hb).result_state is ResultState.FINAL
    with pytest.raises(TournamentRefused) as refused:
        play(live, "H1", race(ales=6300, albi=5000))  # Albi would swim the final in Alès's place
    assert refused.value.problems == [("changes_bracket", "F")]


def test_equal_heat_times_at_the_cut_off_wait_for_the_organiser(live):
    setup(live, Spec(Shape.HEATS, pools=(("ales", "albi"), ("nancy", "douai")), advance=2))
    play(live, "H1", race(ales=6000, albi=6000))
    play(live, "H2", race(nancy=5900, douai=6500))
    standing = read(tournament_of(entry_of(live, live.hb)))
    assert standing.lanes["F"] == () and [set(u.teams) for u in standing.resolution.undecided] == [{"ales", "albi"}]
    assert places(live, live.hb) == [(4, ("douai",))]
    with unit_of_work():
        decide(live.edition, entry_of(live, live.hb), "final", ["albi", "ales"], "Tirage au sort", ADMIN)
    assert read(tournament_of(entry_of(live, live.hb))).lanes["F"] == ("nancy", "albi")
    assert places(live, live.hb) == [(3, ("ales",)), (4, ("douai",))]
