"""A discipline's tournament: set up from a spec and rules, its matches saved, the organiser's decisions
on ties the rules leave level; each an audited change whose places flow into the discipline's result.

Operations add and flush; the caller's unit of work commits. A match save locks its tournament first, so
that two saves in one discipline apply one after the other and each sees the other's places. A save that
would change the teams of a bracket match already started (a pool result corrected after the bracket was
drawn) is refused, naming those matches, unless the administrator re-draws: then those matches are
emptied in the same change, never silently re-seeded.
"""

from __future__ import annotations

from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import selectinload

from cartel.core import podium
from cartel.core.audit import Action
from cartel.core.clock import utcnow
from cartel.core.tournament.matches import problems as result_problems
from cartel.core.tournament.races import FINAL
from cartel.core.tournament.rules import Rules, TeamId
from cartel.core.tournament.sheet import Sheet
from cartel.core.tournament.spec import Spec
from cartel.core.tournament.ties import tie_problems
from cartel.extensions import db
from cartel.models import (
    Edition,
    EditionStatus,
    Match,
    MatchState,
    ProgrammeEntry,
    ResultState,
    TieDecision,
    Tournament,
)
from cartel.read.tournaments import Standing, decision_key, members, read, tournament_of
from cartel.write.audit import Actor, record
from cartel.write.results import SaveOutcome, VersionConflict, current_teams, write_result
from cartel.write.submissions import Submission, claim

Problem = tuple[str, str]  # (code, where): words in cartel.words.tournaments


class TournamentRefused(Exception):
    """Nothing was saved: ``problems`` says why, and where."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(", ".join(code for code, _ in problems))
        self.problems = problems


def _key(edition: Edition, entry: ProgrammeEntry) -> str:
    return f"{edition.year}/{entry.discipline.slug}"


# --- set-up -----------------------------------------------------------------------------------------


def set_up(
    edition: Edition,
    entry: ProgrammeEntry,
    spec: Spec,
    rules: Rules,
    actor: Actor,
    *,
    preset: str | None = None,
    submission_key: str | None = None,
) -> Tournament:
    """Give a discipline its tournament (or replace one whose matches have not started)."""
    existing = tournament_of(entry)
    claimed = claim(
        Submission(
            submission_key,
            actor,
            f"tournament:{_key(edition, entry)}",
            {"spec": spec.to_data(), "rules": rules.to_data(), "preset": preset},
        )
    )
    if claimed.first is not None and existing is not None:
        return existing
    found: list[Problem] = []
    if edition.status not in (EditionStatus.PLANNED, EditionStatus.LIVE):
        found.append(("edition_closed", str(edition.year)))
    participants = {p.school.slug for p in edition.participations}
    seen: set[str] = set()
    for team in spec.teams:
        for slug in members(team):
            if slug not in participants:
                found.append(("not_participant", slug))
            elif slug in seen:
                found.append(("school_twice", slug))
            seen.add(slug)
    found += spec.problems()
    if existing is not None and any(m.state is not MatchState.SCHEDULED for m in existing.matches):
        found.append(("matches_started", ""))
    if existing is None and current_teams(entry):
        found.append(("has_places", ""))
    if found:
        raise TournamentRefused(found)
    before = None if existing is None else {"spec": existing.spec, "rules": existing.rules, "preset": existing.preset}
    if existing is not None:
        db.session.delete(existing)
        db.session.flush()
    tournament = Tournament(
        programme_entry_id=entry.id,
        edition_id=edition.id,
        discipline_id=entry.discipline_id,
        preset=preset,
        spec=spec.to_data(),
        rules=rules.to_data(),
    )
    tournament.matches = [Match(code=code) for code in spec.codes()]
    db.session.add(tournament)
    db.session.flush()
    record(
        actor,
        Action.TOURNAMENT_SETUP,
        _key(edition, entry),
        before,
        {"spec": tournament.spec, "rules": tournament.rules, "preset": preset, "matches": len(tournament.matches)},
        edition_id=edition.id,
        discipline_id=entry.discipline_id,
    )
    claimed.settle(tournament.id, edition_id=edition.id, discipline_id=entry.discipline_id)
    return tournament


def remove(edition: Edition, entry: ProgrammeEntry, actor: Actor, *, submission_key: str | None = None) -> None:
    """Back to places entered directly: the tournament goes, if none of its matches has started."""
    existing = tournament_of(entry)
    claimed = claim(Submission(submission_key, actor, f"tournament:{_key(edition, entry)}", {"remove": True}))
    if existing is None or claimed.first is not None:
        return
    if any(m.state is not MatchState.SCHEDULED for m in existing.matches):
        raise TournamentRefused([("matches_started", "")])
    before = {"spec": existing.spec, "rules": existing.rules, "preset": existing.preset}
    db.session.delete(existing)
    db.session.flush()
    record(
        actor,
        Action.TOURNAMENT_REMOVE,
        _key(edition, entry),
        before,
        None,
        edition_id=edition.id,
        discipline_id=entry.discipline_id,
    )
    claimed.settle("removed", edition_id=edition.id, discipline_id=entry.discipline_id)


# --- matches ----------------------------------------------------------------------------------------


def _locked(entry: ProgrammeEntry) -> Tournament:
    """The discipline's tournament, locked for this transaction (PostgreSQL; SQLite writes one at a time)."""
    tournament = db.session.scalar(
        sa.select(Tournament)
        .where(Tournament.programme_entry_id == entry.id)
        .with_for_update()
        .options(selectinload(Tournament.matches), selectinload(Tournament.decisions))
        .execution_options(populate_existing=True)
    )
    if tournament is None:
        raise TournamentRefused([("no_tournament", entry.discipline.slug)])
    db.session.refresh(entry)
    return tournament


