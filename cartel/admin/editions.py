"""Administration of editions: details, participants, programme, points scheme and status."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from wtforms import SelectChoice

from cartel import catalogue, labels
from cartel.admin.base import actor, bp, disciplines_sorted
from cartel.admin.forms import EditionForm, SchemeForm
from cartel.extensions import db
from cartel.i18n import discipline_name
from cartel.models import Edition, EditionStatus, School
from cartel.operations import TransitionRefused, change_status
from cartel.problems import scheme_problem, table_problem, transition_problem
from cartel.standings import build_standing, load_editions


def edition_or_404(year: int) -> Edition:
    return db.session.scalar(sa.select(Edition).filter_by(year=year)) or abort(404)


def edition_form(edition: Edition | None) -> EditionForm:
    form = EditionForm(obj=edition, edition=edition, prefix="edition")
    form.host.choices = [SelectChoice("", "—")] + [
        SelectChoice(s.slug, s.name) for s in db.session.scalars(sa.select(School).order_by(School.name))
    ]
    if edition is not None and not form.is_submitted():
        form.host.data = edition.host.slug if edition.host else ""
    return form


@bp.route("/editions/new", methods=["GET", "POST"])
def edition_new():
    form = edition_form(None)
    if form.validate_on_submit():
        edition = save_edition_from(form, None)
        flash(_("Edition created."))
        return redirect(url_for("admin.edition", year=edition.year), code=303)
    return render_template("admin/edition_new.html", form=form), 422 if form.errors else 200


def save_edition_from(form: EditionForm, edition: Edition | None) -> Edition:
    host = db.session.scalar(sa.select(School).filter_by(slug=form.host.data)) if form.host.data else None
    values = {name: getattr(form, name).data for name in catalogue.EDITION_FIELDS}
    return catalogue.save_edition(edition, values, host, actor())


def edition_page(
    edition: Edition, *, form=None, scheme_form=None, preview=None, problems=None, programme_typed=None, status=200
):
    schools = list(db.session.scalars(sa.select(School).order_by(School.name)))
    if scheme_form is None:
        scheme_form = SchemeForm(prefix="scheme")
        if edition.scheme is not None:
            scheme_form.place_points.data = " ".join(str(p) for p in edition.scheme.place_points)
            scheme_form.tie_rule.data = edition.scheme.tie_rule
            scheme_form.tie_breaks.data = " ".join(str(p) for p in edition.scheme.tie_breaks)
    editions, by_id = load_editions(Edition.id == edition.id)
    return render_template(
        "admin/edition.html",
        edition=edition,
        form=form or edition_form(edition),
        scheme_form=scheme_form,
        schools=schools,
        disciplines=disciplines_sorted(),
        participants={p.school_id: p for p in edition.participations},
        programme={e.discipline_id: e for e in edition.programme},
        standing=build_standing(editions[0], by_id),
        preview=preview,
        problems=problems or {},
        programme_typed=programme_typed,  # the programme as typed, shown again when it was refused
        statuses=EditionStatus,
    ), status


@bp.route("/editions/<int:year>", methods=["GET", "POST"])
def edition(year: int):
    edition = edition_or_404(year)
    form = edition_form(edition)
    if form.validate_on_submit():
        save_edition_from(form, edition)
        flash(_("Edition saved."))
        return redirect(url_for("admin.edition", year=form.year.data), code=303)
    return edition_page(edition, form=form, status=422 if form.errors else 200)


@bp.post("/editions/<int:year>/participants")
def participants(year: int):
    edition = edition_or_404(year)
    sizes, problems = {}, {}
    for school in db.session.scalars(sa.select(School)):
        if request.form.get(f"school-{school.slug}") != "on":
            continue
        raw = request.form.get(f"size-{school.slug}", "").strip()
        size = int(raw) if raw.isdecimal() and len(raw) <= 5 else None
        if raw and (size is None or size < 1):
            problems[school.slug] = _(
                "The delegation size of %(school)s must be a whole number above 0.", school=school.name
            )
        sizes[school] = size if size else None
    if problems:
        return edition_page(edition, problems=problems, status=422)
    try:
        catalogue.set_participants(edition, sizes, actor())
    except catalogue.CatalogueError as error:
        db.session.rollback()
        return edition_page(
            edition,
            problems={
                "participants": _(
                    "These schools have results in this edition and cannot be removed: %(schools)s.", schools=str(error)
                )
            },
            status=422,
        )
    flash(_("Participants saved."))
    return redirect(url_for("admin.edition", year=year) + "#participants", code=303)


@bp.post("/editions/<int:year>/programme")
def programme(year: int):
    """Save the programme: the disciplines, their weights and their own points tables, all or nothing."""
    edition = edition_or_404(year)
    weights, tables, problems = {}, {}, {}
    for discipline in disciplines_sorted():
        slug = discipline.slug
        if request.form.get(f"discipline-{slug}") != "on":
            continue
        raw = request.form.get(f"weight-{slug}", "1").strip().replace(",", ".") or "1"
        try:
            weight = Decimal(raw)
            if not weight.is_finite() or weight <= 0 or weight > 100:
                raise InvalidOperation
        except InvalidOperation:
            problems[slug] = _(
                "The weight of %(discipline)s must be a number above 0 (up to 100).", discipline=discipline.slug
            )
        else:
            weights[discipline] = weight.quantize(Decimal("0.01"))
        table_text = request.form.get(f"table-{slug}", "").strip()
        beyond = request.form.get(f"beyond-{slug}", "zero")
        if beyond not in ("zero", "last"):
            problems[f"table-{slug}"] = _(
                "Choose what the places past the table of %(discipline)s earn.", discipline=discipline_name(discipline)
            )
        elif table_text:
            try:
                tables[discipline] = catalogue.parse_table(table_text, beyond == "last")
            except (ValueError, ZeroDivisionError) as error:
                problems[f"table-{slug}"] = table_problem(discipline_name(discipline), error)
    if problems:
        return edition_page(edition, problems=problems, programme_typed=request.form, status=422)
    try:
        catalogue.set_programme(edition, weights, actor(), tables)
    except catalogue.CatalogueError as error:
        db.session.rollback()
        return edition_page(
            edition,
            problems={
                "programme": _(
                    "These disciplines have results and cannot be removed: %(disciplines)s.", disciplines=str(error)
                )
            },
            programme_typed=request.form,
            status=422,
        )
    flash(_("Programme saved."))
    return redirect(url_for("admin.edition", year=year) + "#programme", code=303)


@bp.post("/editions/<int:year>/scheme")
def scheme(year: int):
    """Save the points scheme, or preview the ranking it would give without saving."""
    edition = edition_or_404(year)
    form = SchemeForm(prefix="scheme")
    if not form.validate_on_submit():
        return edition_page(edition, scheme_form=form, status=422)
    try:
        parsed = catalogue.parse_scheme(form.place_points.data, form.tie_rule.data, form.tie_breaks.data or "")
    except (ValueError, ZeroDivisionError) as error:
        form.place_points.errors.append(scheme_problem(error))
        return edition_page(edition, scheme_form=form, status=422)
    if form.preview.data:
        editions, schools = load_editions(Edition.id == edition.id)
        editions[0].scheme = parsed
        preview = build_standing(editions[0], schools)
        return edition_page(edition, scheme_form=form, preview=preview)
    catalogue.set_scheme(edition, parsed, actor())
    flash(_("Points scheme saved."))
    return redirect(url_for("admin.edition", year=year) + "#scheme", code=303)


@bp.post("/editions/<int:year>/status")
def status(year: int):
    edition = edition_or_404(year)
    try:
        target = EditionStatus(request.form.get("target", ""))
        change_status(edition, target, actor())
    except (ValueError, TransitionRefused) as error:
        db.session.rollback()
        flash(transition_problem(getattr(error, "code", "")), "error")
        return redirect(url_for("admin.edition", year=year), code=303)
    flash(_("The edition is now %(status)s.", status=labels.edition_status(target)))
    return redirect(url_for("admin.edition", year=year), code=303)
