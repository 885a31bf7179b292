"""The login form, and the e-mail rule every account form shares."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, Field, PasswordField, SubmitField
from wtforms.validators import DataRequired, ValidationError

from cartel.write.accounts import UserError, email_address


def account_email(_form: FlaskForm, field: Field) -> None:
    """The e-mail rule of accounts (cartel.write.accounts.email_address), the same as `flask user create`:
    the field then holds the address as stored (trimmed, lower case)."""
    try:
        field.data = email_address(field.data or "")
    except UserError:
        raise ValidationError(field.gettext("Invalid email address.")) from None  # WTForms' own words


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), account_email])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    submit = SubmitField(_l("Log in"))
