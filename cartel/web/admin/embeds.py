"""The sites allowed to frame the widgets (/embed/...): every other page refuses to be framed."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length

from cartel.extensions import db
from cartel.models import Edition, EmbedOrigin
from cartel.web.admin.base import actor, bp
from cartel.web.forms import OnceForm, once
from cartel.write import embeds
from cartel.write.unit import unit_of_work


class OriginForm(OnceForm):
    origin = StringField(
        _l("Site (its address: https://bds.example.org)"), validators=[DataRequired(), Length(max=200)]
    )
    submit = SubmitField(_l("Allow it to frame the widgets"))


def page(form: OriginForm, status: int = 200) -> ResponseReturnValue:
    rows = list(db.session.scalars(sa.select(EmbedOrigin).order_by(EmbedOrigin.origin)))
    year = db.session.scalar(sa.select(Edition.year).order_by(Edition.year.desc()).limit(1))
    return render_template("admin/embeds.html", form=form, rows=rows, year=year), status


@bp.route("/embeds", methods=["GET", "POST"])
def embed_sites() -> ResponseReturnValue:
    form = OriginForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                if not once(form, actor(), "embeds").repeated:
                    row = embeds.add_origin(form.origin.data or "", actor())
                    flash(_("%(origin)s may now frame the widgets.", origin=row.origin))
        except embeds.OriginRefused:
            form.origin.errors = [
                _("Give the site's address only, such as https://bds.example.org (no path, no spaces).")
            ]
            return page(form, 422)
        return redirect(url_for("admin.embed_sites"), code=303)
    return page(form, 422 if form.errors else 200)


@bp.post("/embeds/<int:origin_id>/remove")
def remove_embed_site(origin_id: int) -> ResponseReturnValue:
    row = db.session.get(EmbedOrigin, origin_id) or abort(404)
    origin = row.origin
    with unit_of_work():
        embeds.remove_origin(row, actor())
    flash(_("%(origin)s may no longer frame the widgets.", origin=origin))
    return redirect(url_for("admin.embed_sites"), code=303)
