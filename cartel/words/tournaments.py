"""A tournament in words: its matches' names ("Semi-final 1", "Pool A, round 2"), its teams, its scores,
and why a save or a set-up was refused (the codes of cartel.write.tournaments and cartel.core.tournament)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

from flask_babel import format_datetime, pgettext, to_user_timezone
from flask_babel import gettext as _

from cartel.core.tournament.rules import Criterion, Decider
from cartel.core.tournament.schedule import Clash, Conflict
from cartel.core.tournament.shapes import CONSOLATION, Shape
from cartel.core.tournament.sheet import Sheet
from cartel.words import labels

POOL_MATCH = re.compile(r"^(?P<pool>[A-Z])-(?P<round>\d+)\.(?P<number>\d+)$")
HEAT = re.compile(r"^H(\d+)$")
BRACKET_MATCH = re.compile(r"^(?P<first>\d+)-(?P<last>\d+)(?:\.(?P<play_in>p)?(?P<number>\d+))?$")


def match_name(code: str) -> str:
    """A match's name from its code: "A-2.1" pool A, round 2; "1-2" the final; "3-4" the match for 3rd
    place; "1-4.1" semi-final 1; "1-8.2" quarter-final 2; "5-8.1" places 5 to 8, match 1; "1-6.p1" a
    play-in match."""
    from cartel.words.describe import ordinal  # describe names matches with this module's words

    if code == "F":
        return _("Final")
    heat = HEAT.match(code)
    if heat:
        return _("Heat %(number)s", number=heat.group(1))
    pool = POOL_MATCH.match(code)
    if pool:
        if pool["pool"] == CONSOLATION:
            return _("Consolation, round %(round)s", round=pool["round"])
        return _("Pool %(pool)s, round %(round)s", pool=pool["pool"], round=pool["round"])
    bracket = BRACKET_MATCH.match(code)
    if not bracket:
        return code
    first, last, number = int(bracket["first"]), int(bracket["last"]), bracket["number"]
    if bracket["play_in"]:
        return _("Play-in %(number)s (places %(first)s–%(last)s)", number=number, first=first, last=last)
    if number is None:
        if first == 1:
            return _("Final")
        return _("Match for %(place)s place", place=ordinal(first))
    size = last - first + 1
    if first == 1 and size == 4:
        return _("Semi-final %(number)s", number=number)
    if first == 1 and size == 8:
        return _("Quarter-final %(number)s", number=number)
    if first == 1 and size == 16:
        return _("Round of 16, match %(number)s", number=number)
    return _("Places %(first)s–%(last)s, match %(number)s", first=first, last=last, number=number)


def team_name(team: str | None, names: Mapping[str, str]) -> str:
    """A team's name (a joint team's schools joined), or a dash while it is not known."""
    if team is None:
        return "—"
    return labels.joint(names.get(slug, slug) for slug in team.split("+"))


def score_words(
    sheet: Sheet | None,
    names: Mapping[str, str] | None = None,
    teams: tuple[str | None, str | None] = (None, None),
) -> str:
    """A score as entered: "25–24", "IMT Mines Albi did not play (forfeit)", "30–30, IMT Mines Alès after a
    shoot-out"; a team tie with its sets; a race's times. ``teams``: the match's, to name the winner."""
    names = names or {}
    if sheet is None:
        return "—"
    if sheet.times:
        ordered = sorted(sheet.times, key=lambda item: (item[1] is None, item[1] or 0))
        return ", ".join(f"{team_name(team, names)} {race_time(time)}" for team, time in ordered)

    def side(role: str) -> str:
        team = teams[0] if role == "home" else teams[1]
        if team is not None:
            return team_name(team, names)
        return _("home") if role == "home" else _("away")

    if sheet.forfeit is not None:
        return _("%(team)s did not play (forfeit)", team=side(sheet.forfeit))
    if sheet.subs:
        subs = "; ".join(
            " ".join(f"{a}–{b}" for a, b in sub.sets) if sub.given_up is None else _("given up") for sub in sheet.subs
        )
        wins = sum(1 for s in sheet.subs if s.given_up == "away" or (s.given_up is None and _won(s.sets) > 0))
        losses = len(sheet.subs) - wins
        return f"{wins}–{losses} ({subs})"
    words = f"{sheet.home.score}–{sheet.away.score}"
    if sheet.winner is not None and sheet.home.score == sheet.away.score:
        if sheet.finish.value == "extra_time":
            words += ", " + _("%(team)s won after extra time", team=side(sheet.winner))
        else:
            words += ", " + _("%(team)s won the shoot-out", team=side(sheet.winner))
    return words


