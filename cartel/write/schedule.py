"""The schedule of an edition's matches: a workbook exported with every match (its teams as far as known,
its day, time and venue) and imported back, checked cell by cell and applied all or nothing, venues
created as named; and the conflicts of the schedule (a team twice at once, a venue double-booked, too
little rest), flagged, never moved silently."""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from flask_babel import format_date
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from cartel.core.audit import Action
from cartel.core.tournament.schedule import Conflict, Slot, conflicts
from cartel.extensions import db
from cartel.files.excel import put_cell, xml_text
from cartel.files.upload import Table, UploadRow
from cartel.models import Discipline, Edition, Match, Tournament, Venue
from cartel.read.exports import edition_title, exported_line
from cartel.read.tournaments import tournaments_of
from cartel.words.i18n import discipline_name
from cartel.words.tournaments import match_name, team_name
from cartel.write.audit import Actor, record

MARKERS = ("discipline", "code")  # the template's technical columns, in every language
DAY, TIME, VENUE, SLUG, CODE = 4, 5, 6, 7, 8  # their columns (0-based)
HEADER_ROW = 4
TIME_TEXT = re.compile(r"^(\d{1,2})\s*[:hH]\s*(\d{2})(?::\d{2})?$")
DAY_TEXT = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00)?)?$")
FRENCH_DAY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
MAX_VENUE = 80


def zone() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Europe/Paris"))


def local(when: dt.datetime) -> dt.datetime:
    """A stored time (naive UTC) in the edition's time zone, naive."""
    return when.replace(tzinfo=dt.UTC).astimezone(zone()).replace(tzinfo=None)


def stored(when: dt.datetime) -> dt.datetime:
    """A local time (naive, the edition's time zone) as stored: naive UTC."""
    return when.replace(tzinfo=zone()).astimezone(dt.UTC).replace(tzinfo=None)


# --- the workbook -----------------------------------------------------------------------------------


def template_workbook(edition: Edition, now: dt.datetime) -> bytes:
    """Every match of the edition's tournaments, one per row, with its day, time and venue as scheduled."""
    names = {p.school.slug: p.school.name for p in edition.participations}
    wb = Workbook()
    ws = wb.active
    ws.title = _("Schedule")[:31]
    put_cell(ws, 1, 1, edition_title(edition))
    put_cell(ws, 2, 1, exported_line(now))
    put_cell(
        ws,
        3,
        1,
        _("Day as 2027-04-16, time as 14:05 (the event's local time), venue by its name; an empty day unschedules."),
    )
    header = [_("Competition"), _("Match"), _("Home"), _("Away"), _("Day"), _("Time"), _("Venue"), *MARKERS]
    for c, title in enumerate(header, start=1):
        put_cell(ws, HEADER_ROW, c, title)
    row = HEADER_ROW + 1
    for entry, standing in tournaments_of(edition):
        for code in standing.fixtures:
            match = standing.matches[code]
            home, away = standing.resolution.slots.get(code, (None, None))
            when = local(match.starts_at) if match.starts_at else None
            values = [
                discipline_name(entry.discipline),
                match_name(code),
                team_name(home, names),
                team_name(away, names),
                when.date() if when else None,
                when.strftime("%H:%M") if when else None,
                match.venue.name if match.venue else None,
                entry.discipline.slug,
                code,
            ]
            for c, value in enumerate(values, start=1):
                cell = put_cell(ws, row, c, value)
                if c == DAY + 1 and value is not None:
                    cell.number_format = "yyyy-mm-dd"
            row += 1
    for c, width in enumerate((22, 24, 24, 24, 12, 8, 18, 18, 10), start=1):
        ws.column_dimensions[get_column_letter(c)].width = width
    ws.freeze_panes = f"C{HEADER_ROW + 1}"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- checking and applying --------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    sheet: str
    cell: str
    message: str


@dataclass(frozen=True)
class Change:
    match_id: int
    starts_at: dt.datetime | None  # naive UTC
    venue: str | None


def _day(text: str) -> dt.date | None:
    for pattern, order in ((DAY_TEXT, (1, 2, 3)), (FRENCH_DAY, (3, 2, 1))):
        found = pattern.match(text)
        if found:
            year, month, day = (int(found.group(k)) for k in order)
            try:
                return dt.date(year, month, day)
            except ValueError:
                return None
    return None


def _time(text: str) -> dt.time | None:
    found = TIME_TEXT.match(text)
    if not found:
        return None
    hour, minute = int(found.group(1)), int(found.group(2))
    return dt.time(hour, minute) if hour < 24 and minute < 60 else None


