"""Administration of editions: details, participants, programme, points scheme and status."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from wtforms import SelectChoice

from cartel.core import scoring
from cartel.core.clock import utcnow
from cartel.core.collation import folded
from cartel.extensions import db
from cartel.models import Edition, EditionStatus, EntryLink, ResultState, Role, School, User
from cartel.read.standings import build_standing, load_editions
from cartel.web.admin.base import actor, bp, discipline_choices, disciplines_sorted
from cartel.web.admin.forms import EditionForm, LinkForm, ProgrammeField, PublicForm, SchemeForm
from cartel.web.admin.setup_forms import participants_form, programme_form, tick_rows, weight_of
from cartel.web.forms import applied_before, new_submission_id, once
from cartel.words import labels
from cartel.words.i18n import discipline_name
from cartel.words.numbers import typed
from cartel.words.problems import missing_part, scheme_problem, table_problem, transition_problem
from cartel.write import accounts, catalogue
from cartel.write.lifecycle import TransitionRefused, change_status, live_edition_other_than, missing_to_open
from cartel.write.submissions import Submission, claim
from cartel.write.unit import unit_of_work

PARIS = ZoneInfo("Europe/Paris")  # the event's time zone


def edition_or_404(year: int) -> Edition:
    return db.session.scalar(sa.select(Edition).filter_by(year=year)) or abort(404)


def edition_form(edition: Edition | None) -> EditionForm:
    form = EditionForm(obj=edition, edition=edition, prefix="edition")
    form.host.choices = [SelectChoice("", "—")] + [
        SelectChoice(s.slug, s.name)
        for s in sorted(db.session.scalars(sa.select(School)), key=lambda s: folded(s.name))
    ]
    if edition is not None and not form.is_submitted():
        form.host.data = edition.host.slug if edition.host else ""
    return form


# --- the set-up: an overview of the steps, each step its own short page -----------------------------

STEPS = ("details", "participants", "programme", "scheme", "organisers", "open")


def steps_of(edition: Edition) -> list[dict]:
    """The set-up steps of an edition with their state and a summary of what is set."""
    # links that serve the edition: not revoked, and lasting to its end (when its last day is known)
    end = accounts.edition_end(edition)
    links = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(EntryLink)
        .where(
            EntryLink.edition_id == edition.id,
            EntryLink.revoked_at.is_(None),
            EntryLink.expires_at >= end if end is not None and end > utcnow() else EntryLink.expires_at > utcnow(),
        )
    )
    organisers = db.session.scalar(
        sa.select(sa.func.count()).select_from(User).where(User.role == Role.ORGANISER, User.active.is_(True))
    )
    tables = sum(1 for e in edition.programme if e.place_points)
    details = [
        _("host: %(school)s", school=edition.host.name) if edition.host else _("host not set"),
        (format_date(edition.start_date, "d MMM") + " – " + format_date(edition.end_date, "d MMM yyyy"))
        if edition.start_date and edition.end_date
        else _("dates not set"),
    ]
    scheme = edition.scheme
    steps = [
        dict(
            key="details",
            title=_("Details"),
            done=bool(edition.host and edition.start_date),
            required=False,
            summary=", ".join(details),
        ),
        dict(
            key="participants",
            title=_("Participants"),
            done=bool(edition.participations),
            required=True,
            summary=ngettext("%(num)d school", "%(num)d schools", len(edition.participations)),
        ),
        dict(
            key="programme",
            title=_("Programme"),
            done=bool(edition.programme),
            required=True,
            summary=ngettext("%(num)d discipline", "%(num)d disciplines", len(edition.programme))
            + (
                ", " + ngettext("%(num)d with its own points table", "%(num)d with their own points table", tables)
                if tables
                else ""
            ),
        ),
        dict(
            key="scheme",
            title=_("Points scheme"),
            done=scheme is not None,
            required=True,
            summary=" ".join(str(p) for p in scheme.place_points) if scheme else _("not set"),
        ),
        dict(
            key="organisers",
            title=_("Organisers and entry links"),
            done=bool(links),
            required=False,
            summary=ngettext(
                "%(num)d entry link valid through the edition", "%(num)d entry links valid through the edition", links
            )
            + ", "
            + ngettext("%(num)d organiser account", "%(num)d organiser accounts", organisers),
        ),
        dict(
            key="open",
            title=_("Open"),
            done=edition.status is not EditionStatus.PLANNED,
            required=True,
            summary=labels.edition_status(edition.status),
        ),
    ]
    for number, step in enumerate(steps, 1):
        step["number"] = number
        step["url"] = (
            url_for("admin.edition", year=edition.year, _anchor="open")
            if step["key"] == "open"
            else url_for(f"admin.{step['key']}", year=edition.year)
        )
    return steps


def next_step(edition: Edition, after: str) -> str:
    """Where to go once a step is saved: the following step's page (the overview for the last ones)."""
    following = STEPS[STEPS.index(after) + 1]
    if following == "open":
        return url_for("admin.edition", year=edition.year, _anchor="open")
    return url_for(f"admin.{following}", year=edition.year)


