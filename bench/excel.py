"""Time and peak memory of the Excel export and import on 60 synthetic editions (25 disciplines, 15 schools).

Usage: .venv/bin/python bench/excel.py [--editions 60]
Export (French, cold cache: rankings computed too): the history workbook and the last edition's workbook,
then the workbook writing alone (warm cache, median of 3). Import: the template of a live copy of that
edition, every discipline filled with places 1..8, then read_upload + check + apply.
Time is measured without tracemalloc; the tracemalloc peak (the call's Python allocations) in a second run.
Max RSS: ru_maxrss before and after the timed run, the high-water mark reset first (Linux clear_refs).
Prints a markdown table and puts it at the end of bench/RESULTS.md (replacing an earlier one).
"""

from __future__ import annotations

import argparse
import io
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import openpyxl
import sqlalchemy as sa

from bench.common import ROOT, fill, machine, migrated_app, sqlite_url
from cartel.core.clock import utcnow
from cartel.extensions import db
from cartel.files.upload import read_upload
from cartel.models import Edition, EditionStatus, Participation, PointsScheme, ProgrammeEntry
from cartel.read import exports, published, revisions
from cartel.write import imports
from cartel.write.audit import Actor
from cartel.write.unit import unit_of_work
from tests.synthetic import add_synthetic_history

HEADING = "## Excel export and import (bench/excel.py)"
CLEAR_REFS = Path("/proc/self/clear_refs")  # writing 5 resets the peak RSS to the current RSS (Linux)


def timed(fn):
    if CLEAR_REFS.exists():
        CLEAR_REFS.write_text("5")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start, before, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def traced(fn) -> float:
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return peak


def live_copy(source: Edition, year: int) -> Edition:
    """An empty live copy (as copy_of in tests/test_imports.py): same schools, programme and scheme."""
    copy = Edition(year=year, number=None, status=EditionStatus.LIVE)
    copy.participations = [Participation(school_id=p.school_id) for p in source.participations]
    copy.programme = [
        ProgrammeEntry(discipline_id=e.discipline_id, weight=e.weight, version=0) for e in source.programme
    ]
    copy.scheme = PointsScheme(
        place_points=list(source.scheme.place_points),
        tie_rule=source.scheme.tie_rule,
        tie_breaks=list(source.scheme.tie_breaks),
    )
    with unit_of_work():
        db.session.add(copy)
    return copy


def filled_template(edition: Edition, now) -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(imports.template_workbook(edition, now)))
    ws = wb.worksheets[0]
    names = [p.school.name for p in edition.participations]
    for r in range(6, ws.max_row + 1):  # every discipline: final, places 1..8, a different winner each time
        if ws.cell(row=r, column=2).value:
            ws.cell(row=r, column=4, value="définitif")
            for k in range(imports.places_needed(edition)):
                ws.cell(row=r, column=imports.FIRST_PLACE_COLUMN + 1 + k, value=names[(r + k) % len(names)])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def import_file(edition: Edition, data: bytes) -> int:
    """Read, check and apply a workbook, committed as the import view does (the commit is timed too)."""
    changes, problems = imports.check(edition, read_upload("t.xlsx", data))
    assert not problems, problems[:3]
    with unit_of_work():
        return imports.apply(edition, changes, Actor())


def run(app, last_year: int) -> list[tuple]:
    cache, now, rows = app.extensions["cartel_cache"], utcnow(), []
    with app.test_request_context():  # French, the default language

        def history():
            rev = revisions.history_revision()
            return exports.history_workbook(published.history(rev), published.records(rev), now)

        def edition():
            return exports.edition_workbook(published.edition_view(*revisions.edition_revision(last_year)), now)

        for label, fn in (
            (f"export: history, {last_year - 1899} editions", history),
            (f"export: edition {last_year}", edition),
        ):
            cache.clear()
            body, seconds, before, after = timed(fn)
            cache.clear()
            peak = traced(fn)  # and now warm: rankings stored, only the workbook is written
            warm = statistics.median(timed(fn)[1] for _ in range(3))
            rows.append((label, seconds, warm, peak, before, after, len(body), 2.0, 200))
        source = db.session.scalar(sa.select(Edition).filter_by(year=last_year))
        timing, tracing = live_copy(source, 2100), live_copy(source, 2101)  # a fresh copy for each run
        data, again = filled_template(timing, now), filled_template(tracing, now)
        count, seconds, before, after = timed(lambda: import_file(timing, data))
        assert count == len(timing.programme) == 25, count  # every discipline changed, no problem
        peak = traced(lambda: import_file(tracing, again))
        rows.append(
            (
                f"import: {count} disciplines x {imports.places_needed(timing)} places, "
                f"{len(timing.participations)} schools",
                seconds,
                None,
                peak,
                before,
                after,
                len(data),
                1,
                None,
            )
        )
    return rows


def table(rows: list[tuple]) -> str:
    lines = [
        "| measure | time, cold (s) | workbook alone, warm (s) | tracemalloc peak (MB) | max RSS before → after"
        " (MB) | file | goal | met |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for label, seconds, warm, peak, before, after, size, goal_s, goal_mb in rows:
        goal = f"< {goal_s:g} s" + (f", < {goal_mb} MB" if goal_mb else "")
        met = seconds < goal_s and (goal_mb is None or max(peak, after) < goal_mb)
        lines.append(
            f"| {label} | {seconds:.2f} | {'' if warm is None else f'{warm:.2f}'} | {peak:.1f} | "
            f"{before:.0f} → {after:.0f} | {size / 1024:.0f} KB | {goal} | {'yes' if met else '**no**'} |"
        )
    return "\n".join(lines)


def record(markdown: str, header: str, argv: list[str]) -> None:
    section = (
        f"{HEADING}\n\n{header}\n- database: SQLite file\n"
        f"- command: `{' '.join(['.venv/bin/python bench/excel.py', *argv])}`\n"
        "- max RSS: the process peak during the timed call (peak reset just before); met: time and "
        "both memory figures under the goal\n\n" + markdown + "\n"
    )
    path = ROOT / "bench" / "RESULTS.md"
    text = path.read_text() if path.exists() else ""
    head, found, rest = text.partition(HEADING)
    rest = rest[rest.find("\n## ") + 1 :] if found and "\n## " in rest else ""
    path.write_text((head.rstrip("\n") + "\n\n" if head.strip() else "") + section + rest)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--editions", type=int, default=60)
    args = parser.parse_args()
    header = machine(f"openpyxl {openpyxl.__version__}")
    with (
        tempfile.TemporaryDirectory() as tmp,
        migrated_app(sqlite_url(Path(tmp) / "excel.sqlite3")) as app,
    ):
        fill(app, lambda: add_synthetic_history(editions=args.editions, disciplines=25, schools=15))
        rows = run(app, 1900 + args.editions - 1)
    print(table(rows))
    record(table(rows), header, sys.argv[1:])


if __name__ == "__main__":
    main()
