"""Administration pages: thin views over cartel.catalogue, cartel.accounts and cartel.operations."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import segno
import sqlalchemy as sa
from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_user
from flask_wtf import FlaskForm
from wtforms import SelectChoice

from cartel import accounts, catalogue, labels
from cartel.admin.forms import DisciplineForm, EditionForm, LinkForm, SchemeForm, SchoolForm, SportForm, UserForm
from cartel.auth import require_role
from cartel.extensions import db
from cartel.i18n import discipline_name
from cartel.models import (
    AuditEntry,
    Category,
    Discipline,
    Edition,
    EditionStatus,
    EntryLink,
    Role,
    School,
    Sport,
    User,
)
from cartel.models.sport import SportKind
from cartel.operations import Actor, TransitionRefused, change_status
from cartel.scoring import SchemeError
from cartel.standings import build_standing, load_editions

bp = Blueprint("admin", __name__, url_prefix="/admin")


class ActionForm(FlaskForm):
    """CSRF only, for buttons and forms whose fields depend on the data."""


@bp.before_request
@require_role(Role.ADMIN)
def admins_only():
    return None


def actor() -> Actor:
    return Actor(user_id=current_user.id)


def disciplines_sorted() -> list[Discipline]:
    return sorted(db.session.scalars(sa.select(Discipline)), key=lambda d: (d.sport.name_fr, d.category.value))


def discipline_choices(disciplines: list[Discipline]) -> dict[str, list[SelectChoice]]:
    """Disciplines by sport, each under its name in the reader's language (never a slug)."""
    groups: dict[str, list[SelectChoice]] = {}
    for d in disciplines:
        groups.setdefault(d.sport.name(str(get_locale())), []).append(SelectChoice(d.slug, discipline_name(d)))
    return groups


@bp.get("/")
def index():
    editions = list(db.session.scalars(sa.select(Edition).order_by(Edition.year.desc())))
    return render_template("admin/index.html", editions=editions)


# --- schools, sports, disciplines ---------------------------------------------------------------


@bp.route("/schools", methods=["GET", "POST"])
@bp.route("/schools/<slug>", methods=["GET", "POST"])
def schools(slug: str | None = None):
    school = None
    if slug is not None:
        school = db.session.scalar(sa.select(School).filter_by(slug=slug)) or abort(404)
    form = SchoolForm(obj=school, school=school)
    if form.validate_on_submit():
        catalogue.save_school(
            school,
            {
                f.name: f.data.strip() if isinstance(f.data, str) else f.data
                for f in form
                if f.name in catalogue.SCHOOL_FIELDS
            },
            actor(),
        )
        flash(_("School saved."))
        return redirect(url_for("admin.schools"), code=303)
    rows = db.session.scalars(sa.select(School).order_by(School.name))
    return render_template("admin/schools.html", form=form, school=school, rows=list(rows)), 422 if form.errors else 200


@bp.route("/disciplines", methods=["GET", "POST"])
def disciplines():
    sport_form = SportForm(prefix="sport")
    discipline_form = DisciplineForm(prefix="discipline")
    sports = list(db.session.scalars(sa.select(Sport).order_by(Sport.name_fr)))
    discipline_form.sport.choices = [SelectChoice(s.slug, s.name_fr) for s in sports]
    if sport_form.submit.data and sport_form.validate_on_submit():
        catalogue.add_sport(
            sport_form.slug.data,
            sport_form.name_fr.data.strip(),
            sport_form.name_en.data.strip(),
            actor(),
            SportKind(sport_form.kind.data),
        )
        flash(_("Sport added."))
        return redirect(url_for("admin.disciplines"), code=303)
    if discipline_form.submit.data and discipline_form.validate_on_submit():
        sport = next(s for s in sports if s.slug == discipline_form.sport.data)
        category = Category(discipline_form.category.data)
        if any(d.category is category for d in sport.disciplines):
            discipline_form.category.errors.append(_("This discipline already exists."))
        else:
            catalogue.add_discipline(sport, category, actor())
            flash(_("Discipline added."))
            return redirect(url_for("admin.disciplines"), code=303)
    status = 422 if sport_form.errors or discipline_form.errors else 200
    return render_template(
        "admin/disciplines.html",
        sport_form=sport_form,
        discipline_form=discipline_form,
        disciplines=disciplines_sorted(),
    ), status


# --- editions -------------------------------------------------------------------------------------


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
        action_form=ActionForm(),
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
    if not ActionForm().validate_on_submit():
        abort(400)
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


def table_problem(discipline: Discipline, error: Exception) -> str:
    """Why a discipline's own points table was refused, in the reader's language."""
    reasons = {
        "negative": _("points cannot be negative"),
        "increasing": _("a better place cannot earn fewer points than a worse one"),
        "too_large": _(
            "at most %(places)s places of at most %(points)s points each",
            places=catalogue.MAX_PLACES,
            points=catalogue.MAX_POINTS,
        ),
    }
    reason = reasons.get(error.code) if isinstance(error, SchemeError) else None
    return _(
        "The points table of %(discipline)s cannot be used: %(reason)s.",
        discipline=discipline_name(discipline),
        reason=reason or _("points are numbers such as 24 or 7.5, best place first, separated by spaces"),
    )


