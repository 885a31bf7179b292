"""Courtside entry: pick a discipline, tap the schools of the podium, save; history and restore."""

from __future__ import annotations

import uuid
from fractions import Fraction
from typing import NamedTuple, NoReturn

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from cartel.core import podium, scoring
from cartel.core.audit import ResultSnapshot
from cartel.core.collation import folded
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
from cartel.read.standings import build_standing, load_editions, scheme_of, table_of, to_fraction
from cartel.read.tournaments import has_tournament
from cartel.web.entry.access import (
    LINK_SESSION_KEY,
    actor_for,
    link_for_token,
    link_gone,
    may_see,
    require_adjuster,
    require_organiser,
    session_link,
)
from cartel.web.entry.forms import AdjustmentForm, EntryForm, RemoveForm, RestoreForm, VersionForm, entry_form
from cartel.web.forms import once, reused_message, reused_page
from cartel.words import labels
from cartel.words.problems import podium_problem
from cartel.write.audit import Actor
from cartel.write.penalties import add_adjustment, delete_adjustment
from cartel.write.results import (
    ValidationFailed,
    VersionConflict,
    confirm_result,
    current_teams,
    mark_in_progress,
    restore_result,
    save_result,
)
from cartel.write.submissions import SubmissionReused
from cartel.write.unit import unit_of_work

bp = Blueprint("entry", __name__, url_prefix="/saisie")
links_bp = Blueprint("links", __name__)
bp.register_error_handler(SubmissionReused, reused_page)


def incomplete() -> NoReturn:
    """A form that lacks what the page always sends (an absurd version, a history line's side): a 400
    that says so, never a crash."""
    abort(400, description=_("The form is incomplete: reload the page."))


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
    """The live edition, the discipline's programme entry and who acts; 404 (409 for a write)/403 otherwise."""
    edition = live_edition() or abort(409 if write else 404, description=_("No edition is live."))
    entry = programme_entry(edition, slug)
    return edition, entry, actor_for(edition.id, entry.discipline_id)


def next_discipline(edition: Edition, current: ProgrammeEntry) -> ProgrammeEntry | None:
    """The next discipline after ``current`` in programme order, going round to the first, that has
    no final result yet and that this organiser or link may enter; None when every other one is final."""
    entries = sorted(edition.programme, key=lambda e: e.discipline.programme_key())
    at = entries.index(current)
    for entry in entries[at + 1 :] + entries[:at]:
        if entry.result_state is not ResultState.FINAL and may_see(entry.discipline_id, edition.id):
            return entry
    return None


def row_count(edition: Edition, entry: ProgrammeEntry, teams: list[podium.Team] | None = None) -> int:
    """Form rows for a discipline: the places that earn points under its own table when it has one
    (a rulebook's 10 places, or every place when the table goes on), else under the edition's scheme;
    never fewer than the saved result fills (``teams``, read when not given), so that a result saved
    before the scheme shrank is shown whole and saved again whole."""
    participants = len(edition.participations)
    table = table_of(entry)
    if table is not None:
        scored = table.scored_places(participants)
    else:
        scored = scheme_of(edition.scheme).scored_places if edition.scheme is not None else 0
    saved = podium.rows_from_teams(current_teams(entry) if teams is None else teams, 0)
    return max(podium.rows_needed(scored, participants), len(saved))


def participants(edition: Edition) -> list[School]:
    return sorted((p.school for p in edition.participations), key=lambda s: folded(s.short_name))


def result_form(edition: Edition, entry: ProgrammeEntry, **kwargs) -> EntryForm:
    """The entry form of a discipline of ``edition`` (see forms.entry_form): as posted, or from ``kwargs``."""
    return entry_form(participants(edition), row_count(edition, entry), **kwargs)


def form_page(
    edition: Edition, entry: ProgrammeEntry, form: EntryForm, problems=(), template="entry/form.html", **extra
) -> str:
    """The entry form (or the conflict page) with what it says next to each row; ``problems``: those
    the save found, besides the form's own."""
    schools = participants(edition)
    names = {s.slug: s.name for s in schools}
    if not form.submission_id.data:  # shown again without one: a new submission, never a shared "None"
        form.submission_id.data = uuid.uuid4().hex
    return render_template(
        template,
        edition=edition,
        entry=entry,
        form=form,
        schools=schools,
        names=names,
        row_problems=form.row_problems(names, problems),
        **extra,
    )