def sheet_problems(sheet: Sheet, rules: Rules, *, bracket: bool, final: bool) -> list[Problem]:
    """What is wrong with a score as entered: (code, where) pairs; where is "" or a sub-match's number."""
    found: list[Problem] = []
    if rules.team_tie and sheet.forfeit is None:
        found += [(code, str(number)) for code, number in tie_problems(sheet.subs, rules)]
        if found:
            return found
    codes = result_problems(sheet.result(rules), rules, bracket=bracket)
    if not final:  # a score in progress may be level, whatever the match
        codes = [c for c in codes if c in ("negative", "absurd")]
    return [(code, "") for code in codes]


MAX_TIME = 24 * 3600 * 100  # a day, in hundredths: beyond, a typing mistake


def time_problems(sheet: Sheet, lanes: tuple[TeamId, ...]) -> list[Problem]:
    """What is wrong with a race's times: each of its teams once, no other, none negative or absurd."""
    found: list[Problem] = []
    timed = [team for team, _time in sheet.times]
    if sorted(timed) != sorted(lanes):
        found.append(("lanes_mismatch", ", ".join(sorted(set(timed) ^ set(lanes)))))
    for team, time in sheet.times:
        if time is not None and time < 0:
            found.append(("negative", team))
        elif time is not None and time > MAX_TIME:
            found.append(("absurd", team))
    return found


def _conflicts(standing: Standing, code: str, before: Standing | None = None) -> list[str]:
    """Matches started or played whose teams would no longer be those they were entered for (for races:
    a final whose lanes would change)."""
    if standing.races:
        final = standing.matches.get(FINAL)
        if before is None or code == FINAL or final is None or final.state is MatchState.SCHEDULED:
            return []
        return [FINAL] if set(standing.lanes.get(FINAL, ())) != set(before.lanes.get(FINAL, ())) else []
    return [
        other
        for other, match in standing.matches.items()
        if other != code
        and match.state is not MatchState.SCHEDULED
        and match.home is not None
        and standing.resolution.slots.get(other) != (match.home, match.away)
    ]