def race_time(value: int | None) -> str:
    """A time in hundredths as "1:02.35"; "—" for no time."""
    if value is None:
        return "—"
    minutes, rest = divmod(value, 6000)
    seconds, cents = divmod(rest, 100)
    return f"{minutes}:{seconds:02d}.{cents:02d}" if minutes else f"{seconds}.{cents:02d}"


def _won(sets: tuple[tuple[int, int], ...]) -> int:
    return sum(1 if a > b else -1 if b > a else 0 for a, b in sets)


def local_zone_time(when: dt.datetime) -> dt.datetime:
    """A stored time (naive UTC) in the event's time zone (Babel's), naive."""
    return to_user_timezone(when.replace(tzinfo=dt.UTC)).replace(tzinfo=None)


def local_time(when: dt.datetime) -> str:
    """A match's time (stored in UTC) in the edition's time zone: "sam. 14:05"."""
    return format_datetime(when, "EEE HH:mm")


def sub_name(index: int) -> str:
    """The name of a team tie's sub-match, by its position (cartel.core.tournament.presets.TEAM_TIE)."""
    names = [_("Men's singles"), _("Women's singles"), _("Mixed doubles")]
    return names[index] if index < len(names) else _("Match %(n)s", n=index + 1)


def state_words(state: str) -> str:
    return {
        "scheduled": pgettext("match", "to come"),
        "in_progress": pgettext("match", "in progress"),
        "final": pgettext("match", "final"),
    }.get(state, state)


def shape_words(shape: Shape) -> str:
    return {
        Shape.POOLS_THEN_BRACKETS: _("Pools, then a bracket for every place"),
        Shape.ROUND_ROBIN: _("One pool (each team meets every other)"),
        Shape.KNOCKOUT: _("Knockout, every place played"),
        Shape.HEATS: _("Heats, then a final for the best times"),
    }[shape]


def criterion_words(criterion: Criterion) -> str:
    return {
        Criterion.POINTS: _("match points"),
        Criterion.HEAD_TO_HEAD: _("head-to-head among the teams level"),
        Criterion.DIRECT_MATCH: _("their direct match (two teams level)"),
        Criterion.SCORE_DIFFERENCE: _("score difference"),
        Criterion.SCORED: _("scored"),
        Criterion.TRIES_SCORED: _("tries scored"),
        Criterion.FEWER_SENDINGS_OFF: _("fewer sendings-off"),
        Criterion.FAIR_PLAY: _("fair-play mark"),
        Criterion.SET_DIFFERENCE: _("set difference"),
        Criterion.POINTS_DIFFERENCE: _("points difference"),
        Criterion.POINTS_WON: _("points won"),
        Criterion.SET_DIFFERENCE_PER_TEAM: _("set difference per team of the pool"),
        Criterion.POINTS_DIFFERENCE_PER_TEAM: _("points difference per team of the pool"),
        Criterion.YOUNGEST: _("youngest player"),
        Criterion.DECISION: _("the organiser's decision"),
    }[criterion]


def decider_words(decider: Decider) -> str:
    return {
        Decider.LOTS: _("lots drawn"),
        Decider.SHOOTOUT: _("a shoot-out"),
        Decider.GOLDEN_POINT: _("a golden point"),
        Decider.SUDDEN_DEATH: _("sudden death"),
    }[decider]