@bp.get("/")
def index() -> ResponseReturnValue:
    edition = live_edition()
    link = session_link()
    if link is not None and link.venue_id is not None and not current_user.is_authenticated:
        return redirect(url_for("entry.venue_matches"))
    if edition is None:
        return render_template("entry/index.html", edition=None, entries=[])
    entries = [
        e
        for e in db.session.scalars(sa.select(ProgrammeEntry).filter_by(edition_id=edition.id))
        if may_see(e.discipline_id, edition.id)
    ]
    if not entries and link is None:
        if not current_user.is_authenticated:
            if session.get(LINK_SESSION_KEY) is not None:
                link_gone()  # a link holder has no account: say the link stopped working, not "log in"
            return redirect(url_for("auth.login", next=request.path))
        abort(403)
    entries.sort(key=lambda e: e.discipline.programme_key())
    return render_template("entry/index.html", edition=edition, entries=entries)


@bp.get("/<slug>")
def discipline_form(slug: str) -> ResponseReturnValue:
    edition, entry, _actor = discipline_in_live_edition(slug)
    if has_tournament(entry.id):  # its places come from its matches: their list
        from cartel.web.entry.matches import matches_page

        return matches_page(edition, entry)
    teams = current_teams(entry)
    rows = podium.rows_from_teams(teams, row_count(edition, entry, teams))
    form = entry_form(
        participants(edition), len(rows), rows=rows, version=entry.version, submission_id=uuid.uuid4().hex
    )
    return form_page(edition, entry, form)


@bp.post("/<slug>")
def save(slug: str) -> ResponseReturnValue:
    edition, entry, actor = discipline_in_live_edition(slug, write=True)
    form = result_form(edition, entry)
    if not form.validate():
        if form.version.errors:
            incomplete()
        return form_page(edition, entry, form), 422
    try:
        with unit_of_work():
            outcome = save_result(
                edition,
                entry,
                podium.teams_from_rows(form.podium_rows()),
                ResultState(form.state.data),
                actor,
                expected_version=form.version.data,
                submission_key=form.submission_id.data,
            )
    except ValidationFailed as failed:
        return form_page(edition, entry, form, failed.problems), 422
    except SubmissionReused as reused:
        flash(reused_message(reused), "error")
        mine = result_form(
            edition,
            entry,
            formdata=None,  # what was typed, as a new submission from the version now saved
            rows=form.podium_rows(),
            state=form.state.data,
            version=entry.version,
            submission_id=uuid.uuid4().hex,
        )
        return form_page(edition, entry, mine), 409
    except VersionConflict as conflict:
        theirs = podium.rows_from_teams(current_teams(entry), len(form.rows.entries))
        mine = result_form(
            edition,
            entry,
            formdata=None,  # what was typed, to re-apply from the version now saved, as a new submission
            rows=form.podium_rows(),
            state=form.state.data,
            version=conflict.current_version,
            submission_id=uuid.uuid4().hex,
        )
        return form_page(edition, entry, mine, template="entry/conflict.html", theirs=theirs), 409
    return redirect(url_for("entry.saved", slug=slug, version=outcome.version), code=303)


@bp.errorhandler(CSRFError)
def expired_form(error: CSRFError) -> ResponseReturnValue:
    """A result whose form outlived its CSRF token (an hour) is shown again, as typed, with a fresh
    token: nothing is saved, and nothing typed is lost. Other forms get the plain "expired" page."""
    if request.endpoint == "entry.save":
        assert request.view_args is not None  # set with the endpoint when the URL matched
        try:
            edition, entry, _actor = discipline_in_live_edition(request.view_args["slug"])
        except HTTPException:
            pass  # not allowed to enter it (any more): the plain page
        else:
            form = result_form(edition, entry)
            if form.version.validate(form):  # else not a form of ours: the plain page
                return form_page(edition, entry, form, expired=True), 400
    message = _("The form has expired: reload the page and enter it again.")
    return render_template("error.html", code=400, title=_("Form expired"), message=message), 400


class GainedRow(NamedTuple):
    """One team of the saved podium: a joint team is one row, its points shared equally between its schools."""

    place: int
    name: str
    each: Fraction | None  # the points each of its schools gained; None while no scheme is set
    size: int  # how many schools: more than one for a joint team


