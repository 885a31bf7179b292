"""A match's score sheet as stored: what the organiser entered (the score, or a team tie's sub-matches),
turned into data and back, and into the result that counts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from cartel.core.tournament.matches import Finish, Result, Role
from cartel.core.tournament.rules import Rules, Side
from cartel.core.tournament.ties import SubMatch, tie_result


@dataclass(frozen=True)
class Sheet:
    """The score as entered: ``home`` and ``away`` (a team tie's are worked out from ``subs``)."""

    home: Side = Side(0)
    away: Side = Side(0)
    forfeit: Role | None = None
    winner: Role | None = None
    finish: Finish = Finish.REGULAR
    subs: tuple[SubMatch, ...] = ()
    times: tuple[tuple[str, int | None], ...] = ()  # a race's: each team's time in hundredths, None for none

    def timed(self) -> dict[str, int | None]:
        return dict(self.times)

    def result(self, rules: Rules) -> Result:
        if self.subs and self.forfeit is None:
            tie = tie_result(self.subs, rules)
            return Result(tie.home, tie.away, None, self.winner, self.finish)
        return Result(self.home, self.away, self.forfeit, self.winner, self.finish)

    def to_data(self) -> dict[str, object]:
        data: dict[str, object] = {
            "home": _side_data(self.home),
            "away": _side_data(self.away),
            "forfeit": self.forfeit,
            "winner": self.winner,
            "finish": self.finish.value,
        }
        if self.times:
            data["times"] = [[team, time] for team, time in self.times]
        if self.subs:
            data["subs"] = [{"sets": [list(s) for s in sub.sets], "given_up": sub.given_up} for sub in self.subs]
        return data

    @classmethod
    def from_data(cls, data: Mapping[str, object]) -> Sheet:
        """The sheet ``to_data`` wrote; ValueError when it cannot be read."""
        try:
            subs = tuple(
                SubMatch(
                    tuple((_int(a), _int(b)) for a, b in (_pair(s) for s in _list(_map(sub).get("sets") or []))),
                    _role(_map(sub).get("given_up")),
                )
                for sub in _list(data.get("subs") or [])
            )
            times = tuple(
                (str(team), None if time is None else _int(time))
                for team, time in (_pair(t) for t in _list(data.get("times") or []))
            )
            return cls(
                _side(data.get("home")),
                _side(data.get("away")),
                _role(data.get("forfeit")),
                _role(data.get("winner")),
                Finish(str(data.get("finish") or Finish.REGULAR.value)),
                subs,
                times,
            )
        except (TypeError, ValueError) as error:
            raise ValueError(f"unreadable score sheet: {error}") from error


def _side_data(side: Side) -> list[int | None]:
    return [side.score, side.sets, side.points, side.sendings_off, side.fair_play, side.tries]


def _side(value: object) -> Side:
    figures = _list(value or [0])
    score, sets, points, sendings_off, fair_play, tries = (figures + [0, 0, 0, None, 0])[:6]
    return Side(
        _int(score),
        _int(sets),
        _int(points),
        _int(sendings_off),
        None if fair_play is None else _int(fair_play),
        _int(tries),
    )


def _int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"a whole number was expected, not {value!r}")
    return value


def _list(value: object) -> list[object]:
    if not isinstance(value, list):
        raise TypeError(f"a list was expected, not {value!r}")
    return value


def _map(value: object) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise TypeError(f"a mapping was expected, not {value!r}")
    return value


def _pair(value: object) -> tuple[object, object]:
    items = _list(value)
    if len(items) != 2:
        raise ValueError(f"a pair was expected, not {value!r}")
    return items[0], items[1]


def _role(value: object) -> Role | None:
    if value is None:
        return None
    if value == "home":
        return "home"
    if value == "away":
        return "away"
    raise ValueError(f"home or away was expected, not {value!r}")
