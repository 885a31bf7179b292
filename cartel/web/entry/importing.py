"""Bulk entry from a spreadsheet: download the template, upload it filled, preview, apply."""

from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer

from cartel.core import podium
from cartel.core.clock import utcnow
from cartel.files.upload import MAX_BYTES, UploadRefused, read_upload
from cartel.models import Edition, ResultState
from cartel.web.entry.access import require_organiser
from cartel.web.entry.forms import ApplyForm, UploadForm
from cartel.web.entry.views import bp, live_edition
from cartel.write import imports
from cartel.write.results import VersionConflict
from cartel.write.unit import unit_of_work

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TOKEN_MAX_AGE = 3600


def refusal_message(error: UploadRefused) -> str:
    return {
        "too_large": _("The file is larger than %(mb)s MB.", mb=MAX_BYTES // (1024 * 1024)),
        "type": _("Send the template as .xlsx, or a .csv file."),
        "encrypted": _("The workbook is encrypted or in the old .xls format: save it as a plain .xlsx."),
        "macros": _("Workbooks with macros are refused: save it as a plain .xlsx."),
        "bomb": _("The workbook is abnormally large once unpacked: it is refused."),
        "not_a_workbook": _("The file is not a readable .xlsx workbook."),
        "encoding": _("The CSV file is not in UTF-8: save it as “CSV UTF-8”."),
        "no_header": _("No results table found: the header row with “Code” and “Version” is missing."),
    }.get(error.code, error.code)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="results-import")


def _token(changes: list[imports.Change]) -> str:
    return _serializer().dumps(
        [
            [c.entry.discipline.slug, c.version, c.state.value, [[t.place, list(t.schools)] for t in c.after]]
            for c in changes
        ]
    )


def _changes_from(token: str, edition) -> list[imports.Change]:
    entries = {e.discipline.slug: e for e in imports.programme(edition)}
    changes = []
    for code, version, state, teams in _serializer().loads(token, max_age=TOKEN_MAX_AGE):
        entry = entries.get(code) or abort(409)
        changes.append(
            imports.Change(entry, version, ResultState(state), (), tuple(podium.Team(p, tuple(s)) for p, s in teams))
        )
    return changes


def _edition() -> Edition:
    return live_edition() or abort(404, description=_("No edition is live."))


@bp.get("/import")
def import_page() -> ResponseReturnValue:
    require_organiser()
    return render_template("entry/import.html", edition=_edition(), form=UploadForm())


@bp.get("/import/template.xlsx")
def import_template() -> ResponseReturnValue:
    require_organiser()
    edition = _edition()
    response = Response(imports.template_workbook(edition, utcnow()), mimetype=XLSX)
    response.headers["Content-Disposition"] = f'attachment; filename="cartel-{edition.year}-results.xlsx"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/import")
def import_check() -> ResponseReturnValue:
    require_organiser()
    edition = _edition()
    form = UploadForm()
    if not form.validate_on_submit():
        return render_template("entry/import.html", edition=edition, form=form), 400
    upload = form.file.data
    try:
        data = upload.stream.read(MAX_BYTES + 1)
    finally:
        upload.close()  # a large upload sits in a temporary file
    try:
        table = read_upload(upload.filename or "", data)
    except UploadRefused as error:
        form.file.errors.append(refusal_message(error))
        return render_template("entry/import.html", edition=edition, form=form), 422
    changes, problems = imports.check(edition, table, current_user.may_enter)
    names = {p.school.slug: p.school.name for p in edition.participations}
    if problems:
        return render_template("entry/import.html", edition=edition, form=UploadForm(), problems=problems), 422
    apply_form = ApplyForm(changes=_token(changes))
    return render_template(
        "entry/import.html",
        edition=edition,
        form=UploadForm(),
        changes=changes,
        names=names,
        apply_form=apply_form,
        filename=upload.filename,
    )


@bp.post("/import/apply")
def import_apply() -> ResponseReturnValue:
    actor = require_organiser()
    edition = _edition()
    form = ApplyForm()
    if not form.validate_on_submit():
        abort(400, description=_("The form has expired: upload the file again."))
    try:
        changes = _changes_from(form.changes.data, edition)
    except BadSignature:
        abort(400, description=_("This preview is too old or was altered: upload the file again."))
    if any(not current_user.may_enter(c.entry.discipline_id) for c in changes):
        abort(403)
    try:
        with unit_of_work():
            count = imports.apply(edition, changes, actor)
    except VersionConflict:
        flash(
            _("A result was changed by someone else meanwhile: nothing was imported. Download the template again."),
            "error",
        )
        return redirect(url_for("entry.import_page"), code=303)
    flash(ngettext("%(num)s result imported.", "%(num)s results imported.", count))
    return redirect(url_for("entry.index"), code=303)
