"""One match's result: who won, on what score (a forfeit's fictitious one), and what is wrong with it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from cartel.core.tournament.rules import Rules, Side

Role = Literal["home", "away"]


class Finish(StrEnum):
    """How a match ended: in its time, or, level, after extra time or a shoot-out / golden point."""

    REGULAR = "regular"
    EXTRA_TIME = "extra_time"
    SHOOTOUT = "shootout"


@dataclass(frozen=True)
class Result:
    """A final result, as the organiser entered it. ``forfeit``: the side that did not play (it loses on
    the rules' fictitious score, whatever was typed); ``winner``: the side that won a level score after it
    (a bracket match, which always has a winner)."""

    home: Side
    away: Side
    forfeit: Role | None = None
    winner: Role | None = None
    finish: Finish = Finish.REGULAR

    def sides(self, rules: Rules) -> tuple[Side, Side]:
        """The figures that count: the fictitious score of a forfeit, else as entered."""
        if self.forfeit == "home":
            return rules.forfeit_lost, rules.forfeit_won
        if self.forfeit == "away":
            return rules.forfeit_won, rules.forfeit_lost
        return self.home, self.away

    def won_by(self, rules: Rules) -> Role | None:
        """The winning side, or None for a draw."""
        if self.forfeit is not None:
            return "away" if self.forfeit == "home" else "home"
        home, away = self.home.score, self.away.score
        if home != away:
            return "home" if home > away else "away"
        return self.winner


def problems(result: Result, rules: Rules, *, bracket: bool) -> list[str]:
    """What is wrong with a result, as codes (``cartel.words`` says them): nothing saved when any."""
    found: list[str] = []
    if result.forfeit is not None:
        return found  # the fictitious score counts, whatever else was typed
    for side in (result.home, result.away):
        figures = (side.score, side.sets, side.points, side.sendings_off)
        if any(value < 0 for value in figures):
            found.append("negative")
            break
        if side.score > rules.max_score or side.points > 100 * rules.max_score or side.sendings_off > 50:
            found.append("absurd")
            break
    level = result.home.score == result.away.score
    if level and result.winner is None and (bracket or not rules.draws):
        found.append("draw_not_allowed")
    if not level and result.winner is not None and result.winner != result.won_by(rules):
        found.append("winner_not_the_score")
    if result.winner is not None and level and result.finish is Finish.REGULAR and not bracket and rules.draws:
        found.append("winner_of_a_draw")
    return found
