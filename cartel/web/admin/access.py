"""Administration of accounts and entry links."""

from __future__ import annotations

import segno
import sqlalchemy as sa
from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_user
from sqlalchemy.orm import selectinload

from cartel.extensions import db
from cartel.models import Edition, EditionStatus, EntryLink, Role, User
from cartel.web.admin.base import actor, bp, discipline_choices, disciplines_sorted
from cartel.web.admin.forms import LinkForm, UserForm
from cartel.web.forms import applied_before, new_submission_id, once
from cartel.words.describe import listed
from cartel.words.i18n import discipline_name, link_scope
from cartel.write import accounts
from cartel.write.unit import unit_of_work


def account_problem(error: accounts.UserError) -> str:
    """A refused account change in the reader's words."""
    return {
        "email": _("This is not an email address."),
        "exists": _("An account with this email already exists."),
        "password": _("The password needs at least %(count)s characters.", count=accounts.MIN_PASSWORD),
        "last_admin": _(
            "This is the last active administrator: make another account an administrator first, then change this one."
        ),
    }.get(error.code, str(error))


def saved_message(user: User) -> str:
    if user.is_admin:
        return _("Account %(email)s saved: an administrator, who may enter every discipline.", email=user.email)
    if not user.disciplines:
        return _("Account %(email)s saved: may enter the whole programme.", email=user.email)
    names = listed(sorted(discipline_name(d) for d in user.disciplines))
    return _("Account %(email)s saved: may enter only %(disciplines)s.", email=user.email, disciplines=names)


@bp.route("/users", methods=["GET", "POST"])
@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def users(user_id: int | None = None) -> ResponseReturnValue:
    user = db.session.get(User, user_id) if user_id else None
    if user_id and user is None:
        abort(404)
    form = UserForm(obj=user, user=user)
    all_disciplines = disciplines_sorted()
    form.disciplines.choices = discipline_choices(all_disciplines)
    if user is not None and not form.is_submitted():
        form.role.data = user.role.value
        form.disciplines.data = [d.slug for d in user.disciplines]
    target = f"user:{user_id or 'new'}"
    # a new account's repeat would be refused as "already exists": looked up before the form's checks
    first = applied_before(form, actor(), target)
    if first is not None:
        done = db.session.get(User, int(first.outcome)) if first.outcome else None
        flash(saved_message(done) if done is not None else _("This form had already been sent: nothing changed now."))
        return redirect(url_for("admin.users"), code=303)
    if form.validate_on_submit():
        # the whole programme is stored as no limit; the ticks below it then do not apply
        chosen = [] if form.whole_programme else [d for d in all_disciplines if d.slug in form.disciplines.data]
        role = Role(form.role.data)
        try:
            with unit_of_work():
                claimed = once(form, actor(), target)
                if user is None:
                    user = accounts.create_user(form.email.data, form.password.data, role, actor(), chosen)
                else:
                    accounts.update_user(
                        user,
                        actor(),
                        email=form.email.data,
                        role=role,
                        active=form.active.data,
                        disciplines=chosen,
                        password=form.password.data or None,
                    )
                claimed.settle(user.id)
        except accounts.UserError as error:
            # the last administrator's problem belongs to what would have removed them: the role, or "active"
            field = form.email if error.code != "last_admin" else form.role if role is not Role.ADMIN else form.active
            field.errors.append(account_problem(error))
        else:
            if user.id == current_user.id and user.active:
                login_user(user)  # their own password changed: this session goes on, the others end
            flash(saved_message(user))
            return redirect(url_for("admin.users"), code=303)
    rows = db.session.scalars(sa.select(User).options(selectinload(User.disciplines)).order_by(User.email))
    return render_template("admin/users.html", form=form, user=user, rows=list(rows)), 422 if form.errors else 200


def edition_taking_links() -> Edition | None:
    """The edition of ``?edition=YEAR`` (planned or live; the set-up pages name theirs), else the live
    edition, else the latest planned one."""
    query = sa.select(Edition).where(Edition.status.in_([EditionStatus.LIVE, EditionStatus.PLANNED]))
    year = request.args.get("edition", type=int)
    if year is not None:
        if not 0 < year < 10_000:  # not a year: nothing to ask the database
            abort(404)
        return db.first_or_404(query.filter_by(year=year))
    return db.session.scalar(query.order_by(Edition.status == EditionStatus.PLANNED, Edition.year.desc()).limit(1))


@bp.route("/links", methods=["GET", "POST"])
def links() -> ResponseReturnValue:
    edition = edition_taking_links()
    form = LinkForm()
    entries = sorted(edition.programme, key=lambda e: e.discipline.programme_key()) if edition else []
    form.disciplines.choices = discipline_choices([e.discipline for e in entries])
    if edition is not None and form.validate_on_submit():
        chosen = [e.discipline for e in entries if form.whole_programme or e.discipline.slug in form.disciplines.data]
        try:
            with unit_of_work():
                claimed = once(form, actor(), f"links:{edition.year}")
                issued = (
                    []
                    if claimed.repeated
                    else accounts.issue_links(
                        edition,
                        chosen,
                        form.label.data,
                        form.hours.data,
                        actor(),
                        reissue=form.reissue.data,
                        valid_from=accounts.link_window(edition)[0],  # printed ahead: they open with the edition
                    )
                )
        except accounts.UserError:
            form.disciplines.errors.append(_("This edition has no discipline in its programme yet."))
        else:
            if claimed.repeated:
                return links_already_issued(form, edition)
            sheets = []
            for link, token in issued:
                url = url_for("links.use_link", token=token, _external=True)
                sheets.append((link, url, segno.make(url, error="m").svg_inline(scale=5, dark="#000", omitsize=True)))
            response = make_response(render_template("admin/link_sheet.html", edition=edition, sheets=sheets))
            response.headers["Cache-Control"] = "no-store"  # the tokens are shown once: no copy anywhere
            return response
    rows = db.session.scalars(sa.select(EntryLink).order_by(EntryLink.created_at.desc()))
    return render_template("admin/links.html", form=form, edition=edition, rows=list(rows)), 422 if form.errors else 200


def links_already_issued(form: LinkForm, edition: Edition) -> ResponseReturnValue:
    """The same sheet asked twice (a double tap, a post sent again): its links exist once, and their
    tokens were shown on the first answer only. The form comes back ready to reissue them."""
    flash(
        _(
            "These links had already been issued by this same form: nothing was issued again. Their sheet is shown "
            "only once; if you did not get it, send the form again as it is now (Reissue ticked): the links just "
            "issued stop working and new ones are printed."
        ),
        "error",
    )
    form.reissue.data = True
    form.submission_id.data = new_submission_id()
    rows = db.session.scalars(sa.select(EntryLink).order_by(EntryLink.created_at.desc()))
    return render_template("admin/links.html", form=form, edition=edition, rows=list(rows))


@bp.post("/links/<int:link_id>/revoke")
def revoke(link_id: int) -> ResponseReturnValue:
    link = db.session.get(EntryLink, link_id) or abort(404)
    with unit_of_work():
        accounts.revoke_link(link, actor())  # a link already revoked stays as it was: posted twice, revoked once
    flash(_("Link revoked: %(discipline)s, %(label)s.", discipline=link_scope(link), label=link.label))
    return redirect(url_for("admin.links"), code=303)