def previous_edition(edition: Edition, has) -> Edition | None:
    """The latest earlier edition that has what ``has`` asks (a programme, a scheme), to start from."""
    return db.session.scalar(
        sa.select(Edition).where(Edition.year < edition.year, has).order_by(Edition.year.desc()).limit(1)
    )


def step_page(template: str, edition: Edition, step: str, status: int = 200, **context) -> tuple[str, int]:
    return render_template(template, edition=edition, steps=steps_of(edition), current=step, **context), status


@bp.route("/editions/new", methods=["GET", "POST"])
def edition_new() -> ResponseReturnValue:
    form = edition_form(None)
    # its repeat would be refused as "already exists": it is looked up before the form's checks
    repeated = applied_before(form, actor(), "edition:new") is not None
    if repeated or form.validate_on_submit():
        if not repeated:
            with unit_of_work():
                if not once(form, actor(), "edition:new").repeated:
                    save_edition_from(form, None)
        flash(_("Edition %(year)s created. Next: the schools taking part.", year=form.year.data))
        return redirect(url_for("admin.participants", year=form.year.data), code=303)
    return render_template("admin/edition_new.html", form=form), 422 if form.errors else 200


def save_edition_from(form: EditionForm, edition: Edition | None) -> Edition:
    host = db.session.scalar(sa.select(School).filter_by(slug=form.host.data)) if form.host.data else None
    values = {name: getattr(form, name).data for name in catalogue.EDITION_FIELDS}
    return catalogue.save_edition(edition, values, host, actor())


@bp.get("/editions/<int:year>")
def edition(year: int) -> ResponseReturnValue:
    """The overview of the set-up: each step, its state, what is set; opening and closing."""
    edition = edition_or_404(year)
    editions, by_id = load_editions(Edition.id == edition.id)
    return render_template(
        "admin/edition.html",
        edition=edition,
        steps=steps_of(edition),
        missing=[missing_part(m) for m in missing_to_open(edition)],
        other_live=live_edition_other_than(edition),
        standing=build_standing(editions[0], by_id),
        submission_id=new_submission_id(),
    )


@bp.route("/editions/<int:year>/details", methods=["GET", "POST"])
def details(year: int) -> ResponseReturnValue:
    edition = edition_or_404(year)
    form = edition_form(edition)
    if form.validate_on_submit():
        with unit_of_work():
            if not once(form, actor(), f"edition:{year}:details").repeated:
                save_edition_from(form, edition)
        flash(_("Details saved."))
        return redirect(next_step(edition, "details"), code=303)
    return step_page("admin/step_details.html", edition, "details", 422 if form.errors else 200, form=form)


def schools_sorted() -> list[School]:
    return sorted(db.session.scalars(sa.select(School)), key=lambda s: folded(s.name))


@bp.route("/editions/<int:year>/participants", methods=["GET", "POST"])
def participants(year: int) -> ResponseReturnValue:
    edition = edition_or_404(year)
    schools = schools_sorted()
    form = participants_form(schools, {p.school_id: p.delegation_size for p in edition.participations})
    problem = None
    if request.method == "POST" and tick_rows(form, "school-", request.form.get("tick")):
        return step_page("admin/step_participants.html", edition, "participants", form=form, schools=schools)
    if form.validate_on_submit():
        try:
            with unit_of_work():
                if not once(form, actor(), f"edition:{year}:participants").repeated:
                    catalogue.set_participants(edition, form.ticked(schools), actor())
        except catalogue.CatalogueError as error:
            problem = _(
                "These schools have results in this edition and cannot be removed: %(schools)s.",
                schools=", ".join(school.name for school in error.blocked),
            )
        else:
            count = len(edition.participations)
            flash(ngettext("Participants saved: %(num)d school.", "Participants saved: %(num)d schools.", count))
            return redirect(next_step(edition, "participants"), code=303)
    status = 422 if form.errors or problem else 200
    return step_page(
        "admin/step_participants.html", edition, "participants", status, form=form, schools=schools, problem=problem
    )