def save_match(
    edition: Edition,
    entry: ProgrammeEntry,
    code: str,
    sheet: Sheet | None,
    state: MatchState,
    actor: Actor,
    *,
    expected_version: int,
    submission_key: str | None = None,
    redraw: bool = False,
) -> SaveOutcome:
    """Save a match's state and score, then the places it gives. ``redraw`` (the administrator's): empty
    the bracket matches this changes the teams of, instead of refusing (see the module)."""
    claimed = claim(
        Submission(
            submission_key,
            actor,
            f"match:{_key(edition, entry)}/{code}",
            {
                "state": state.value,
                "sheet": None if sheet is None else sheet.to_data(),
                "version": expected_version,
                "redraw": redraw,
            },
        )
    )
    if claimed.first is not None:
        return SaveOutcome(claimed.first.version or 0, duplicate=True)
    tournament = _locked(entry)
    standing = read(tournament)
    if code not in standing.fixtures or code not in standing.matches:
        raise TournamentRefused([("unknown_match", code)])
    match = standing.matches[code]
    if match.version != expected_version:
        raise VersionConflict(match.version)
    found: list[Problem] = []
    if edition.status is not EditionStatus.LIVE:
        found.append(("edition_not_live", str(edition.year)))
    teams = standing.resolution.slots.get(code, (None, None))
    known = bool(standing.lanes.get(code)) if standing.races else None not in teams
    if state is not MatchState.SCHEDULED and not known:
        found.append(("teams_unknown", code))
    if state is MatchState.FINAL and sheet is None:
        found.append(("no_score", code))
    if sheet is not None and state is not MatchState.SCHEDULED and known:
        if standing.races:
            found += time_problems(sheet, standing.lanes[code])
        else:
            found += sheet_problems(
                sheet, standing.rules, bracket=standing.is_bracket(code), final=state is MatchState.FINAL
            )
    if found:
        raise TournamentRefused(found)
    recorded = (None, None) if state is MatchState.SCHEDULED or standing.races else teams
    kept = None if state is MatchState.SCHEDULED else sheet
    after = read(tournament, overrides={code: (state, kept, recorded)})
    emptied: list[str] = []
    conflicts = _conflicts(after, code, standing)
    if conflicts and not redraw:
        raise TournamentRefused([("changes_bracket", ", ".join(sorted(conflicts)))])
    while conflicts:  # each match emptied may change the teams of the matches after it
        emptied += conflicts
        overrides: dict[str, Any] = {code: (state, kept, recorded)}
        overrides.update({c: (MatchState.SCHEDULED, None, (None, None)) for c in emptied})
        after = read(tournament, overrides=overrides)
        conflicts = [c for c in _conflicts(after, code, standing) if c not in emptied]
    before = _match_data(match)
    _update(match, state=state, sheet=kept, teams=recorded, expected_version=expected_version)
    for other in emptied:
        _update(standing.matches[other], state=MatchState.SCHEDULED, sheet=None, teams=(None, None))
    record(
        actor,
        Action.MATCH_SAVE,
        f"{_key(edition, entry)}/{code}",
        before,
        {**_match_data(match), **({"emptied": sorted(emptied)} if emptied else {})},
        edition_id=edition.id,
        discipline_id=entry.discipline_id,
    )
    flow_places(edition, entry, tournament, actor, cause=code, standing=after)
    claimed.settle(match.version, edition_id=edition.id, discipline_id=entry.discipline_id, version=match.version)
    return SaveOutcome(match.version, duplicate=False)


def _match_data(match: Match) -> dict[str, object]:
    return {
        "code": match.code,
        "state": match.state.value,
        "home": match.home,
        "away": match.away,
        "sheet": match.result,
    }