@bp.get("/<slug>/saved/<int:version>")
def saved(slug: str, version: int) -> ResponseReturnValue:
    edition, entry, _actor = discipline_in_live_edition(slug)
    editions, schools = load_editions(Edition.id == edition.id)
    data = editions[0]
    standing = build_standing(data, schools)
    gained: dict[int, Fraction] | None = None  # None: no points scheme yet
    if data.scheme is not None:
        placements = [p for p in data.placements if p.discipline == entry.discipline_id]
        gained = scoring.discipline_points(placements, data.scheme, to_fraction(entry.weight))
    by_slug = {s.slug: s for s in schools.values()}
    teams = [
        GainedRow(
            team.place,
            labels.joint(by_slug[slug].name for slug in team.schools),
            gained.get(by_slug[team.schools[0]].id, Fraction(0)) if gained is not None else None,
            len(team.schools),
        )
        for team in current_teams(entry)
    ]
    return render_template(
        "entry/saved.html",
        edition=edition,
        entry=entry,
        standing=standing,
        teams=teams,
        has_scheme=gained is not None,
        version=version,
        stale=version != entry.version,
        next_entry=next_discipline(edition, entry),
        form=VersionForm(),
        submission_id=uuid.uuid4().hex,
    )


def posted_version() -> VersionForm:
    """The version a confirm or a start posts, with its submission key; a 400 when the form lacks them."""
    form = VersionForm()
    if not form.validate():
        incomplete()
    return form


@bp.post("/<slug>/confirm")
def confirm(slug: str) -> ResponseReturnValue:
    edition, entry, actor = discipline_in_live_edition(slug, write=True)
    form = posted_version()
    try:
        with unit_of_work():
            outcome = confirm_result(
                edition, entry, actor, expected_version=form.version.data, submission_key=form.submission_id.data
            )
    except VersionConflict:
        flash(_("Another organiser changed this result meanwhile: check it before confirming."), "error")
        return redirect(url_for("entry.discipline_form", slug=slug), code=303)
    except ValidationFailed:
        flash(_("There is no result to confirm yet: enter it first."), "error")
        return redirect(url_for("entry.discipline_form", slug=slug), code=303)
    if outcome.duplicate:
        flash(_("This confirmation had already been received: nothing more to do."))
    return redirect(url_for("entry.saved", slug=slug, version=outcome.version), code=303)


@bp.post("/<slug>/start")
def start(slug: str) -> ResponseReturnValue:
    edition, entry, actor = discipline_in_live_edition(slug, write=True)
    form = posted_version()
    try:
        with unit_of_work():
            mark_in_progress(
                edition, entry, actor, expected_version=form.version.data, submission_key=form.submission_id.data
            )
    except VersionConflict:
        flash(_("Another organiser changed this discipline meanwhile."), "error")
    except ValidationFailed:
        flash(_("No edition is live."), "error")
    return redirect(url_for("entry.discipline_form", slug=slug), code=303)


@bp.get("/<slug>/history")
def history(slug: str) -> ResponseReturnValue:
    edition, entry, _actor = discipline_in_live_edition(slug)
    return history_page(edition, entry)


def history_page(edition: Edition, entry: ProgrammeEntry, conflict: str | None = None) -> str:
    """A result's history, each saved version restorable from the version the page shows now."""
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
        entries=[(a, ResultSnapshot.from_json(a.before), ResultSnapshot.from_json(a.after)) for a in entries],
        names=names,
        form=RestoreForm(formdata=None, version=entry.version),
        conflict=conflict,
        tournament=has_tournament(entry.id),  # its places come from its matches: nothing to restore here
    )


