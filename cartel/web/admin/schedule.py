"""An edition's schedule: the matches' days, times and venues, exported to a workbook and imported back
(all or nothing, each problem at its cell), with the conflicts it holds flagged."""

from __future__ import annotations

import segno
import sqlalchemy as sa
from flask import Response, flash, make_response, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext

from cartel.core.clock import utcnow
from cartel.extensions import db
from cartel.files.limits import MAX_BYTES, UploadRefused
from cartel.files.upload import read_upload
from cartel.models import Venue
from cartel.web.admin.base import actor, bp
from cartel.web.admin.editions import edition_or_404
from cartel.web.admin.forms import VenueLinkForm
from cartel.web.entry.forms import UploadForm
from cartel.web.entry.importing import XLSX, refusal_message, refusal_status
from cartel.web.forms import once
from cartel.words.tournaments import conflict_words
from cartel.write import accounts, schedule
from cartel.write.unit import unit_of_work


def schedule_page(
    edition, form: UploadForm, problems=(), status: int = 200, links: VenueLinkForm | None = None
) -> ResponseReturnValue:
    names = {p.school.slug: p.school.name for p in edition.participations}
    clashes = [(conflict_words(c, names), first, second) for c, first, second in schedule.schedule_conflicts(edition)]
    matches = sum(len(standing.matches) for _entry, standing in schedule.tournaments_of(edition))
    venues = list(db.session.scalars(sa.select(Venue).filter_by(edition_id=edition.id).order_by(Venue.name)))
    return render_template(
        "admin/schedule.html",
        edition=edition,
        form=form,
        problems=problems,
        clashes=clashes,
        matches=matches,
        venues=venues,
        links=links or VenueLinkForm(),
    ), status


@bp.post("/editions/<int:year>/schedule/links")
def venue_links(year: int) -> ResponseReturnValue:
    """A link per venue, printed on one sheet (shown once: only their hashes are kept)."""
    edition = edition_or_404(year)
    form = VenueLinkForm()
    venues = list(db.session.scalars(sa.select(Venue).filter_by(edition_id=edition.id).order_by(Venue.name)))
    if not form.validate_on_submit() or not venues:
        return schedule_page(edition, UploadForm(), status=422, links=form)
    with unit_of_work():
        claimed = once(form, actor(), f"venue-links:{edition.year}")
        issued = (
            []
            if claimed.repeated
            else accounts.issue_venue_links(edition, venues, form.label.data, form.hours.data, actor())
        )
    if claimed.repeated:
        flash(_("These links had already been issued by this same form: nothing was issued again."), "error")
        return redirect(url_for("admin.schedule_view", year=year), code=303)
    sheets = []
    for link, token in issued:
        url = url_for("links.use_link", token=token, _external=True)
        sheets.append((link, url, segno.make(url, error="m").svg_inline(scale=5, dark="#000", omitsize=True)))
    response = make_response(render_template("admin/link_sheet.html", edition=edition, sheets=sheets))
    response.headers["Cache-Control"] = "no-store"
    return response


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
