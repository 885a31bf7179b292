"""Administration of accounts and entry links."""

from __future__ import annotations

import segno
import sqlalchemy as sa
from flask import abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user

from cartel import accounts
from cartel.admin.base import actor, bp, discipline_choices, disciplines_sorted
from cartel.admin.forms import LinkForm, UserForm
from cartel.extensions import db
from cartel.models import Edition, EditionStatus, EntryLink, Role, User


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
    return render_template("admin/links.html", form=form, edition=edition, rows=list(rows)), 422 if form.errors else 200


@bp.post("/links/<int:link_id>/revoke")
def revoke(link_id: int):
    link = db.session.get(EntryLink, link_id) or abort(404)
    accounts.revoke_link(link, actor())
    flash(_("Link revoked."))
    return redirect(url_for("admin.links"), code=303)
