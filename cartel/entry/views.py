"""Courtside entry: pick a discipline, tap the schools of the podium, save; history and restore."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from wtforms import DecimalField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, StopValidation, ValidationError
from wtforms.widgets import TextInput

from cartel import podium, scoring
from cartel.entry.access import (
    LINK_SESSION_KEY,
    actor_for,
    link_for_token,
    may_see,
    require_adjuster,
    require_organiser,
    session_link,
)
from cartel.extensions import db
from cartel.models import (
    AuditEntry,
    Discipline,
    Edition,
    EditionStatus,
    PointAdjustment,
    ProgrammeEntry,
    ResultState,
    School,
)
from cartel.operations import (
    Actor,
    ValidationFailed,
    VersionConflict,
    add_adjustment,
    confirm_result,
    current_teams,
    delete_adjustment,
    mark_in_progress,
    restore_result,
    save_result,
)
from cartel.problems import podium_problem
from cartel.standings import build_standing, load_editions, scheme_of, to_fraction

bp = Blueprint("entry", __name__, url_prefix="/saisie")
links_bp = Blueprint("links", __name__)


class EntryForm(FlaskForm):
    """CSRF only: the rows are parsed by ``rows_from_request`` (their number depends on the scheme)."""


def form_version() -> int:
    """The result version a form was loaded at; a missing or absurd one is a 400, never a crash."""
    raw = request.form.get("version", "")
    if not raw.isdecimal() or len(raw) > 9:
        abort(400, description=_("The form is incomplete: reload the page."))
    return int(raw)


def live_edition() -> Edition | None:
    return db.session.scalar(
        sa.select(Edition).where(Edition.status == EditionStatus.LIVE).order_by(Edition.year.desc()).limit(1)
    )


def programme_entry(edition: Edition, slug: str) -> ProgrammeEntry:
    discipline = db.session.scalar(sa.select(Discipline).filter_by(slug=slug))
    if discipline is None:
        abort(404)
    entry = db.session.scalar(sa.select(ProgrammeEntry).filter_by(edition_id=edition.id, discipline_id=discipline.id))
    if entry is None:
        abort(404, description=_("This discipline is not in the programme of the edition."))
    return entry


def discipline_in_live_edition(slug: str, *, write: bool = False) -> tuple[Edition, ProgrammeEntry, Actor]:
    """The live edition, the discipline's programme entry and who acts; 404/409/403 otherwise.

    Writes also check the form's CSRF token (a plain 400 otherwise)."""
    edition = live_edition() or abort(409 if write else 404, description=_("No edition is live."))
    entry = programme_entry(edition, slug)
    actor = actor_for(edition.id, entry.discipline_id)
    if write and request.method == "POST" and not EntryForm().validate_on_submit():
        abort(400, description=_("The form has expired: reload the page and enter the result again."))
    return edition, entry, actor


def programme_order(entry: ProgrammeEntry) -> tuple:
    """The order of the programme as organisers see it on the entry page."""
    return (entry.discipline.sport.name_fr, entry.discipline.category.value)


def next_discipline(edition: Edition, current: ProgrammeEntry) -> ProgrammeEntry | None:
    """The next discipline after ``current`` in programme order, going round to the first, that has
    no final result yet and that this organiser or link may enter; None when every other one is final."""
    entries = sorted(edition.programme, key=programme_order)
    at = entries.index(current)
    for entry in entries[at + 1 :] + entries[:at]:
        if entry.result_state is not ResultState.FINAL and may_see(entry.discipline_id, edition.id):
            return entry
    return None


def row_count(edition: Edition, participants: int) -> int:
    scored = scoring_scheme_places(edition)
    return podium.rows_needed(scored, participants)


def scoring_scheme_places(edition: Edition) -> int:
    """How many places earn points under the edition's scheme (0 without a scheme)."""
    return scheme_of(edition.scheme).scored_places if edition.scheme is not None else 0


