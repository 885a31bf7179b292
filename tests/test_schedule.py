"""An edition's schedule: exported with every match, filled in a spreadsheet, imported back all or nothing
with each problem at its cell, times kept in UTC and shown in the event's time, conflicts flagged."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import sqlalchemy as sa

from cartel.core.tournament.presets import PRESETS
from cartel.core.tournament.shapes import Shape
from cartel.core.tournament.spec import Spec
from cartel.extensions import db
from cartel.models import Match, Venue
from cartel.write.audit import Actor
from cartel.write.tournaments import set_up
from cartel.write.unit import unit_of_work
from tests.helpers import entry_of, text

URL = "/admin/editions/2026/schedule"


def prepared(live):
    live.edition.start_date, live.edition.end_date = dt.date(2026, 4, 16), dt.date(2026, 4, 18)
    db.session.commit()
    with unit_of_work():
        set_up(
            live.edition,
            entry_of(live, live.hb),
            Spec(Shape.KNOCKOUT, seeds=("ales", "albi", "nancy", "douai")),
            PRESETS["handball"],
            Actor(),
        )
        set_up(
            live.edition,
            entry_of(live, live.fb),
            Spec(Shape.ROUND_ROBIN, seeds=("ales", "albi", "nancy")),
            PRESETS["football"],
            Actor(),
        )


def workbook(admin):
    response = admin.get(URL + ".xlsx?lang=en")
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(response.data))


def rows_of(wb):
    ws = wb.active
    header = [c.value for c in ws[4]]
    assert header[-2:] == ["discipline", "code"]
    return ws, {(ws.cell(r, 8).value, ws.cell(r, 9).value): r for r in range(5, ws.max_row + 1)}


def upload(admin, wb, name="schedule.xlsx"):
    out = io.BytesIO()
    wb.save(out)
    return admin.post(
        URL + "?lang=en", data={"file": (io.BytesIO(out.getvalue()), name)}, content_type="multipart/form-data"
    )


def starts(live, code, slug="handball-men"):
    db.session.expire_all()
    return db.session.scalar(
        sa.select(Match)
        .join(Match.tournament)
        .where(Match.code == code)
        .filter_by(discipline_id=live.hb.id if slug == "handball-men" else live.fb.id)
    )


def test_a_schedule_goes_out_and_comes_back_with_times_in_the_event_s_zone(admin, live):
    prepared(live)
    wb = workbook(admin)
    ws, rows = rows_of(wb)
    assert len(rows) == 4 + 3  # the knockout's semi-finals, final and 3rd place; the pool's three matches
    assert ws.cell(rows[("handball-men", "1-4.1")], 3).value == "IMT Mines Alès"
    assert ws.cell(rows[("handball-men", "1-2")], 3).value == "—"  # not known yet
    r = rows[("handball-men", "1-4.1")]
    ws.cell(r, 5).value, ws.cell(r, 6).value, ws.cell(r, 7).value = dt.datetime(2026, 4, 16), "14:05", "Gymnase 1"
    r = rows[("football-women", "A-1.1")]
    ws.cell(r, 5).value, ws.cell(r, 6).value, ws.cell(r, 7).value = "17/04/2026", "9h30", "Stade"
    response = upload(admin, wb)
    assert response.status_code == 303, text(response)
    semi = starts(live, "1-4.1")
    assert semi.starts_at == dt.datetime(2026, 4, 16, 12, 5)  # 14:05 in Paris (summer time) is 12:05 UTC
    assert semi.venue.name == "Gymnase 1"
    assert {v.name for v in db.session.scalars(sa.select(Venue))} == {"Gymnase 1", "Stade"}
    # exported again as it was entered; the match list courtside shows its time and venue
    ws, rows = rows_of(workbook(admin))
    assert ws.cell(rows[("handball-men", "1-4.1")], 6).value == "14:05"
    assert "14:05 · Gymnase 1" in text(admin.get("/saisie/handball-men?lang=en"))


def test_a_schedule_with_a_mistake_is_refused_whole_saying_where(admin, live):
    prepared(live)
    wb = workbook(admin)
    ws, rows = rows_of(wb)
    good = rows[("handball-men", "1-4.1")]
    ws.cell(good, 5).value, ws.cell(good, 6).value = "2026-04-16", "10:00"
    late = rows[("handball-men", "1-4.2")]
    ws.cell(late, 5).value, ws.cell(late, 6).value = "2026-04-20", "10:00"  # after the edition
    bad = rows[("handball-men", "1-2")]
    ws.cell(bad, 5).value, ws.cell(bad, 6).value = "2026-04-17", "25:00"
    ws.cell(rows[("handball-men", "3-4")], 9).value = "9-9"
    response = upload(admin, wb)
    assert response.status_code == 422
    page = text(response)
    assert f"E{late}" in page and "outside the edition's days" in page
    assert f"F{bad}" in page and "“25:00” is not a time" in page
    assert "No match 9-9 in handball-men" in page
    assert starts(live, "1-4.1").starts_at is None  # nothing saved, not even the good row


def test_conflicts_are_flagged_not_moved(admin, live):
    prepared(live)
    wb = workbook(admin)
    ws, rows = rows_of(wb)
    for key, time, venue in [
        (("handball-men", "1-4.1"), "10:00", "Gymnase 1"),  # Alès v IMT Nord Europe
        (("football-women", "A-1.1"), "10:10", "Gymnase 1"),  # the same venue, and Albi v Nancy
        (("football-women", "A-2.1"), "10:15", "Stade"),  # Alès again, still playing handball
    ]:
        ws.cell(rows[key], 5).value, ws.cell(rows[key], 6).value, ws.cell(rows[key], 7).value = (
            "2026-04-16",
            time,
            venue,
        )
    assert upload(admin, wb).status_code == 303
    page = text(admin.get(URL + "?lang=en"))
    assert "Gymnase 1 is booked for two matches at once" in page
    assert "IMT Mines Alès plays two matches at once" in page
    assert starts(live, "A-1.1", "football-women").starts_at == dt.datetime(2026, 4, 16, 8, 10)  # kept as entered


def test_the_schedule_is_the_administrator_s(organiser, live):
    assert organiser.get(URL).status_code == 403
