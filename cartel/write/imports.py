"""Bulk result entry from a spreadsheet: the template, the check of a filled one, and its application.

The template has one row per discipline of the programme and a column per place. A cell holds a
school (its name, short name or code), "A + B" for a joint team, or "A / B" for two teams sharing
the place (the next cells stay empty, as places go 1, 2, 2, 4). Hidden columns carry each
discipline's code and the version of its result when the template was made: a result changed since
is a conflict, as in courtside entry. Nothing is written until the whole file is valid; applying
it is one transaction, audited like courtside entry.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import pgettext
from openpyxl import Workbook
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from cartel.core import podium
from cartel.core.audit import Action
from cartel.core.collation import folded
from cartel.extensions import db
from cartel.files.excel import HEADER_FILL, HEADER_FONT, MAX_SHEET_NAME, NOTE_FONT, TITLE_FONT, put_cell
from cartel.files.upload import Table, UploadRow
from cartel.models import Edition, ProgrammeEntry, ResultState, School
from cartel.read.exports import edition_title, exported_line
from cartel.read.standings import scheme_of, table_of
from cartel.words import labels
from cartel.words.i18n import discipline_name
from cartel.words.problems import podium_problem
from cartel.write.audit import Actor
from cartel.write.results import current_teams, write_result

FIRST_PLACE_COLUMN = 4  # A discipline, B code, C version, D state, then places
TIE, JOINT = "/", "+"


@dataclass(frozen=True)
class Problem:
    sheet: str
    cell: str
    message: str
    discipline: str = ""  # the row's discipline, as the programme names it (or as the row wrote it)


@dataclass(frozen=True)
class Change:
    entry: ProgrammeEntry
    version: int
    state: ResultState
    before: tuple[podium.Team[str], ...]  # by school slug
    after: tuple[podium.Team[str], ...]


def state_words() -> dict[str, ResultState]:
    return {
        w.lower(): s
        for s, words in (
            (ResultState.PROVISIONAL, ("provisoire", "provisional", pgettext("result", "provisional"))),
            (ResultState.FINAL, ("définitif", "definitif", "final", pgettext("result", "final"))),
        )
        for w in words
    }


def places_needed(edition: Edition) -> int:
    """Place columns of the template: the most places any discipline of the programme scores (its own
    table, or the edition's scheme), at least the podium, at most one per school taking part."""
    participants = len(edition.participations)
    scheme = scheme_of(edition.scheme)
    scored = [scheme.scored_places if scheme is not None else 3]
    scored += [table.scored_places(participants) for table in map(table_of, edition.programme) if table is not None]
    return max(3, min(max(scored), participants))


def team_text(team: podium.Team[str], names: dict[str, str]) -> str:
    return labels.joint(names[s] for s in team.schools)


def template_rows(edition: Edition, entries: list[ProgrammeEntry]) -> list[list]:
    """One row per discipline: its name, code, version, state and current places."""
    names = {p.school.slug: p.school.name for p in edition.participations}
    size = places_needed(edition)
    rows = []
    for entry in entries:
        teams = current_teams(entry)
        cells = [""] * size
        for team in teams:
            if 1 <= team.place <= size:
                text = team_text(team, names)
                cells[team.place - 1] = f"{cells[team.place - 1]} {TIE} {text}" if cells[team.place - 1] else text
        state = {
            ResultState.PROVISIONAL: pgettext("result", "provisional"),
            ResultState.FINAL: pgettext("result", "final"),
        }.get(entry.result_state, "")
        rows.append([discipline_name(entry.discipline), entry.discipline.slug, entry.version, state, *cells])
    return rows


def programme(edition: Edition) -> list[ProgrammeEntry]:
    entries = list(db.session.scalars(sa.select(ProgrammeEntry).filter_by(edition_id=edition.id)))
    return sorted(entries, key=lambda e: e.discipline.programme_key())


def template_workbook(edition: Edition, now: dt.datetime) -> bytes:
    """The workbook an organiser fills: drop-down lists of the participating schools and of the states."""
    schools = sorted((p.school for p in edition.participations), key=lambda s: folded(s.name))
    size = places_needed(edition)
    wb = Workbook()
    ws = wb.active
    ws.title = _("Results")[:MAX_SHEET_NAME]
    put_cell(ws, 1, 1, edition_title(edition)).font = TITLE_FONT
    put_cell(ws, 2, 1, exported_line(now))
    note = _(
        "One school per cell; “A + B” for a joint team; “A / B” for two teams sharing the place "
        "(then leave the next cell empty). State: provisional or final."
    )
    put_cell(ws, 3, 1, note).font = NOTE_FONT
    header = [_("Discipline"), "Code", "Version", _("State"), *[str(k) for k in range(1, size + 1)]]
    for c, title in enumerate(header, start=1):
        cell = put_cell(ws, 5, c, title)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    rows = template_rows(edition, programme(edition))
    for r, values in enumerate(rows, start=6):
        for c, value in enumerate(values, start=1):
            put_cell(ws, r, c, value if value != "" else None)
    lists = wb.create_sheet(_("Schools")[:MAX_SHEET_NAME])
    for k, school in enumerate(schools, start=1):
        put_cell(lists, k, 1, school.name)
    lists.sheet_state = "hidden"
    last = 5 + max(len(rows), 1)
    first_place = FIRST_PLACE_COLUMN + 1
    if schools:
        choose = DataValidation(
            type="list", formula1=f"'{lists.title}'!$A$1:$A${len(schools)}", allow_blank=True, showErrorMessage=False
        )  # "A + B" and "A / B" are typed, not picked
        choose.add(f"{get_column_letter(first_place)}6:{get_column_letter(first_place + size - 1)}{last}")
        ws.add_data_validation(choose)
    states = DataValidation(
        type="list", allow_blank=True, formula1=f'"{pgettext("result", "provisional")},{pgettext("result", "final")}"'
    )
    states.add(f"D6:D{last}")
    ws.add_data_validation(states)
    ws.column_dimensions["A"].width = max([len(str(r[0])) for r in rows] + [12]) + 2
    ws.column_dimensions["B"].hidden = True
    ws.column_dimensions["C"].hidden = True
    ws.column_dimensions["D"].width = 14
    for c in range(first_place, first_place + size):
        ws.column_dimensions[get_column_letter(c)].width = 22
    ws.freeze_panes = "B6"
    for r in range(6, last + 1):
        ws.cell(row=r, column=1).fill = PatternFill("solid", fgColor="F3F5F8")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


class Checker:
    """Checks a results table against the live edition; collects every problem with its cell."""

    def __init__(self, edition: Edition, may_enter) -> None:
        self.edition = edition
        self.may_enter = may_enter
        self.problems: list[Problem] = []
        self.entries = {e.discipline.slug: e for e in programme(edition)}
        self.lookup: dict[str, School] = {}
        self.names = {p.school.slug: p.school.name for p in edition.participations}
        for p in edition.participations:
            for key in (p.school.name, p.school.short_name, p.school.slug):
                self.lookup[key.casefold()] = p.school
        self.known = {
            key.casefold() for s in db.session.scalars(sa.select(School)) for key in (s.name, s.short_name, s.slug)
        }
        self.states = state_words()
        self.discipline = ""  # the discipline of the row being checked

    def problem(self, row: UploadRow, column: int, message: str) -> None:
        self.problems.append(Problem(row.sheet, row.ref(column), message, self.discipline))

    def podium_problem(self, row: UploadRow, column: int, problem: podium.Problem) -> None:
        """A problem of cartel.core.podium, in the words courtside entry uses for it."""
        self.problem(row, column, podium_problem(problem, self.names))

    def school(self, row: UploadRow, column: int, text: str) -> School | None:
        found = self.lookup.get(text.casefold())
        if found is None and text.casefold() in self.known:
            self.podium_problem(row, column, podium.Problem("not_participant", params={"school": text}))
        elif found is None:
            self.problem(row, column, _("Unknown school “%(school)s”.", school=text))
        return found

    def split(self, text: str, separator: str) -> list[str]:
        """``text`` cut at ``separator``, unless it names a school whole (a name may hold a "/")."""
        text = text.strip()
        if text.casefold() in self.lookup or separator not in text:
            return [text]
        parts, current = [], ""
        for piece in text.split(separator):
            current = f"{current}{separator}{piece}" if current else piece
            if current.strip().casefold() in self.lookup or self._resolves(current, separator):
                parts.append(current.strip())
                current = ""
        if current:
            parts.append(current.strip())
        return parts

    def _resolves(self, text: str, separator: str) -> bool:
        """A tie's part may be a joint team: it resolves when each of its schools does."""
        if separator != TIE or JOINT not in text:
            return False
        return all(name.strip().casefold() in self.lookup for name in text.split(JOINT))

    def teams(self, row: UploadRow) -> list[podium.Team[str]] | None:
        """The row's teams, each at the place of its column; None when there is a problem (each one said
        at its cell). Reading the cells' schools is the import's own; whether the places fit together
        (no place inside a tie, none empty above a filled one, no school twice) is cartel.core.podium's check."""
        teams: list[podium.Team[str]] = []  # by school slug, when every cell resolves
        checked: list[podium.Team[object]] = []  # the same, a cell that does not resolve standing as a team too
        resolved = True
        for place, text in enumerate(row.cells[FIRST_PLACE_COLUMN:], start=1):
            if not text:
                continue
            column = FIRST_PLACE_COLUMN + place - 1
            for team_text in self.split(text, TIE):
                schools = [self.school(row, column, name) for name in self.split(team_text, JOINT)]
                found = [s for s in schools if s is not None]
                if team_text and len(found) == len(schools):
                    team = podium.Team(place, tuple(s.slug for s in found))
                    teams.append(team)
                    checked.append(team)
                else:  # said at its cell, if it says anything; it still fills its place for the checks below
                    resolved = False
                    checked.append(podium.Team(place, (object(),)))
        teams.sort(key=lambda t: t.place)
        checked.sort(key=lambda t: t.place)
        rows = podium.rows_from_teams(checked, 0)  # empty rows where places are missing, ties as in the form
        placed = iter(checked)
        place_of = {k: next(placed).place if r.schools else k for k, r in enumerate(rows, start=1)}
        problems = podium.check_teams(checked) + [
            p
            for p in podium.check_rows(rows, set(self.names), edition_live=True, in_programme=True)
            if p.code not in ("empty", "not_participant")  # see change(); and school() said who takes part
        ]
        for problem in problems:
            if problem.row is None:  # a place inside a tie
                inside = problem.params["place"]
                assert isinstance(inside, int)  # check_teams gives the place as it found it
                self.podium_problem(row, FIRST_PLACE_COLUMN + inside - 1, problem)
                continue
            params = dict(problem.params)
            if "first_row" in params:  # where the school already is: its place (a tie's rows share one)
                first_row = params["first_row"]
                assert isinstance(first_row, int)  # check_rows gives the row's number
                params["first_row"] = place_of[first_row]
            at = FIRST_PLACE_COLUMN + place_of[problem.row] - 1
            self.podium_problem(row, at, podium.Problem(problem.code, problem.row, params))
        return teams if resolved and not problems else None

    def change(self, row: UploadRow) -> Change | None:
        cells = row.cells + ("",) * (FIRST_PLACE_COLUMN - len(row.cells))
        code, version_text, state_text = cells[1], cells[2], cells[3].casefold()
        entry = self.entries.get(code)
        self.discipline = discipline_name(entry.discipline) if entry is not None else cells[0]
        if entry is None:
            self.problem(row, 1, _("“%(code)s” is not a discipline of this edition's programme.", code=code or "—"))
            return None
        if not self.may_enter(entry.discipline_id):
            self.problem(row, 0, _("Your account may not enter this discipline."))
            return None
        teams = self.teams(row)
        if not any(row.cells[FIRST_PLACE_COLUMN:]) and not state_text:
            return None  # left empty: nothing to change
        state = self.states.get(state_text)
        if state is None:
            self.problem(row, 3, _("“%(value)s” is not a state: write provisional or final.", value=cells[3] or "—"))
        if not version_text.isdecimal() or len(version_text) > 9:
            self.problem(row, 2, _("The version is missing: download the template again."))
            return None
        if int(version_text) != entry.version:
            self.problem(
                row,
                0,
                _("This result was changed by someone else since the template was downloaded: download it again."),
            )
            return None
        if teams is None or state is None:
            return None
        if not teams:
            self.podium_problem(row, FIRST_PLACE_COLUMN, podium.Problem("empty"))
            return None
        before = tuple(sorted(current_teams(entry), key=lambda t: (t.place, t.schools)))
        after = tuple(sorted(teams, key=lambda t: (t.place, t.schools)))
        if before == after and state is entry.result_state:
            return None  # unchanged
        return Change(entry, entry.version, state, before, after)


def check(edition: Edition, table: Table, may_enter=lambda _discipline_id: True) -> tuple[list[Change], list[Problem]]:
    """Every change the table asks for, or every problem it has (then nothing may be applied)."""
    checker = Checker(edition, may_enter)
    changes: list[Change] = []
    seen: dict[str, int] = {}  # discipline code -> its row
    for row in table.rows:
        code = row.cells[1] if len(row.cells) > 1 else ""
        if code in seen:
            checker.discipline = row.cells[0]
            checker.problem(row, 1, _("This discipline is already on row %(row)s.", row=seen[code]))
            continue
        seen[code] = row.row
        change = checker.change(row)
        if change is not None:
            changes.append(change)
    return changes, checker.problems


def apply(edition: Edition, changes: list[Change], actor: Actor) -> int:
    """Write every change in the caller's unit of work: a version conflict anywhere writes nothing."""
    for change in changes:
        write_result(
            edition,
            change.entry,
            list(change.after),
            change.state,
            actor,
            expected_version=change.version,
            action=Action.RESULT_IMPORT,
        )
    return len(changes)