def check(edition: Edition, table: Table) -> tuple[list[Change], list[Problem]]:
    """Every change the table asks for, or every problem it has, at its cell (then nothing is applied)."""
    matches = {
        (slug, code): match_id
        for slug, code, match_id in db.session.execute(
            sa.select(Discipline.slug, Match.code, Match.id)
            .join(Tournament, Tournament.id == Match.tournament_id)
            .join(Discipline, Discipline.id == Tournament.discipline_id)
            .where(Tournament.edition_id == edition.id)
        )
    }
    problems: list[Problem] = []
    changes: list[Change] = []
    seen: dict[tuple[str, str], int] = {}

    def problem(row: UploadRow, column: int, message: str) -> None:
        problems.append(Problem(row.sheet, row.ref(column), message))

    for row in table.rows:
        cells = list(row.cells) + [""] * (CODE + 1 - len(row.cells))
        key = (cells[SLUG], cells[CODE])
        if key not in matches:
            problem(
                row, CODE, _("No match %(code)s in %(discipline)s of this edition.", code=key[1], discipline=key[0])
            )
            continue
        if key in seen:
            problem(row, CODE, _("This match is already on row %(row)s.", row=seen[key]))
            continue
        seen[key] = row.row
        day_text, time_text, venue = cells[DAY], cells[TIME], cells[VENUE].strip()
        starts_at = None
        if day_text or time_text:
            day, time = _day(day_text), _time(time_text)
            if day is None:
                problem(row, DAY, _("“%(value)s” is not a day: write it as 2027-04-16.", value=day_text))
            if time is None:
                problem(row, TIME, _("“%(value)s” is not a time: write it as 14:05.", value=time_text))
            if day is not None and edition.start_date and edition.end_date:
                if not edition.start_date <= day <= edition.end_date:
                    problem(
                        row,
                        DAY,
                        _(
                            "%(day)s is outside the edition's days (%(first)s to %(last)s).",
                            day=format_date(day),
                            first=format_date(edition.start_date),
                            last=format_date(edition.end_date),
                        ),
                    )
            if day is not None and time is not None:
                starts_at = stored(dt.datetime.combine(day, time))
        if len(venue) > MAX_VENUE or xml_text(venue) != venue:
            problem(row, VENUE, _("A venue's name is at most %(count)s printable characters.", count=MAX_VENUE))
        changes.append(Change(matches[key], starts_at, venue or None))
    return changes, problems


def apply(edition: Edition, changes: list[Change], actor: Actor) -> int:
    """Write the schedule in the caller's unit of work; the venues named are created as needed."""
    venues = {v.name: v for v in db.session.scalars(sa.select(Venue).filter_by(edition_id=edition.id))}
    for name in sorted({c.venue for c in changes if c.venue} - set(venues)):
        venues[name] = Venue(edition_id=edition.id, name=name)
        db.session.add(venues[name])
    db.session.flush()
    moved = 0
    for change in changes:
        match = db.session.get(Match, change.match_id)
        assert match is not None  # checked just before, in this transaction
        venue_id = venues[change.venue].id if change.venue else None
        if (match.starts_at, match.venue_id) != (change.starts_at, venue_id):
            match.starts_at, match.venue_id = change.starts_at, venue_id
            match.sequence += 1  # calendars that hold it update their copy
            moved += 1
    db.session.flush()
    record(actor, Action.SCHEDULE_SET, edition.year, None, {"matches": moved}, edition_id=edition.id)
    return moved


def schedule_conflicts(edition: Edition) -> list[tuple[Conflict, str, str]]:
    """The conflicts of the edition's schedule, each with the two matches in words."""
    slots: list[Slot] = []
    words: dict[str, str] = {}
    for entry, standing in tournaments_of(edition):
        slug = entry.discipline.slug
        for code, match in standing.matches.items():
            key = f"{slug}/{code}"
            words[key] = f"{discipline_name(entry.discipline)} — {match_name(code)}"
            if match.starts_at is None:
                continue
            slots.append(
                Slot(
                    key,
                    local(match.starts_at),
                    standing.rules.match_minutes,
                    match.venue.name if match.venue else None,
                    standing.resolution.slots.get(code, (None, None)),
                    standing.rules.rest_minutes,
                )
            )
    return [(c, words[c.keys[0]], words[c.keys[1]]) for c in conflicts(slots)]