def _update(
    match: Match,
    *,
    state: MatchState,
    sheet: Sheet | None,
    teams: tuple[TeamId | None, TeamId | None],
    expected_version: int | None = None,
) -> None:
    version = match.version if expected_version is None else expected_version
    changed = cast(  # an UPDATE's result is a CursorResult (Session.execute is typed as any Result)
        CursorResult[Any],
        db.session.execute(
            sa.update(Match)
            .where(Match.id == match.id, Match.version == version)
            .values(
                state=state,
                result=None if sheet is None else sheet.to_data(),
                home=teams[0],
                away=teams[1],
                version=version + 1,
                updated_at=utcnow(),
            )
            .execution_options(synchronize_session=False)
        ),
    )
    if changed.rowcount != 1:
        current = db.session.scalar(sa.select(Match.version).where(Match.id == match.id))
        raise VersionConflict(version if current is None else current)
    db.session.refresh(match)


def flow_places(
    edition: Edition,
    entry: ProgrammeEntry,
    tournament: Tournament,
    actor: Actor,
    *,
    cause: str,
    standing: Standing | None = None,
) -> None:
    """Write the places the tournament has decided as the discipline's result: final once every match is
    final and every team placed, provisional before (only the places decided), in progress before any.
    ``standing``: the tournament as just written, when the caller has it (else read again)."""
    standing = standing or read(tournament)
    places = standing.resolution.places
    teams = sorted((podium.Team(place, members(team)) for team, place in places.items()), key=lambda t: t.place)
    if places and standing.resolution.finished and standing.all_final:
        state = ResultState.FINAL
    elif places:
        state = ResultState.PROVISIONAL
    elif any(m.state is not MatchState.SCHEDULED for m in standing.matches.values()):
        state = ResultState.IN_PROGRESS
    else:
        state = ResultState.PENDING
    saved = current_teams(entry)
    if [(t.place, t.schools) for t in saved] == [(t.place, t.schools) for t in teams] and entry.result_state is state:
        return
    if state is ResultState.PENDING and not saved:
        return  # back to nothing started: the result stays "to come" (or in progress) as it was
    write_result(
        edition,
        entry,
        teams,
        ResultState.IN_PROGRESS if state is ResultState.PENDING else state,
        actor,
        expected_version=entry.version,
        action=Action.RESULT_MATCH,
        cause=cause,
    )


# --- decisions --------------------------------------------------------------------------------------


def decide(
    edition: Edition,
    entry: ProgrammeEntry,
    context: str,
    order: list[TeamId],
    reason: str,
    actor: Actor,
    *,
    submission_key: str | None = None,
) -> None:
    """Record the organiser's order for teams the rules leave level in ``context`` (lots drawn, a
    shoot-out...), with its reason; it holds for that very set of teams."""
    claimed = claim(
        Submission(
            submission_key,
            actor,
            f"decision:{_key(edition, entry)}/{context}",
            {"order": list(order), "reason": reason},
        )
    )
    if claimed.first is not None:
        return
    tournament = _locked(entry)
    standing = read(tournament)
    waiting = {(u.context, u.teams) for u in standing.resolution.undecided}
    found: list[Problem] = []
    if (context, frozenset(order)) not in waiting or len(set(order)) != len(order):
        found.append(("not_undecided", context))
    if not reason.strip():
        found.append(("no_reason", context))
    elif len(reason) > 300:
        found.append(("reason_too_long", context))
    if found:
        raise TournamentRefused(found)
    key = decision_key(order)
    for old in [d for d in tournament.decisions if d.context == context and d.teams == key]:
        db.session.delete(old)
    db.session.flush()
    tournament.decisions.append(TieDecision(context=context, teams=key, order=list(order), reason=reason.strip()))
    db.session.flush()
    record(
        actor,
        Action.TOURNAMENT_DECIDE,
        f"{_key(edition, entry)}/{context}",
        None,
        {"context": context, "order": list(order), "reason": reason.strip()},
        edition_id=edition.id,
        discipline_id=entry.discipline_id,
    )
    flow_places(edition, entry, tournament, actor, cause=f"decision {context}")
    claimed.settle(context, edition_id=edition.id, discipline_id=entry.discipline_id)
