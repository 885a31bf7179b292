"""The rules of the 2024 rulebooks, one preset per sport (``../shared/CARTEL.md``, "How places are decided
inside a sport"): a starting point that an edition copies and may change. What the rulebooks leave
unsaid is chosen here and marked so."""

from __future__ import annotations

from cartel.core.tournament.rules import Criterion as C
from cartel.core.tournament.rules import Decider, MatchPoints, Rules, Side

TEAM_TIE = ("MS", "WS", "XD")  # men's singles, women's singles, mixed doubles


def team_tie(sub_forfeit: tuple[tuple[int, int], ...], **more: object) -> Rules:
    """A meeting of two schools in three sub-matches, won by winning two: a pool ranks by ties won
    (1 point each); a tie given up is lost 3-0, each of its sub-matches on ``sub_forfeit``."""
    subs = len(TEAM_TIE)
    won = Side(subs, subs * len(sub_forfeit), subs * sum(a for a, _ in sub_forfeit))
    return Rules(
        match_points=MatchPoints(1, 0, 0, 0),
        forfeit_won=won,
        forfeit_lost=Side(0),
        draws=False,
        team_tie=TEAM_TIE,
        sub_forfeit=sub_forfeit,
        **more,  # type: ignore[arg-type]
    )


RACKETS = (C.DIRECT_MATCH, C.SET_DIFFERENCE, C.POINTS_DIFFERENCE, C.YOUNGEST, C.DECISION)
# pools of 3 and 4 (9 to 11 delegations) compared by set and points difference divided by the pool size
RACKETS_ACROSS = (C.SET_DIFFERENCE_PER_TEAM, C.POINTS_DIFFERENCE_PER_TEAM)

PRESETS: dict[str, Rules] = {
    "football": Rules(
        MatchPoints(3, 1, 0, 0),
        forfeit_won=Side(3),
        tiebreaks=(C.SCORE_DIFFERENCE, C.SCORED, C.FEWER_SENDINGS_OFF, C.DECISION),
        decider=Decider.SHOOTOUT,
    ),
    "rugby": Rules(
        MatchPoints(3, 1, 0, 0),
        forfeit_won=Side(25),
        tiebreaks=(C.SCORE_DIFFERENCE, C.TRIES_SCORED, C.FEWER_SENDINGS_OFF, C.HEAD_TO_HEAD, C.DECISION),
        decider=Decider.SUDDEN_DEATH,
    ),
    "handball": Rules(
        MatchPoints(3, 2, 1, 0),
        forfeit_won=Side(10),
        tiebreaks=(C.SCORE_DIFFERENCE, C.SCORED, C.FEWER_SENDINGS_OFF, C.HEAD_TO_HEAD, C.DECISION),
        decider=Decider.SHOOTOUT,
    ),
    "basketball": Rules(
        MatchPoints(3, 2, 1, 0),
        forfeit_won=Side(20),
        tiebreaks=(C.HEAD_TO_HEAD, C.SCORE_DIFFERENCE, C.SCORED, C.DECISION),
    ),
    "ultimate": Rules(
        MatchPoints(3, 2, 1, 0),
        forfeit_won=Side(13),
        tiebreaks=(C.FAIR_PLAY, C.SCORE_DIFFERENCE, C.SCORED, C.DECISION),
    ),
    # the score is in sets; a forfeit is 2-0, each set 10-0 for the points difference
    "volleyball": Rules(
        MatchPoints(3, 1, 0, 0),
        forfeit_won=Side(2, 2, 20),
        tiebreaks=(C.POINTS_DIFFERENCE, C.POINTS_WON, C.FEWER_SENDINGS_OFF, C.DECISION),
        across=(C.POINTS, C.POINTS_DIFFERENCE, C.POINTS_WON),
        decider=Decider.GOLDEN_POINT,
        max_score=3,
    ),
    # chosen: a badminton sub-match given up is lost 21-0 21-0 (the rulebook says 3-0 for the tie)
    "badminton": team_tie(((21, 0), (21, 0)), tiebreaks=RACKETS, across=RACKETS_ACROSS, max_score=3),
    # chosen: a table-tennis sub-match given up is lost 11-0 11-0 (the rulebook: 2-0)
    "table-tennis": team_tie(((11, 0), (11, 0)), tiebreaks=RACKETS, across=RACKETS_ACROSS, max_score=3),
    # each sub-match of a tie given up is lost 6-0; the best runner-up by points, matches won, games
    # difference, games won
    "tennis": team_tie(
        ((6, 0),),
        tiebreaks=(C.DIRECT_MATCH, C.SCORED, C.POINTS_DIFFERENCE, C.DECISION),
        across=(C.POINTS, C.SCORED, C.POINTS_DIFFERENCE, C.POINTS_WON),
        max_score=3,
    ),
}


def preset(sport: str) -> Rules | None:
    """The 2024 rulebook's rules for a sport's slug, None for a sport without one."""
    return PRESETS.get(sport)