def rows_from_request(form, count: int) -> list[podium.Row]:
    rows = []
    for k in range(1, count + 1):
        main = form.get(f"row-{k}-school", "")
        partners = [s for s in form.getlist(f"row-{k}-partners") if s and s != main]
        schools = tuple(([main] if main else []) + partners) if main else ()
        rows.append(podium.Row(schools, tied_with_above=form.get(f"row-{k}-tied") == "on"))
    return rows


def form_context(edition: Edition, entry: ProgrammeEntry, rows: list[podium.Row], problems=(), **extra):
    schools = sorted((p.school for p in edition.participations), key=lambda s: s.short_name)
    names = {s.slug: s.name for s in schools}
    row_problems: dict[int | None, list[str]] = {}
    for p in problems:
        row_problems.setdefault(p.row, []).append(podium_problem(p, names))
    context = dict(
        edition=edition,
        entry=entry,
        rows=rows,
        schools=schools,
        names=names,
        row_problems=row_problems,
        form=EntryForm(),
        submission_id=uuid.uuid4().hex,
        version=entry.version,
    )
    context.update(extra)
    return context


@bp.get("/")
def index():
    edition = live_edition()
    link = session_link()
    if edition is None:
        return render_template("entry/index.html", edition=None, entries=[])
    entries = [
        e
        for e in db.session.scalars(sa.select(ProgrammeEntry).filter_by(edition_id=edition.id))
        if may_see(e.discipline_id, edition.id)
    ]
    if not entries and link is None:
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.path))
        abort(403)
    entries.sort(key=programme_order)
    return render_template("entry/index.html", edition=edition, entries=entries)


@bp.get("/<slug>")
def discipline_form(slug: str):
    edition, entry, _actor = discipline_in_live_edition(slug)
    size = row_count(edition, len(edition.participations))
    rows = podium.rows_from_teams(current_teams(entry), size)
    return render_template("entry/form.html", **form_context(edition, entry, rows))


@bp.post("/<slug>")
def save(slug: str):
    edition, entry, actor = discipline_in_live_edition(slug, write=True)
    size = row_count(edition, len(edition.participations))
    rows = rows_from_request(request.form, size)
    participants = {p.school.slug for p in edition.participations}
    state_value = request.form.get("state", "")
    problems = podium.check_rows(rows, participants, edition_live=True, in_programme=True)
    if state_value not in (ResultState.PROVISIONAL.value, ResultState.FINAL.value):
        problems.append(podium.Problem("bad_state"))
    expected = form_version()
    key = (request.form.get("submission_id") or "")[:64] or None
    if problems:
        return render_template(
            "entry/form.html", **form_context(edition, entry, rows, problems, version=expected, submission_id=key)
        ), 422
    try:
        outcome = save_result(
            edition,
            entry,
            podium.teams_from_rows(rows),
            ResultState(state_value),
            actor,
            expected_version=expected,
            submission_key=key,
        )
    except ValidationFailed as failed:
        return render_template(
            "entry/form.html",
            **form_context(edition, entry, rows, failed.problems, version=expected, submission_id=key),
        ), 422
    except VersionConflict as conflict:
        theirs = podium.rows_from_teams(current_teams(entry), size)
        return render_template(
            "entry/conflict.html",
            **form_context(edition, entry, rows, theirs=theirs, state=state_value, version=conflict.current_version),
        ), 409
    return redirect(url_for("entry.saved", slug=slug, version=outcome.version), code=303)


@bp.errorhandler(CSRFError)
def expired_form(error: CSRFError):
    """A result whose form outlived its CSRF token (an hour) is shown again, as typed, with a fresh
    token: nothing is saved, and nothing typed is lost. Other forms get the plain "expired" page."""
    if request.endpoint == "entry.save":
        try:
            edition, entry, _actor = discipline_in_live_edition(request.view_args["slug"])
            expected = form_version()
        except HTTPException:
            pass  # not allowed to enter it (any more), or not a form of ours: the plain page
        else:
            rows = rows_from_request(request.form, row_count(edition, len(edition.participations)))
            key = (request.form.get("submission_id") or "")[:64] or None
            context = form_context(edition, entry, rows, version=expected, submission_id=key, expired=True)
            return render_template("entry/form.html", **context), 400
    message = _("The form has expired: reload the page and enter it again.")
    return render_template("error.html", code=400, title=_("Form expired"), message=message), 400