@bp.post("/<slug>/restore/<int:audit_id>")
def restore(slug: str, audit_id: int) -> ResponseReturnValue:
    edition, entry, actor = discipline_in_live_edition(slug, write=True)
    audit_entry = db.session.get(AuditEntry, audit_id)
    if audit_entry is None or audit_entry.discipline_id != entry.discipline_id or audit_entry.edition_id != edition.id:
        abort(404)
    form = RestoreForm()
    if not form.validate():
        incomplete()
    side = form.side.data
    snapshot = ResultSnapshot.from_json(audit_entry.before if side == "before" else audit_entry.after)
    if audit_entry.entity != "result" or snapshot is None or snapshot.state == ResultState.PENDING.value:
        abort(400, description=_("Only a saved version of this result can be restored; this history line is not one."))
    try:
        with unit_of_work():
            outcome = restore_result(
                edition,
                entry,
                audit_entry,
                side,
                actor,
                expected_version=form.version.data,
                submission_key=form.submission_id.data,
            )
    except ValidationFailed as failed:
        if any(p.code == "has_tournament" for p in failed.problems):
            flash(podium_problem(podium.Problem("has_tournament"), {}), "error")
        else:
            flash(_("That version has no placed team: nothing to restore."), "error")
        return redirect(url_for("entry.history", slug=slug), code=303)
    except VersionConflict as conflict:
        message = _(
            "The result changed since this history was shown (it is now version %(version)s): nothing was "
            "restored. Check the history below, then restore again if it is still what you want.",
            version=conflict.current_version,
        )
        return history_page(edition, entry, conflict=message), 409
    flash(
        _("This restore had already been received: nothing more to do.")
        if outcome.duplicate
        else _("Earlier version restored.")
    )
    return redirect(url_for("entry.saved", slug=slug, version=outcome.version), code=303)


@links_bp.get("/e/<token>")
def use_link(token: str) -> ResponseReturnValue:
    """An entry link: opens its discipline's form for whoever holds it, until it expires."""
    link = link_for_token(token)
    if link is not None and link.revoked_at is None and link.not_yet():  # printed ahead of its edition
        return render_template("entry/link_invalid.html", opens=link.valid_from), 403
    if link is None or not link.usable():
        return render_template("entry/link_invalid.html"), 410 if link is not None else 404
    session[LINK_SESSION_KEY] = link.id
    if link.discipline is None:  # a venue's link: the matches played there
        return redirect(url_for("entry.venue_matches"))
    return redirect(url_for("entry.discipline_form", slug=link.discipline.slug))


# --- penalties and bonuses ------------------------------------------------------------------------


@bp.route("/adjustments", methods=["GET", "POST"])
def adjustments() -> ResponseReturnValue:
    actor = require_adjuster() if request.method == "POST" else require_organiser()
    edition = live_edition() or abort(404, description=_("No edition is live."))
    form = AdjustmentForm(schools=[p.school for p in edition.participations])
    if form.validate_on_submit():
        school = db.session.scalar(sa.select(School).filter_by(slug=form.school.data))
        assert school is not None  # the form takes only a participant's slug, and schools are never deleted
        with unit_of_work():
            claimed = once(form, actor, f"adjustment:{edition.year}")
            if not claimed.repeated:
                claimed.settle(add_adjustment(edition, school, form.signed_points(), form.reason.data, actor).id)
        flash(
            _("This adjustment had already been recorded: it was not added again.")
            if claimed.repeated
            else _("Adjustment recorded.")
        )
        return redirect(url_for("entry.adjustments"), code=303)
    rows = db.session.scalars(
        sa.select(PointAdjustment).filter_by(edition_id=edition.id).order_by(PointAdjustment.created_at.desc())
    )
    status = 422 if form.errors else 200
    if form.errors:
        form.submission_id.data = uuid.uuid4().hex  # nothing saved: corrected, it is a new submission
    return render_template("entry/adjustments.html", edition=edition, form=form, rows=list(rows)), status


@bp.route("/adjustments/<int:adjustment_id>/delete", methods=["GET", "POST"])
def delete_adjustment_view(adjustment_id: int) -> ResponseReturnValue:
    """Removing is two steps: the list leads here, where the page says what goes (school, points,
    reason) and only its button posts the removal. Posted again once done, it says so."""
    actor = require_adjuster()
    edition = live_edition() or abort(409)
    form = RemoveForm()
    target = f"adjustment-removal:{adjustment_id}"
    adjustment = db.session.get(PointAdjustment, adjustment_id)
    if request.method == "POST" and form.validate():
        with unit_of_work():
            claimed = once(form, actor, target)
            if not claimed.repeated:
                if adjustment is None or adjustment.edition_id != edition.id:
                    abort(404)
                delete_adjustment(adjustment, actor)
        flash(_("This adjustment had already been removed.") if claimed.repeated else _("Adjustment removed."))
        return redirect(url_for("entry.adjustments"), code=303)
    if adjustment is None or adjustment.edition_id != edition.id:
        abort(404)
    return render_template("entry/adjustment_delete.html", edition=edition, adjustment=adjustment, form=form)