@bp.post("/editions/<int:year>/programme")
def programme(year: int):
    """Save the programme: the disciplines, their weights and their own points tables, all or nothing."""
    edition = edition_or_404(year)
    if not ActionForm().validate_on_submit():
        abort(400)
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
                problems[f"table-{slug}"] = table_problem(discipline, error)
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
        reasons = {
            "empty": _("give the points of at least the 1st place"),
            "negative": _("points cannot be negative"),
            "increasing": _("a better place cannot earn fewer points than a worse one"),
            "tie_breaks": _("tie-breaks are distinct places, such as 1 2 3"),
            "too_large": _(
                "at most %(places)s places of at most %(points)s points each",
                places=catalogue.MAX_PLACES,
                points=catalogue.MAX_POINTS,
            ),
        }
        reason = reasons.get(error.code) if isinstance(error, SchemeError) else None
        form.place_points.errors.append(
            _(
                "This scheme cannot be used: %(reason)s.",
                reason=reason
                or _("points are numbers such as 10 or 7.5 separated by spaces, tie-breaks whole numbers"),
            )
        )
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
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        target = EditionStatus(request.form.get("target", ""))
        change_status(edition, target, actor())
    except (ValueError, TransitionRefused) as error:
        db.session.rollback()
        reasons = {
            "no_scheme": _("set the points scheme first"),
            "published": _("this edition already has a published standing"),
        }
        reason = reasons.get(getattr(error, "code", ""), _("it is not a step of the edition's life"))
        flash(_("This change of state is not possible: %(reason)s.", reason=reason), "error")
        return redirect(url_for("admin.edition", year=year), code=303)
    flash(_("The edition is now %(status)s.", status=labels.edition_status(target)))
    return redirect(url_for("admin.edition", year=year), code=303)


# --- accounts and entry links --------------------------------------------------------------------


@bp.route("/users", methods=["GET", "POST"])
@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def users(user_id: int | None = None):
    user = db.session.get(User, user_id) if user_id else None
    if user_id and user is None:
        abort(404)
    form = UserForm(obj=user, user=user)
    all_disciplines = disciplines_sorted()
    form.disciplines.choices = discipline_choices(all_disciplines)
    if user is not None and not form.is_submitted():
        form.role.data = user.role.value
        form.disciplines.data = [d.slug for d in user.disciplines]
    if form.validate_on_submit():
        chosen = [d for d in all_disciplines if d.slug in (form.disciplines.data or [])]
        role = Role(form.role.data)
        try:
            if user is None:
                accounts.create_user(form.email.data, form.password.data, role, actor(), chosen)
            else:
                accounts.update_user(
                    user,
                    actor(),
                    role=role,
                    active=form.active.data,
                    disciplines=chosen,
                    password=form.password.data or None,
                )
                if user.id == current_user.id and user.active:
                    login_user(user)  # their own password changed: this session goes on, the others end
        except accounts.UserError as error:
            db.session.rollback()
            form.email.errors.append(str(error))
        else:
            flash(_("Account saved."))
            return redirect(url_for("admin.users"), code=303)
    rows = db.session.scalars(sa.select(User).order_by(User.email))
    return render_template("admin/users.html", form=form, user=user, rows=list(rows)), 422 if form.errors else 200


@bp.route("/links", methods=["GET", "POST"])
def links():
    edition = db.session.scalar(
        sa.select(Edition)
        .where(Edition.status.in_([EditionStatus.LIVE, EditionStatus.PLANNED]))
        .order_by(Edition.status == EditionStatus.PLANNED, Edition.year.desc())
        .limit(1)
    )
    form = LinkForm()
    entries = (
        sorted(edition.programme, key=lambda e: (e.discipline.sport.name_fr, e.discipline.category.value))
        if edition
        else []
    )
    form.disciplines.choices = discipline_choices([e.discipline for e in entries])
    if edition is not None and form.validate_on_submit():
        chosen = [e.discipline for e in entries if e.discipline.slug in form.disciplines.data]
        if form.reissue.data:  # the links these disciplines had stop working: only the new sheet counts
            current = db.session.scalars(
                sa.select(EntryLink).where(
                    EntryLink.edition_id == edition.id,
                    EntryLink.discipline_id.in_([d.id for d in chosen]),
                    EntryLink.revoked_at.is_(None),
                )
            )
            for link in [link for link in current if link.usable()]:
                accounts.revoke_link(link, actor())
        sheets = []
        for discipline in chosen:
            link, token = accounts.create_link(edition, discipline, form.label.data.strip(), form.hours.data, actor())
            url = url_for("links.use_link", token=token, _external=True)
            sheets.append((link, url, segno.make(url, error="m").svg_inline(scale=5, dark="#000", omitsize=True)))
        response = make_response(render_template("admin/link_sheet.html", edition=edition, sheets=sheets))
        response.headers["Cache-Control"] = "no-store"  # the tokens are shown once: no copy anywhere
        return response
    rows = db.session.scalars(sa.select(EntryLink).order_by(EntryLink.created_at.desc()))
    return render_template(
        "admin/links.html", form=form, edition=edition, rows=list(rows), action_form=ActionForm()
    ), 422 if form.errors else 200


@bp.post("/links/<int:link_id>/revoke")
def revoke(link_id: int):
    link = db.session.get(EntryLink, link_id) or abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    accounts.revoke_link(link, actor())
    flash(_("Link revoked."))
    return redirect(url_for("admin.links"), code=303)


@bp.get("/audit")
def audit_log():
    rows = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(200))
    return render_template("admin/audit.html", rows=list(rows))
