"""Log in and out. Failed logins are throttled per account and per address (stored in the database)."""

from __future__ import annotations

import datetime as dt
from functools import wraps

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Email

from cartel.extensions import db, login_manager
from cartel.models import LoginFailure, Role, User
from cartel.models.user import _now
from cartel.urls import local_target

bp = Blueprint("auth", __name__)

WINDOW = dt.timedelta(minutes=15)
MAX_PER_ACCOUNT = 5
MAX_PER_ADDRESS = 20


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    submit = SubmitField(_l("Log in"))


def login_manager_setup(app) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to enter results.")
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        return db.session.get(User, int(user_id))


def require_role(*roles: Role):
    """Views for logged-in accounts of these roles; others get 403 (or the login page)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def client_address() -> str:
    return (request.remote_addr or "unknown")[:64]


def throttled(email: str, address: str) -> bool:
    since = _now() - WINDOW
    per_account = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(LoginFailure)
        .where(LoginFailure.email == email, LoginFailure.at >= since)
    )
    per_address = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(LoginFailure)
        .where(LoginFailure.address == address, LoginFailure.at >= since)
    )
    return per_account >= MAX_PER_ACCOUNT or per_address >= MAX_PER_ADDRESS


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        address = client_address()
        if throttled(email, address):
            return render_template("auth/login.html", form=form, throttled=True), 429
        user = db.session.scalar(sa.select(User).filter_by(email=email))
        if user is None or not user.active or not user.check_password(form.password.data):
            db.session.add(LoginFailure(email=email, address=address))
            db.session.commit()
            form.password.errors.append(_("Wrong email or password."))
            return render_template("auth/login.html", form=form), 401
        db.session.execute(sa.delete(LoginFailure).where(LoginFailure.email == email))
        db.session.commit()
        session.clear()  # a fresh session at login (no fixation)
        login_user(user)
        return redirect(local_target(request.args.get("next"), url_for("entry.index")))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout():
    logout_user()
    session.clear()
    flash(_("Logged out."))
    return redirect(url_for("public.home"))
