"""An edition's schedule: the matches' days, times and venues, exported to a workbook and imported back
(all or nothing, each problem at its cell), with the conflicts it holds flagged."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import ngettext

from cartel.core.clock import utcnow
from cartel.files.limits import MAX_BYTES, UploadRefused
from cartel.files.upload import read_upload
from cartel.web.admin.base import actor, bp
from cartel.web.admin.editions import edition_or_404
from cartel.web.entry.forms import UploadForm
from cartel.web.entry.importing import XLSX, refusal_message, refusal_status
from cartel.words.tournaments import conflict_words
from cartel.write import schedule
from cartel.write.unit import unit_of_work


def schedule_page(edition, form: UploadForm, problems=(), status: int = 200) -> ResponseReturnValue:
    names = {p.school.slug: p.school.name for p in edition.participations}
    clashes = [(conflict_words(c, names), first, second) for c, first, second in schedule.schedule_conflicts(edition)]
    matches = sum(len(standing.matches) for _entry, standing in schedule.tournaments_of(edition))
    return render_template(
        "admin/schedule.html", edition=edition, form=form, problems=problems, clashes=clashes, matches=matches
    ), status


@bp.get("/editions/<int:year>/schedule")
def schedule_view(year: int) -> ResponseReturnValue:
    return schedule_page(edition_or_404(year), UploadForm())


@bp.get("/editions/<int:year>/schedule.xlsx")
def schedule_workbook(year: int) -> ResponseReturnValue:
    edition = edition_or_404(year)
    response = Response(schedule.template_workbook(edition, utcnow()), mimetype=XLSX)
    response.headers["Content-Disposition"] = f'attachment; filename="cartel-{edition.year}-schedule.xlsx"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/editions/<int:year>/schedule")
def schedule_import(year: int) -> ResponseReturnValue:
    edition = edition_or_404(year)
    form = UploadForm()
    if not form.validate_on_submit():
        return schedule_page(edition, form, status=400)
    upload = form.file.data
    try:
        data = upload.stream.read(MAX_BYTES + 1)
    finally:
        upload.close()
    try:
        table = read_upload(upload.filename or "", data, markers=schedule.MARKERS)
    except UploadRefused as error:
        form.file.errors.append(refusal_message(error))
        return schedule_page(edition, form, status=refusal_status(error))
    changes, problems = schedule.check(edition, table)
    if problems:
        return schedule_page(edition, UploadForm(), problems=problems, status=422)
    with unit_of_work():
        moved = schedule.apply(edition, changes, actor())
    flash(ngettext("Schedule saved: %(num)d match moved.", "Schedule saved: %(num)d matches moved.", moved))
    return redirect(url_for("admin.schedule_view", year=year), code=303)
