"""Bulk entry from a spreadsheet: download the template, upload it filled, preview, apply."""

from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer

from cartel.core import podium
from cartel.core.clock import utcnow
from cartel.files.limits import MAX_BYTES, MAX_CELL_CHARS, UploadRefused
from cartel.files.upload import read_upload
from cartel.models import Edition, ResultState
from cartel.web.entry.access import require_organiser
from cartel.web.entry.forms import ApplyForm, UploadForm
from cartel.web.entry.views import bp, live_edition
from cartel.web.forms import once
from cartel.write import imports
from cartel.write.results import VersionConflict
from cartel.write.unit import unit_of_work

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TOKEN_MAX_AGE = 3600
MAX_PROBLEMS_SHOWN = 50  # then how many more: a file of a thousand bad rows gives a short page


def refusal_message(error: UploadRefused) -> str:
    """What the organiser reads about a refused file, in their language: what was wrong, and what to send."""
    params = {k: format_decimal(v) if isinstance(v, int) else v for k, v in error.params.items()}
    code = error.code
    if code == "type":
        if params.get("extension"):
            return _(
                "The file is a “%(extension)s”: send the template as .xlsx (in LibreOffice: Save as, "
                "“Excel 2007-365”), or a .csv file.",
                extension=params["extension"],
            )
        return _("The file name has no extension: send the template as .xlsx, or a .csv file.")
    if code == "too_many_rows" and "cell" in params:
        return _(
            "The file holds a value in %(cell)s, below the first %(rows)s rows that are read: the results "
            "table must fit in them (the template has one row per discipline). Delete what lies below it.",
            **params,
        )
    messages = {
        "too_large": lambda: _("The file is larger than %(mb)s MB.", mb=MAX_BYTES // (1024 * 1024)),
        "encrypted": lambda: _("The workbook is encrypted or in the old .xls format: save it as a plain .xlsx."),
        "macros": lambda: _("Workbooks with macros are refused: save it as a plain .xlsx."),
        "bomb": lambda: _("The workbook is abnormally large once unpacked: it is refused."),
        "not_a_workbook": lambda: _("The file is not a readable .xlsx workbook."),
        "damaged": lambda: _(
            "The workbook is damaged or incomplete: open it in a spreadsheet program and save it again as .xlsx."
        ),
        "xlsx_holds_text": lambda: _("The file is named .xlsx but holds text: a CSV file must be named .csv."),
        "csv_holds_workbook": lambda: _(
            "The file is named .csv but holds a workbook: name it .xlsx, or save it as “CSV UTF-8”."
        ),
        "not_text": lambda: _("The file is named .csv but does not hold text: save it as “CSV UTF-8”."),
        "encoding": lambda: _("The CSV file is not in UTF-8: save it as “CSV UTF-8”."),
        "damaged_csv": lambda: _("The CSV file cannot be read: save it again as “CSV UTF-8”."),
        "no_header": lambda: _("No results table found: the header row with “Code” and “Version” is missing."),
        "too_many_rows": lambda: _(
            "The file goes on beyond its first %(rows)s lines: the results table must fit in them "
            "(the template has one row per discipline).",
            **params,
        ),
        "too_wide": lambda: _(
            "The file holds a value in %(cell)s, right of column %(last)s: the results table must fit in "
            "columns A to %(last)s.",
            **params,
        ),
        "too_many_cells": lambda: _("The file holds more than %(cells)s cells: keep only the results table.", **params),
        "long_cell": lambda: _(
            "Cell %(cell)s of “%(sheet)s” holds more than %(chars)s characters: one school, or a few, per cell.",
            chars=format_decimal(MAX_CELL_CHARS),
            **params,
        ),
        "long_line": lambda: _("Line %(line)s holds a field far too long for a cell of the template.", **params),
        "too_slow": lambda: _(
            "The file took too long to read: it is refused. Send the template as it was downloaded, once filled."
        ),
    }
    return messages[code]() if code in messages else code


def refusal_status(error: UploadRefused) -> int:
    """413 for a file too large to be read at all, 422 for any other refusal."""
    return 413 if error.code == "too_large" else 422


def problems_page(edition: Edition, problems: list[imports.Problem]) -> tuple[str, int]:
    """The first MAX_PROBLEMS_SHOWN problems, each at its cell, and how many more there are."""
    more = len(problems) - MAX_PROBLEMS_SHOWN
    page = render_template(
        "entry/import.html",
        edition=edition,
        form=UploadForm(),
        problems=problems[:MAX_PROBLEMS_SHOWN],
        problem_count=ngettext(
            "%(count)s problem: nothing was imported.",
            "%(count)s problems: nothing was imported.",
            len(problems),
            count=format_decimal(len(problems)),
        ),
        more_problems=ngettext(
            "… and %(count)s more problem.", "… and %(count)s more problems.", more, count=format_decimal(more)
        )
        if more > 0
        else "",
    )
    return page, 422


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
        return render_template("entry/import.html", edition=edition, form=form), refusal_status(error)
    changes, problems = imports.check(edition, table, current_user.may_enter)
    names = {p.school.slug: p.school.name for p in edition.participations}
    if problems:
        return problems_page(edition, problems)
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
            claimed = once(form, actor, f"import:{edition.year}")
            count = len(changes) if claimed.repeated else imports.apply(edition, changes, actor)
    except VersionConflict:
        flash(
            _("A result was changed by someone else meanwhile: nothing was imported. Download the template again."),
            "error",
        )
        return redirect(url_for("entry.import_page"), code=303)
    if claimed.repeated:
        flash(_("These results had already been imported: nothing was imported again."))
    else:
        flash(ngettext("%(num)s result imported.", "%(num)s results imported.", count))
    return redirect(url_for("entry.index"), code=303)