@bp.route("/editions/<int:year>/programme", methods=["GET", "POST"])
def programme(year: int) -> ResponseReturnValue:
    """The programme: the disciplines, their weights and their own points tables, all or nothing."""
    edition = edition_or_404(year)
    disciplines = disciplines_sorted()
    earlier = previous_edition(edition, Edition.programme.any())

    def page(form, status: int = 200, problem: str | None = None) -> tuple[str, int]:
        return step_page(
            "admin/step_programme.html",
            edition,
            "programme",
            status,
            form=form,
            disciplines=disciplines,
            earlier=earlier,
            problem=problem,
        )

    if request.method == "POST" and request.form.get("copy_from") and earlier is not None:
        form = programme_form(disciplines, {e.discipline_id: e for e in earlier.programme})
        form.process(
            data={
                f"discipline-{d.slug}": False
                for d in disciplines
                if d.id not in {e.discipline_id for e in earlier.programme}
            }
        )
        flash(_("The programme of %(year)s is filled in below: check it, then save.", year=earlier.year))
        return page(form)
    # the saved programme fills the page; a post stands alone (a field left out is empty, a weight 1)
    saved = {e.discipline_id: e for e in edition.programme} if request.method == "GET" else {}
    form = programme_form(disciplines, saved)
    problem = None
    if request.method == "POST" and tick_rows(form, "discipline-", request.form.get("tick")):
        return page(form)
    if form.validate_on_submit():
        weights, tables = {}, {}
        for d in form.chosen(disciplines):
            weights[d] = weight_of(form, d)
            text = (form[f"table-{d.slug}"].data or "").strip()
            if text:
                try:
                    tables[d] = scoring.parse_table(text, form[f"beyond-{d.slug}"].data == "last")
                except (ValueError, ZeroDivisionError) as error:
                    form[f"table-{d.slug}"].errors = [table_problem(discipline_name(d), error)]
        if not any(form[f"table-{d.slug}"].errors for d in disciplines):
            try:
                with unit_of_work():
                    if not once(form, actor(), f"edition:{year}:programme").repeated:
                        catalogue.set_programme(edition, weights, actor(), tables)
            except catalogue.CatalogueError as error:
                problem = _(
                    "These disciplines have results and cannot be removed: %(disciplines)s.",
                    disciplines=", ".join(discipline_name(d) for d in error.blocked),
                )
            else:
                flash(
                    ngettext(
                        "Programme saved: %(num)d discipline.", "Programme saved: %(num)d disciplines.", len(weights)
                    )
                )
                return redirect(next_step(edition, "programme"), code=303)
    has_errors = problem or any(f.errors for f in form)
    return page(form, 422 if has_errors else 200, problem)


@bp.route("/editions/<int:year>/scheme", methods=["GET", "POST"])
def scheme(year: int) -> ResponseReturnValue:
    """The points scheme, or a preview of the ranking it would give without saving."""
    edition = edition_or_404(year)
    form = SchemeForm(prefix="scheme")
    earlier = None
    source = edition.scheme
    if source is None and (earlier := previous_edition(edition, Edition.scheme.has())) is not None:
        source = earlier.scheme  # proposed, saved only when the administrator saves it
    if not form.is_submitted() and source is not None:
        form.place_points.data = " ".join(typed(p) for p in source.place_points)
        form.tie_rule.data = source.tie_rule
        form.tie_breaks.data = " ".join(str(p) for p in source.tie_breaks)
    preview = None
    if form.validate_on_submit():
        try:
            parsed: scoring.ScoringScheme[int] = scoring.parse_scheme(
                form.place_points.data, form.tie_rule.data, form.tie_breaks.data or ""
            )
        except (ValueError, ZeroDivisionError) as error:
            field = form.tie_breaks if getattr(error, "code", None) == "tie_breaks" else form.place_points
            field.errors.append(scheme_problem(error))
        else:
            if not form.preview.data:
                with unit_of_work():
                    if not once(form, actor(), f"edition:{year}:scheme").repeated:
                        catalogue.set_scheme(edition, parsed, actor())
                flash(_("Points scheme saved."))
                return redirect(next_step(edition, "scheme"), code=303)
            editions, schools = load_editions(Edition.id == edition.id)
            current = build_standing(editions[0], schools)
            editions[0].scheme = parsed
            preview = (build_standing(editions[0], schools), current)
    return step_page(
        "admin/step_scheme.html",
        edition,
        "scheme",
        422 if form.errors else 200,
        form=form,
        preview=preview,
        earlier=earlier if edition.scheme is None else None,
    )