@bp.get("/<slug>/saved/<int:version>")
def saved(slug: str, version: int):
    edition, entry, _actor = discipline_in_live_edition(slug)
    editions, schools = load_editions(Edition.id == edition.id)
    data = editions[0]
    standing = build_standing(data, schools)
    gained = {}
    if data.scheme is not None:
        placements = [p for p in data.placements if p.discipline == entry.discipline_id]
        gained = scoring.discipline_points(placements, data.scheme, to_fraction(entry.weight))
    teams = current_teams(entry)
    by_slug = {s.slug: s for s in schools.values()}
    return render_template(
        "entry/saved.html",
        edition=edition,
        entry=entry,
        standing=standing,
        teams=teams,
        gained=gained,
        by_slug=by_slug,
        version=version,
        stale=version != entry.version,
        next_entry=next_discipline(edition, entry),
        form=EntryForm(),
        submission_id=uuid.uuid4().hex,
    )


@bp.post("/<slug>/confirm")
def confirm(slug: str):
    edition, entry, actor = discipline_in_live_edition(slug, write=True)
    try:
        outcome = confirm_result(
            edition,
            entry,
            actor,
            expected_version=form_version(),
            submission_key=request.form.get("submission_id") or None,
        )
    except VersionConflict:
        flash(_("Another organiser changed this result meanwhile: check it before confirming."), "error")
        return redirect(url_for("entry.discipline_form", slug=slug), code=303)
    except ValidationFailed:
        flash(_("There is no result to confirm yet: enter it first."), "error")
        return redirect(url_for("entry.discipline_form", slug=slug), code=303)
    return redirect(url_for("entry.saved", slug=slug, version=outcome.version), code=303)


@bp.post("/<slug>/start")
def start(slug: str):
    edition, entry, actor = discipline_in_live_edition(slug, write=True)
    try:
        mark_in_progress(edition, entry, actor, expected_version=form_version())
    except VersionConflict:
        flash(_("Another organiser changed this discipline meanwhile."), "error")
    return redirect(url_for("entry.discipline_form", slug=slug), code=303)


@bp.get("/<slug>/history")
def history(slug: str):
    edition, entry, _actor = discipline_in_live_edition(slug)
    entries = list(
        db.session.scalars(
            sa.select(AuditEntry)
            .filter_by(edition_id=edition.id, discipline_id=entry.discipline_id, entity="result")
            .order_by(AuditEntry.id.desc())
        )
    )
    names = {s.slug: s.name for s in db.session.scalars(sa.select(School))}
    return render_template(
        "entry/history.html",
        edition=edition,
        entry=entry,
        entries=entries,
        names=names,
        restored_state=restored_state,
        form=EntryForm(),
    )


def restored_state(snapshot: dict) -> str:
    """The state a restore of ``snapshot`` gives the result (as operations.restore_result decides:
    a version saved before any state was recorded comes back provisional)."""
    state = snapshot.get("state", ResultState.PROVISIONAL.value)
    return ResultState.PROVISIONAL.value if state == ResultState.PENDING.value else state


@bp.post("/<slug>/restore/<int:audit_id>")
def restore(slug: str, audit_id: int):
    edition, entry, actor = discipline_in_live_edition(slug, write=True)
    audit_entry = db.session.get(AuditEntry, audit_id)
    if audit_entry is None or audit_entry.discipline_id != entry.discipline_id or audit_entry.edition_id != edition.id:
        abort(404)
    side = "before" if request.form.get("side") == "before" else "after"
    snapshot = audit_entry.before if side == "before" else audit_entry.after
    if audit_entry.entity != "result" or not isinstance(snapshot, dict) or "places" not in snapshot:
        abort(400, description=_("Only a saved version of this result can be restored; this history line is not one."))
    try:
        outcome = restore_result(edition, entry, audit_entry, side, actor)
    except ValidationFailed:
        flash(_("That version has no placed team: nothing to restore."), "error")
        return redirect(url_for("entry.history", slug=slug), code=303)
    flash(_("Earlier version restored."))
    return redirect(url_for("entry.saved", slug=slug, version=outcome.version), code=303)


