"""Exports: an edition or the whole history as a workbook, a ranking as CSV, in the reader's language.

Built from what cartel.read.published computed; cartel.files.excel writes the files.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from fractions import Fraction

from flask_babel import format_datetime, get_locale, ngettext, pgettext
from flask_babel import gettext as _

from cartel.core.collation import folded
from cartel.core.records import PalmaresEntry
from cartel.files.excel import BarChartSpec, Column, Sheet, build_csv, build_workbook
from cartel.read.published import EditionView, counted_editions, school_rows
from cartel.read.standings import EditionStanding, History, discipline_points
from cartel.read.tournaments import TournamentView
from cartel.words import labels
from cartel.words.i18n import discipline_name
from cartel.words.tournaments import criterion_words, local_zone_time, match_name, score_words, state_words
from cartel.words.tournaments import team_name as team_words

POINTS = "General"  # values are already rounded to two decimals: "10" and "6.67", never "10."


def _points_format(values) -> str:
    """Whole numbers without decimals; otherwise two."""
    return "0" if all(v is None or Fraction(v).denominator == 1 for v in values) else "0.00"


def edition_title(edition) -> str:
    if edition.number:
        return _("Cartel %(year)s (edition %(number)s)", year=edition.year, number=edition.number)
    return _("Cartel %(year)s", year=edition.year)


def exported_line(now: dt.datetime) -> str:
    return _("Exported on %(when)s (Paris time)", when=format_datetime(now, "dd/MM/yyyy HH:mm"))


def standing_line(standing: EditionStanding) -> str:
    if standing.kind == "computed" and standing.provisional:
        return ngettext(
            "Provisional ranking: %(num)s of %(total)s disciplines has a final result.",
            "Provisional ranking: %(num)s of %(total)s disciplines have a final result.",
            standing.final_disciplines,
            total=standing.total_disciplines,
        )
    if standing.kind == "computed":
        return _("Final ranking: all %(total)s disciplines have a final result.", total=standing.total_disciplines)
    if standing.kind == "official" and standing.partial:
        return _("Official standing, partial: only what the sources tell is shown.")
    if standing.kind == "official":
        return _("Official standing.")
    return _("The general ranking of this edition is not known.")


state_label = labels.result_state


def team_name(schools) -> str:
    return labels.joint(s.name for s in schools)


def ranking_table(standing: EditionStanding) -> tuple[tuple[Column, ...], tuple[tuple, ...]]:
    points_format = _points_format([r.points for r in standing.rows])
    columns = (
        Column(_("Rank"), "0"),
        Column(_("School"), min_width=20),
        Column(_("Points"), points_format),
        Column(_("1st places"), "0"),
        Column(_("2nd places"), "0"),
        Column(_("3rd places"), "0"),
        Column(_("Adjustments"), _points_format([r.adjustment_points for r in standing.rows])),
    )
    rows = tuple(
        (r.rank, r.school.name, r.points, *(r.medals or (None, None, None)), r.adjustment_points or None)
        for r in standing.rows
    )
    return columns, rows


def _points_unknown(view: EditionView, earned: dict[int, dict[int, Fraction]] | None) -> tuple[str, ...]:
    """Why the Results sheet says "not known" for the points of placed schools, if it does."""
    if earned is not None or not any(podium.places for podium in view.podiums):
        return ()
    if view.standing.data.scheme is None:
        return (_("Points per discipline not known: the edition has no points scheme."),)
    if view.standing.kind == "official":
        return (_("Points per discipline not known: the places on record do not give the edition's official totals."),)
    return (_("Points per discipline not known."),)


def tournament_sheets(
    tournaments: Mapping[str, TournamentView], names: Mapping[str, str], head: tuple[str, ...]
) -> list[Sheet]:
    """The edition's tournaments: every match (pools, then the brackets) and every pool's table."""
    match_rows = []
    pool_rows = []
    for view in tournaments.values():
        standing = view.standing
        discipline = discipline_name(view.discipline)
        for code, match in standing.matches.items():
            home, away = standing.resolution.slots.get(code, (None, None))
            when = local_zone_time(match.starts_at) if match.starts_at else None
            match_rows.append(
                (
                    discipline,
                    match_name(code),
                    team_words(home, names),
                    team_words(away, names),
                    score_words(standing.sheets.get(code), names, (home, away))
                    if match.state.value != "scheduled"
                    else None,
                    state_words(match.state.value),
                    when.strftime("%Y-%m-%d") if when else None,
                    when.strftime("%H:%M") if when else None,
                    view.venues.get(code),
                )
            )
        for name, table in standing.resolution.tables.items():
            decided = {team: note.criterion for note in table.notes for team in note.teams}
            for line in table.lines:
                criterion = decided.get(line.team)
                pool_rows.append(
                    (
                        discipline,
                        name,
                        table.ranks.get(line.team),
                        team_words(line.team, names),
                        line.played,
                        line.won,
                        line.drawn,
                        line.lost,
                        line.scored,
                        line.conceded,
                        line.difference,
                        line.match_points,
                        criterion_words(criterion) if criterion else None,
                    )
                )
    if not match_rows:
        return []
    matches = Sheet(
        _("Matches"),
        (
            Column(_("Discipline"), min_width=18),
            Column(_("Match"), min_width=16),
            Column(_("Home"), min_width=18),
            Column(_("Away"), min_width=18),
            Column(_("Score")),
            Column(_("State")),
            Column(_("Day")),
            Column(_("Time")),
            Column(_("Venue")),
        ),
        tuple(match_rows),
        head,
    )
    number = "0"
    pools = Sheet(
        _("Pools"),
        (
            Column(_("Discipline"), min_width=18),
            Column(_("Pool")),
            Column(_("Rank"), number),
            Column(_("Team"), min_width=18),
            Column(_("Played"), number),
            Column(_("Won"), number),
            Column(_("Drawn"), number),
            Column(_("Lost"), number),
            Column(_("For"), number),
            Column(_("Against"), number),
            Column(_("Difference"), number),
            Column(_("Points"), number),
            Column(_("Decided by"), min_width=16),
        ),
        tuple(pool_rows),
        head,
    )
    return [matches, pools]


def edition_workbook(
    view: EditionView, now: dt.datetime, tournaments: Mapping[str, TournamentView] | None = None
) -> bytes:
    standing, edition = view.standing, view.edition
    title = edition_title(edition)
    head = (title, exported_line(now), standing_line(standing))
    columns, rows = ranking_table(standing)
    ranking = Sheet(
        _("Ranking"),
        columns,
        rows,
        head,
        chart=BarChartSpec(_("Points per school"), 2, 3, _("Points")) if standing.kind != "none" else None,
    )

    schools = [r.school for r in standing.rows]
    schools += sorted(
        {s for p in view.podiums for _place, team in p.places for s in team if s.id not in {x.id for x in schools}},
        key=lambda s: folded(s.name),
    )
    earned = discipline_points(standing)
    result_columns = [Column(_("Discipline"), min_width=18), Column(_("State"))]
    for s in schools:
        result_columns += [
            Column(_("%(school)s: place", school=s.short_name), "0"),
            Column(_("%(school)s: points", school=s.short_name), POINTS),
        ]
    result_rows = []
    for podium in view.podiums:
        place_of = {s.id: place for place, team in podium.places for s in team}
        row: list[object] = [discipline_name(podium.entry.discipline), state_label(podium.entry.result_state.value)]
        for s in schools:
            if s.id not in place_of:
                points: object = None
            elif earned is None:
                points = _("not known")
            else:
                points = earned[podium.entry.discipline_id].get(s.id, Fraction(0))
            row += [place_of.get(s.id), points]
        result_rows.append(tuple(row))
    results = Sheet(_("Results"), tuple(result_columns), tuple(result_rows), head, notes=_points_unknown(view, earned))

    podium_rows = []
    for podium in view.podiums:
        by_place = [
            ", ".join(team_name(team) for place, team in podium.places if place == k) or None for k in (1, 2, 3)
        ]
        corrected = (
            format_datetime(podium.entry.corrected_at, "dd/MM/yyyy HH:mm") if podium.entry.corrected_at else None
        )
        podium_rows.append(
            (
                discipline_name(podium.entry.discipline),
                state_label(podium.entry.result_state.value),
                *by_place,
                corrected,
            )
        )
    podiums = Sheet(
        _("Podiums"),
        (
            Column(_("Discipline"), min_width=18),
            Column(_("State")),
            Column(_("1st")),
            Column(_("2nd")),
            Column(_("3rd")),
            Column(_("Corrected at")),
        ),
        tuple(podium_rows),
        head,
    )

    adjustments = standing.data.adjustments
    penalties = Sheet(
        _("Penalties"),
        (
            Column(_("School"), min_width=20),
            Column(_("Points"), _points_format([a.points for a in adjustments])),
            Column(_("Reason"), min_width=30),
            Column(_("Recorded at")),
        ),
        tuple(
            (a.school.name, a.points, a.reason, format_datetime(a.created_at, "dd/MM/yyyy HH:mm")) for a in adjustments
        ),
        head,
    )
    names = {s.slug: s.name for s in schools}
    more = tournament_sheets(tournaments or {}, names, head)
    return build_workbook([ranking, results, podiums, penalties, *more], title)


def ranking_csv(view: EditionView) -> bytes:
    """The ranking for a double-click in Excel: French: semicolons and decimal commas; English: commas
    and decimal points (what each Excel expects of a CSV file). The header row is the first line, so
    that a program reading it (pandas, a spreadsheet's import) finds the columns: the edition, the
    export time and whether the ranking is provisional are in the file's name (ranking_csv_name)."""
    columns, rows = ranking_table(view.standing)
    french = str(get_locale()) == "fr"
    return build_csv(columns, rows, delimiter=";" if french else ",", decimal="," if french else ".")


def ranking_csv_name(view: EditionView, now: dt.datetime) -> str:
    """classement-2026-provisoire-2026-04-12-1530.csv: the edition, the state, the export time (Paris)."""
    provisional = view.standing.kind == "computed" and view.standing.provisional
    parts = [_("ranking"), str(view.edition.year), *([pgettext("result", "provisional")] if provisional else [])]
    return "-".join([*parts, format_datetime(now, "yyyy-MM-dd-HHmm")]) + ".csv"


def _winner_cell(p: PalmaresEntry, name: dict) -> str:
    """The roll of honour's winner cell: the winners, or why there is none."""
    if p.status == "cancelled":
        return _("cancelled")
    if p.status == "live":
        return _("live")
    if p.status == "planned":
        return _("planned")
    return ", ".join(name[w] for w in p.winners) or _("not known")


def history_workbook(history: History, records, now: dt.datetime) -> bytes:
    head = (_("Cartel des Mines: history"), exported_line(now))
    name = {s.id: s.name for s in history.schools.values()}
    palmares = Sheet(
        _("Roll of honour"),
        (
            Column(_("Year"), "0"),
            Column(_("No."), "0"),
            Column(_("Host"), min_width=18),
            Column(_("Winner"), min_width=20),
            Column(_("Points"), _points_format([p.winner_points for p in records.palmares])),
        ),
        tuple(
            (
                p.year,
                p.number,
                name.get(p.host),
                _winner_cell(p, name),
                p.winner_points,
            )
            for p in reversed(records.palmares)
        ),
        head,
    )
    titles = Sheet(
        _("Titles"),
        (
            Column(_("School"), min_width=20),
            Column(_("Titles"), "0"),
            Column(_("Counted")),
        ),
        tuple((name[t.school], t.count, _("at least") if t.at_least else _("exactly")) for t in records.titles),
        head,
        chart=BarChartSpec(_("Titles per school"), 1, 2, _("Titles")) if records.titles else None,
    )
    record_rows = []
    if records.record_points:
        holders = records.record_points.holders
        record_rows.append(
            (
                _("Record points total in one edition"),
                records.record_points.points,
                ", ".join(name[s] for s, _y in holders),
                ", ".join(str(y) for _s, y in holders),
            )
        )
    for s in records.longest_streaks:
        record_rows.append((_("Longest winning streak"), s.length, name[s.school], f"{s.first_year}–{s.last_year}"))
    for s in records.current_streaks:
        record_rows.append((_("Current winning streak"), s.length, name[s.school], f"{s.first_year}–{s.last_year}"))
    for school, year, n in records.most_disciplines_won:
        record_rows.append((_("Most disciplines won in one edition"), n, name[school], str(year)))
    for school, year, n in records.podium_in_every_discipline:
        record_rows.append((_("Podium in every discipline"), n, name[school], str(year)))
    record_sheet = Sheet(
        _("Records"),
        (
            Column(_("Record"), min_width=30),
            Column(_("Value"), POINTS),
            Column(_("School"), min_width=20),
            Column(_("Year")),
        ),
        tuple(record_rows),
        head,
    )
    result_rows = []
    for school in sorted(history.schools.values(), key=lambda s: folded(s.name)):
        for standing, row in school_rows(history, school):
            medals = row.medals if row and row.medals else (None, None, None)
            result_rows.append(
                (
                    school.name,
                    standing.edition.year,
                    labels.edition_status(standing.edition.status),  # a live edition's rank is not its last
                    row.rank if row else None,
                    row.points if row else None,
                    *medals,
                )
            )
    by_school = Sheet(
        _("Results by school"),
        (
            Column(_("School"), min_width=20),
            Column(_("Year"), "0"),
            Column(_("Edition")),
            Column(_("Rank"), "0"),
            Column(_("Points"), _points_format([r[4] for r in result_rows])),
            Column(_("1st places"), "0"),
            Column(_("2nd places"), "0"),
            Column(_("3rd places"), "0"),
        ),
        tuple(result_rows),
        head,
    )
    finished = len(counted_editions(history))
    palmares_notes = (
        ngettext("%(num)s finished edition is recorded.", "%(num)s finished editions are recorded.", finished),
    )
    palmares = Sheet(palmares.name, palmares.columns, palmares.rows, palmares.title_lines, notes=palmares_notes)
    return build_workbook([palmares, titles, record_sheet, by_school], _("Cartel des Mines: history"))