CONFIRMED = ("finished", "cancelled")  # steps that freeze or end an edition: asked twice


@bp.post("/editions/<int:year>/status")
def status(year: int) -> ResponseReturnValue:
    edition = edition_or_404(year)
    try:
        target = EditionStatus(request.form.get("target", ""))
    except ValueError:
        target = None
    opening = target is EditionStatus.LIVE and edition.status is EditionStatus.PLANNED
    if target is not None and (target.value in CONFIRMED or opening) and request.form.get("confirm") != "yes":
        editions, by_id = load_editions(Edition.id == edition.id)
        unfinished = sorted(
            (e for e in edition.programme if e.result_state is not ResultState.FINAL),
            key=lambda e: discipline_name(e.discipline),
        )
        return render_template(
            "admin/edition_confirm.html",
            edition=edition,
            target=target,
            standing=build_standing(editions[0], by_id),
            unfinished=unfinished,
            submission_id=new_submission_id(),
            days_to_go=(edition.start_date - utcnow().date()).days if edition.start_date else None,
        )
    try:
        if target is None:
            raise TransitionRefused("not_a_step")
        with unit_of_work():
            key = request.form.get("submission_id")
            if not claim(Submission(key, actor(), f"edition:{year}:status", {"target": target.value})).repeated:
                change_status(edition, target, actor())
    except TransitionRefused as error:
        flash(transition_problem(error.code, error.detail, error.missing), "error")
        return redirect(url_for("admin.edition", year=year, _anchor="open"), code=303)
    flash(_("The edition is now %(status)s.", status=labels.edition_status(target)))
    return redirect(url_for("admin.edition", year=year), code=303)


@bp.post("/editions/<int:year>/public")
def publish(year: int) -> ResponseReturnValue:
    """Show a planned edition to the public, or take it out again; posting it twice changes nothing more."""
    edition = edition_or_404(year)
    form = PublicForm()
    if not form.validate():
        abort(400, description=_("Choose whether the edition is public: yes or no."))
    wanted = form.public.data == "yes"
    with unit_of_work():
        catalogue.set_public(edition, wanted, actor())
    if edition.public != wanted:  # only a planned edition can be taken out
        flash(_("A live or past edition stays on the public pages."), "error")
    else:
        flash(_("The edition is public.") if edition.public else _("The edition is out of the public pages."))
    return redirect(url_for("admin.edition", year=year, _anchor="public"), code=303)


@bp.get("/editions/<int:year>/organisers")
def organisers(year: int) -> ResponseReturnValue:
    """Who enters the results: the organiser accounts, this edition's entry links, and a sheet of new
    links for the programme (every discipline ticked while the edition has none)."""
    edition = edition_or_404(year)
    entries = sorted(edition.programme, key=lambda e: e.discipline.programme_key())
    links = list(
        db.session.scalars(sa.select(EntryLink).filter_by(edition_id=edition.id).order_by(EntryLink.created_at.desc()))
    )
    form = LinkForm()
    form.disciplines.choices = discipline_choices([e.discipline for e in entries])
    if not any(link.usable() for link in links):  # the first sheet: the whole programme, one tap
        form.programme.data = ProgrammeField.WHOLE
    opens, hours = accounts.link_window(edition)
    if hours is not None:
        form.hours.data = hours
    people = list(db.session.scalars(sa.select(User).filter_by(role=Role.ORGANISER, active=True).order_by(User.email)))
    return step_page(
        "admin/step_organisers.html",
        edition,
        "organisers",
        form=form,
        links=links,
        accounts=people,
        opens=opens,
        closes=accounts.edition_end(edition),
    )
