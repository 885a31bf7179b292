"""What a match is worth and how a pool splits teams level on points: the rules of one discipline in one
edition, as data (copied from the previous edition or from a preset named after its sport's rulebook)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum

TeamId = str


class Criterion(StrEnum):
    """One step of a pool's tie-breaks. "Score" is a match's own score: goals, points, sets (volleyball) or
    the matches a team won in a team tie; "sets" and "points" count inside them (a volleyball set's
    points, a team tie's sets and games). Each is better higher, except where its name says fewer."""

    POINTS = "points"  # match points (win, draw, loss, forfeit)
    HEAD_TO_HEAD = "head_to_head"  # match points in the matches among the tied teams only
    DIRECT_MATCH = "direct_match"  # two teams level only: the winner of their match
    SCORE_DIFFERENCE = "score_difference"
    SCORED = "scored"
    TRIES_SCORED = "tries_scored"  # rugby
    FEWER_SENDINGS_OFF = "fewer_sendings_off"
    FAIR_PLAY = "fair_play"  # the sum of the fair-play marks a team was given
    SET_DIFFERENCE = "set_difference"
    POINTS_DIFFERENCE = "points_difference"
    POINTS_WON = "points_won"
    SET_DIFFERENCE_PER_TEAM = "set_difference_per_team"  # divided by the pool's size: pools of 3 and 4
    POINTS_DIFFERENCE_PER_TEAM = "points_difference_per_team"
    YOUNGEST = "youngest"  # the team whose youngest player is the youngest (when every birth date is known)
    DECISION = "decision"  # what the rules leave to a match or a draw: the organiser records it, with a reason


# the criteria computed over the matches among the tied teams, so re-computed for every tied subset
AMONG_TIED = frozenset({Criterion.HEAD_TO_HEAD, Criterion.DIRECT_MATCH})


class Decider(StrEnum):
    """How the organiser splits what the criteria cannot: the last criterion, DECISION, names it."""

    LOTS = "lots"
    SHOOTOUT = "shootout"
    GOLDEN_POINT = "golden_point"
    SUDDEN_DEATH = "sudden_death"


@dataclass(frozen=True)
class MatchPoints:
    """Pool points of a match: a forfeit is the points of the team that did not play (the other wins)."""

    win: int = 3
    draw: int = 1
    loss: int = 0
    forfeit: int = 0


@dataclass(frozen=True)
class Side:
    """One team's figures in a match. ``score`` decides the match; ``sets`` and ``points`` count inside it
    (0 where the sport has none); ``fair_play`` is the mark given to the team, when the sport gives one."""

    score: int
    sets: int = 0
    points: int = 0
    sendings_off: int = 0
    fair_play: int | None = None
    tries: int = 0


@dataclass(frozen=True)
class Rules:
    """A discipline's rules for one edition. ``forfeit_won`` and ``forfeit_lost`` are the fictitious
    score of a forfeit; ``draws``: whether a pool match may end level (a bracket match never does);
    ``tiebreaks`` after match points, in order; ``across``: how teams of the same rank in different
    pools are compared (the best runner-up)."""

    match_points: MatchPoints = MatchPoints()
    forfeit_won: Side = Side(3)
    forfeit_lost: Side = Side(0)
    draws: bool = True
    tiebreaks: tuple[Criterion, ...] = (Criterion.SCORE_DIFFERENCE, Criterion.SCORED, Criterion.DECISION)
    across: tuple[Criterion, ...] = (Criterion.POINTS, Criterion.SCORE_DIFFERENCE, Criterion.SCORED)
    decider: Decider = Decider.LOTS
    max_score: int = 200  # above: a typing mistake, refused
    team_tie: tuple[str, ...] = ()  # the sub-matches of a team tie ("MS", "WS", "XD"); empty: a plain match
    sub_forfeit: tuple[tuple[int, int], ...] = ((6, 0),)  # the sets of a sub-match lost for want of players
    match_minutes: int = 20  # how long a match takes on its venue, for the schedule's checks
    rest_minutes: int = 10  # the least rest a team needs between two matches
    notes: Mapping[str, str] = field(default_factory=dict)

    @property
    def order(self) -> tuple[Criterion, ...]:
        """Every criterion of a pool's order: match points first, the organiser's decision last."""
        middle = tuple(c for c in self.tiebreaks if c not in (Criterion.POINTS, Criterion.DECISION))
        return (Criterion.POINTS, *middle, Criterion.DECISION)

    def to_data(self) -> dict[str, object]:
        """A plain mapping (for JSON storage); ``from_data`` reads it back."""
        return {
            "match_points": [
                self.match_points.win,
                self.match_points.draw,
                self.match_points.loss,
                self.match_points.forfeit,
            ],
            "forfeit": [_side_data(self.forfeit_won), _side_data(self.forfeit_lost)],
            "draws": self.draws,
            "tiebreaks": [c.value for c in self.tiebreaks],
            "across": [c.value for c in self.across],
            "decider": self.decider.value,
            "max_score": self.max_score,
            "team_tie": list(self.team_tie),
            "sub_forfeit": [list(s) for s in self.sub_forfeit],
            "match_minutes": self.match_minutes,
            "rest_minutes": self.rest_minutes,
        }

    @classmethod
    def from_data(cls, data: Mapping[str, object]) -> Rules:
        """Rules from ``to_data``'s mapping; a key left out keeps the default. ValueError when unreadable."""
        rules = cls()
        try:
            if "match_points" in data:
                win, draw, loss, forfeit = (_int(v) for v in _seq(data["match_points"]))
                rules = replace(rules, match_points=MatchPoints(win, draw, loss, forfeit))
            if "forfeit" in data:
                won, lost = (_side_from(v) for v in _seq(data["forfeit"]))
                rules = replace(rules, forfeit_won=won, forfeit_lost=lost)
            if "draws" in data:
                rules = replace(rules, draws=bool(data["draws"]))
            if "tiebreaks" in data:
                rules = replace(rules, tiebreaks=tuple(Criterion(str(c)) for c in _seq(data["tiebreaks"])))
            if "across" in data:
                rules = replace(rules, across=tuple(Criterion(str(c)) for c in _seq(data["across"])))
            if "decider" in data:
                rules = replace(rules, decider=Decider(str(data["decider"])))
            if "max_score" in data:
                rules = replace(rules, max_score=_int(data["max_score"]))
            if "team_tie" in data:
                rules = replace(rules, team_tie=tuple(str(s) for s in _seq(data["team_tie"])))
            if "sub_forfeit" in data:
                sets = tuple((_int(a), _int(b)) for a, b in (_seq(s) for s in _seq(data["sub_forfeit"])))
                rules = replace(rules, sub_forfeit=sets)
            if "match_minutes" in data:
                rules = replace(rules, match_minutes=_int(data["match_minutes"]))
            if "rest_minutes" in data:
                rules = replace(rules, rest_minutes=_int(data["rest_minutes"]))
        except (TypeError, ValueError, KeyError) as error:
            raise ValueError(f"unreadable rules: {error}") from error
        return rules


def _seq(value: object) -> list[object]:
    if not isinstance(value, list | tuple):
        raise TypeError(f"a list was expected, not {value!r}")
    return list(value)


def _int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"a whole number was expected, not {value!r}")
    return value


def _side_data(side: Side) -> list[int]:
    return [side.score, side.sets, side.points]


def _side_from(value: object) -> Side:
    score, sets, points = (_int(v) for v in _seq(value))
    return Side(score, sets, points)