@links_bp.get("/e/<token>")
def use_link(token: str):
    """An entry link: opens its discipline's form for whoever holds it, until it expires."""
    link = link_for_token(token)
    if link is None or not link.usable():
        return render_template("entry/link_invalid.html"), 410 if link is not None else 404
    session[LINK_SESSION_KEY] = link.id
    return redirect(url_for("entry.discipline_form", slug=link.discipline.slug))


# --- penalties and bonuses ------------------------------------------------------------------------


def finite(_form, field) -> None:
    """NaN and infinities parse as decimals but are no number of points (and break comparisons);
    what does not parse at all stops here, with the field's own message."""
    if field.data is None:
        raise StopValidation()
    if not field.data.is_finite():
        raise StopValidation(_("Give a number of points, such as -2 or 1.5."))


class CommaDecimalField(DecimalField):
    """A decimal as people type it: "-2,5" or "-2.5", a minus sign or a hyphen, spaces ignored.

    A text input, not type=number: browsers then drop or misread a decimal comma (Chromium turned
    "-2,5" into -25). No inputmode=decimal either: the iPhone's decimal keypad has no minus sign."""

    widget = TextInput()

    def process_formdata(self, valuelist):
        if valuelist:
            typed = valuelist[0].replace("\u2212", "-").replace(",", ".")
            valuelist = ["".join(typed.split())]
        super().process_formdata(valuelist)


class AdjustmentForm(FlaskForm):
    school = SelectField(_l("School"), validators=[DataRequired(message=_l("Choose a school."))])
    points = CommaDecimalField(
        _l("Points (negative for a penalty)"),
        places=2,
        validators=[InputRequired(), finite, NumberRange(-1000, 1000)],
        invalid_value_message=_l("Give a number of points, such as -2 or 1.5."),
        render_kw={"autocomplete": "off"},
        description=_l("For example -2 or 1,5."),
    )
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=300)])
    submit = SubmitField(_l("Add"))

    def validate_points(self, field) -> None:
        if field.data.as_tuple().exponent < -2:
            raise ValidationError(_("Give the points with at most two decimals."))
        if field.data == 0:
            raise ValidationError(_("An adjustment of 0 points changes nothing."))


@bp.route("/adjustments", methods=["GET", "POST"])
def adjustments():
    actor = require_adjuster() if request.method == "POST" else require_organiser()
    edition = live_edition() or abort(404, description=_("No edition is live."))
    form = AdjustmentForm()
    form.school.choices = [SelectChoice("", _("Choose a school"))] + [
        SelectChoice(p.school.slug, p.school.name) for p in sorted(edition.participations, key=lambda p: p.school.name)
    ]
    if form.validate_on_submit():
        school = db.session.scalar(sa.select(School).filter_by(slug=form.school.data))
        add_adjustment(edition, school, form.points.data, form.reason.data.strip(), actor)
        flash(_("Adjustment recorded."))
        return redirect(url_for("entry.adjustments"), code=303)
    rows = db.session.scalars(
        sa.select(PointAdjustment).filter_by(edition_id=edition.id).order_by(PointAdjustment.created_at.desc())
    )
    status = 422 if form.errors else 200
    return render_template("entry/adjustments.html", edition=edition, form=form, rows=list(rows)), status


@bp.route("/adjustments/<int:adjustment_id>/delete", methods=["GET", "POST"])
def delete_adjustment_view(adjustment_id: int):
    """Removing is two steps: the list leads here, where the page says what goes (school, points,
    reason) and only its button posts the removal."""
    actor = require_adjuster()
    edition = live_edition() or abort(409)
    adjustment = db.session.get(PointAdjustment, adjustment_id)
    if adjustment is None or adjustment.edition_id != edition.id:
        abort(404)
    if request.method == "GET":
        return render_template("entry/adjustment_delete.html", edition=edition, adjustment=adjustment)
    delete_adjustment(adjustment, actor)
    flash(_("Adjustment removed."))
    return redirect(url_for("entry.adjustments"), code=303)