def conflict_words(conflict: Conflict, names: Mapping[str, str] | None = None) -> str:
    """A schedule's conflict in words (cartel.core.tournament.schedule)."""
    about = (names or {}).get(conflict.about, conflict.about)
    return {
        Clash.TEAM_TWICE: _("%(team)s plays two matches at once", team=about),
        Clash.VENUE_TWICE: _("%(venue)s is booked for two matches at once", venue=about),
        Clash.NO_REST: _("%(team)s has too little rest between two matches", team=about),
    }[conflict.kind]


def _sub(where: str) -> str:
    return sub_name(int(where) - 1) if where.isdigit() and int(where) > 0 else where


def problem_words(code: str, where: str, names: Mapping[str, str] | None = None) -> str:
    """Why a tournament's set-up, a match save or a decision was refused."""
    names = names or {}
    school = names.get(where, where)
    messages = {
        "edition_closed": _("The %(year)s edition is over: its tournaments cannot change.", year=where),
        "edition_not_live": _("The %(year)s edition is not live: scores cannot be entered.", year=where),
        "not_participant": _("%(school)s does not take part in this edition.", school=school),
        "school_twice": _("%(school)s is in two teams (or twice in one).", school=school),
        "team_twice": _("%(school)s is drawn twice.", school=team_name(where, names)),
        "too_few_teams": _("A tournament needs at least two teams."),
        "too_few_pools": _("Pools then a bracket needs at least two pools."),
        "pool_too_small": _("Pool %(pool)s has fewer than two teams.", pool=where),
        "advance_out_of_range": _(
            "%(count)s teams per pool cannot go to the bracket: more than the smallest pool holds.", count=where
        ),
        "best_of_next_out_of_range": _("The best of the next rank must be fewer than the pools."),
        "matches_started": _("Matches have started: the tournament can no longer be drawn again from scratch."),
        "has_places": _("This discipline already has places entered directly: remove them first."),
        "no_tournament": _("This discipline is not played as a tournament."),
        "unknown_match": _("There is no match %(match)s in this tournament.", match=where),
        "teams_unknown": _("The teams of this match are not known yet: play the matches before it first."),
        "no_score": _("Enter the score (or a forfeit) to save the match as final."),
        "negative": _("A score cannot be negative."),
        "absurd": _("This score is too high to be right: check it."),
        "draw_not_allowed": _("This match cannot end level: say who won after extra time or the shoot-out."),
        "winner_not_the_score": _("The winner chosen is not the team with the higher score."),
        "winner_of_a_draw": _("A pool match that ends level has no winner: leave “won after” empty."),
        "changes_bracket": _(
            "This correction changes who plays in %(matches)s, already started or played: the administrator "
            "must draw them again.",
            matches=", ".join(match_name(c) for c in where.split(", ")),
        ),
        "not_undecided": _("These teams are not level any more, or the order does not name each of them once."),
        "no_reason": _("Say how the tie was decided (lots drawn, shoot-out score...)."),
        "reason_too_long": _("The reason is too long (300 characters at most)."),
        "sub_matches_missing": _("Enter each sub-match of the tie."),
        "no_sets": _("%(sub)s: enter its sets, or who gave it up.", sub=_sub(where)),
        "no_winner": _("%(sub)s: its sets give no winner.", sub=_sub(where)),
        "lanes_mismatch": _("Give a time (or none) for each team of this race, and no other (%(teams)s).", teams=where),
        "empty_heat": _("Every heat needs at least one team."),
        "final_size_out_of_range": _("A final of %(count)s cannot be swum by these teams.", count=where),
        "goes_nowhere": _("The format leaves a team without a place (%(where)s).", where=where),
        "used_twice": _("The format gives a team two places (%(where)s).", where=where),
        "comes_from_nowhere": _("The format waits on a team that never comes (%(where)s).", where=where),
        "places_not_one_each": _("The format does not give each place exactly once (%(where)s).", where=where),
        "waits_on_itself": _("A match of the format waits on its own result (%(where)s).", where=where),
    }
    return messages.get(code, code)
