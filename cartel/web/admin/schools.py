"""Administration of schools, sports and disciplines."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from wtforms import SelectChoice

from cartel.core.collation import folded
from cartel.extensions import db
from cartel.models import Category, School, Sport
from cartel.models.sport import SportKind
from cartel.web.admin.base import actor, bp, disciplines_sorted
from cartel.web.admin.forms import DisciplineForm, SchoolForm, SportForm
from cartel.web.forms import applied_before, once
from cartel.write import catalogue
from cartel.write.unit import unit_of_work


@bp.route("/schools", methods=["GET", "POST"])
@bp.route("/schools/<slug>", methods=["GET", "POST"])
def schools(slug: str | None = None) -> ResponseReturnValue:
    school = None
    if slug is not None:
        school = db.session.scalar(sa.select(School).filter_by(slug=slug)) or abort(404)
    form = SchoolForm(obj=school, school=school)
    target = f"school:{slug or 'new'}"
    # a new school's repeat would be refused as "already exists": looked up before the form's checks
    repeated = applied_before(form, actor(), target) is not None
    if repeated or form.validate_on_submit():
        values = {f.name: f.data.strip() if isinstance(f.data, str) else f.data for f in form}
        with unit_of_work():
            if not repeated and not once(form, actor(), target).repeated:
                fields = {k: v for k, v in values.items() if k in catalogue.SCHOOL_FIELDS}
                catalogue.save_school(school, fields, actor())
        flash(_("School saved."))
        return redirect(url_for("admin.schools"), code=303)
    rows = sorted(db.session.scalars(sa.select(School)), key=lambda s: folded(s.name))
    return render_template("admin/schools.html", form=form, school=school, rows=list(rows)), 422 if form.errors else 200


@bp.route("/disciplines", methods=["GET", "POST"])
def disciplines() -> ResponseReturnValue:
    sport_form = SportForm(prefix="sport")
    discipline_form = DisciplineForm(prefix="discipline")
    locale = str(get_locale())
    sports = sorted(db.session.scalars(sa.select(Sport)), key=lambda s: folded(s.name(locale)))
    discipline_form.sport.choices = [SelectChoice(s.slug, s.name(locale)) for s in sports]
    if sport_form.submit.data and (
        applied_before(sport_form, actor(), "sport:new") is not None or sport_form.validate_on_submit()
    ):
        with unit_of_work():
            if not once(sport_form, actor(), "sport:new").repeated:
                catalogue.add_sport(
                    sport_form.slug.data,
                    sport_form.name_fr.data.strip(),
                    sport_form.name_en.data.strip(),
                    actor(),
                    SportKind(sport_form.kind.data),
                )
        flash(_("Sport added."))
        return redirect(url_for("admin.disciplines"), code=303)
    if discipline_form.submit.data and applied_before(discipline_form, actor(), "discipline:new") is not None:
        flash(_("Discipline added."))
        return redirect(url_for("admin.disciplines"), code=303)
    if discipline_form.submit.data and discipline_form.validate_on_submit():
        sport = next(s for s in sports if s.slug == discipline_form.sport.data)
        category = Category(discipline_form.category.data)
        if any(d.category is category for d in sport.disciplines):
            discipline_form.category.errors.append(_("This discipline already exists."))
        else:
            with unit_of_work():
                if not once(discipline_form, actor(), "discipline:new").repeated:
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
