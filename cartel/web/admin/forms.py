"""One FlaskForm per administration form."""

from __future__ import annotations

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    StopValidation,
    ValidationError,
)

from cartel.extensions import db
from cartel.models import Category, Edition, Role, School, Sport, User
from cartel.models.sport import SportKind
from cartel.web.auth.forms import account_email
from cartel.web.forms import OnceForm


def parsed(form, field) -> None:
    """Stop at the field's own conversion error ("Not a valid integer value."): the checks after it
    (a range, a lookup in the database) have no value to check, and their messages would mislead."""
    if field.process_errors:
        raise StopValidation()


SLUG = Regexp(r"^[a-z0-9]+(-[a-z0-9]+)*$", message=_l("Lower-case letters, digits and hyphens only."))


class SchoolForm(OnceForm):
    slug = StringField(_l("Short address (slug)"), validators=[DataRequired(), Length(max=60), SLUG])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    short_name = StringField(_l("Short name"), validators=[DataRequired(), Length(max=40)])
    city = StringField(_l("City"), validators=[Optional(), Length(max=80)])
    country = StringField(
        _l("Country (two-letter code)"),
        default="FR",
        validators=[DataRequired(), Regexp(r"^[A-Z]{2}$", message=_l("Two capital letters."))],
    )
    colours = StringField(_l("Colours"), validators=[Optional(), Length(max=60)])
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, school: School | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._school = school

    def validate_slug(self, field) -> None:
        other = db.session.scalar(sa.select(School).filter_by(slug=field.data))
        if other is not None and other is not self._school:
            raise ValidationError(_l("Another school already has this slug."))

    def validate_name(self, field) -> None:
        other = db.session.scalar(sa.select(School).filter_by(name=field.data))
        if other is not None and other is not self._school:
            raise ValidationError(_l("Another school already has this name."))


class SportForm(OnceForm):
    slug = StringField(_l("Short address (slug)"), validators=[DataRequired(), Length(max=60), SLUG])
    name_fr = StringField(_l("Name in French"), validators=[DataRequired(), Length(max=80)])
    name_en = StringField(_l("Name in English"), validators=[DataRequired(), Length(max=80)])
    kind = SelectField(
        _l("Kind"),
        choices=[
            SelectChoice(SportKind.SPORT.value, _l("a sport")),
            SelectChoice(SportKind.CONTEST.value, _l("a contest that is not a sport (DJ contest, cheer show…)")),
        ],
        default=SportKind.SPORT.value,
        description=_l("Contests count in the general ranking and are shown apart from the sports."),
    )
    submit = SubmitField(_l("Add the sport"))

    def validate_slug(self, field) -> None:
        if db.session.scalar(sa.select(Sport.id).filter_by(slug=field.data)) is not None:
            raise ValidationError(_l("This sport already exists."))


class DisciplineForm(OnceForm):
    sport = SelectField(_l("Sport"), validators=[DataRequired()])
    category = SelectField(
        _l("Category"),
        choices=[
            SelectChoice(Category.MEN.value, _l("men")),
            SelectChoice(Category.WOMEN.value, _l("women")),
            SelectChoice(Category.OPEN.value, _l("open / mixed")),
        ],
    )
    submit = SubmitField(_l("Add the discipline"))


class EditionForm(OnceForm):
    year = IntegerField(_l("Year"), validators=[InputRequired(), parsed, NumberRange(1950, 2200)])
    number = IntegerField(_l("Number (empty if cancelled)"), validators=[Optional(), parsed, NumberRange(1, 500)])
    host = SelectField(_l("Host school"), validators=[Optional()])
    start_date = DateField(_l("First day"), validators=[Optional()])
    end_date = DateField(_l("Last day"), validators=[Optional()])
    delegation_count = IntegerField(_l("Number of delegations"), validators=[Optional(), parsed, NumberRange(1, 100)])
    source = TextAreaField(
        _l("Where these details come from"),
        validators=[Optional(), Length(max=300)],
        filters=[lambda text: (text or "").strip() or None],
        description=_l(
            "Begin with “Weak source” to warn the public that the dates and host may still change; empty, the "
            "public page says nothing about it."
        ),
    )
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, edition: Edition | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._edition = edition

    def validate_year(self, field) -> None:
        if field.errors:  # out of range: no lookup (a 20-digit year does not fit the database's integers)
            return
        other = db.session.scalar(sa.select(Edition).filter_by(year=field.data))
        if other is not None and other is not self._edition:
            link = Markup('<a href="%s">%s</a>') % (url_for("admin.edition", year=other.year), _("open it"))
            # escape() gives the translated sentence as safe markup; % escapes what it is given, the link aside
            raise ValidationError(escape(_("An edition of this year already exists: %(link)s.")) % {"link": link})

    def validate_number(self, field) -> None:
        if field.data is None or field.errors:
            return
        other = db.session.scalar(sa.select(Edition).filter_by(number=field.data))
        if other is not None and other is not self._edition:
            raise ValidationError(_l("Another edition has this number."))

    def _in_the_year(self, field) -> None:
        """An edition's days fall in its year (a Cartel is held in spring): a typo such as 0001 or 9999
        is refused here, not carried into the entry links' dates."""
        if field.data and self.year.data and not self.year.errors and field.data.year != self.year.data:
            raise ValidationError(_l("The day must fall in %(year)s, the edition's year.") % {"year": self.year.data})

    def validate_start_date(self, field) -> None:
        self._in_the_year(field)

    def validate_end_date(self, field) -> None:
        self._in_the_year(field)
        if field.data and self.start_date.data and field.data < self.start_date.data:
            raise ValidationError(_l("The last day is before the first day."))


class SchemeForm(OnceForm):
    place_points = StringField(
        _l("Points per place, 1st first"), validators=[DataRequired()], description=_l("For example: 10 7 5 3 2 1")
    )
    tie_rule = SelectField(
        _l("Shared places"),
        choices=[
            SelectChoice("shared", _l("each tied team gets the points of the shared place")),
            SelectChoice("split", _l("the points of the places covered are split equally")),
        ],
    )
    tie_breaks = StringField(
        _l("Tie-breaks (places, in order)"),
        default="1 2 3",
        description=_l("1 2 3: more 1st places, then 2nd, then 3rd"),
    )
    preview = SubmitField(_l("Preview the ranking"))
    submit = SubmitField(_l("Save the scheme"))


class PublicForm(FlaskForm):
    """Show a planned edition to the public ("yes") or take it out ("no"): the button pressed says which."""

    public = SelectField(choices=[SelectChoice("yes", "yes"), SelectChoice("no", "no")], validators=[InputRequired()])


class ProgrammeField(RadioField):
    """The whole programme, or only the disciplines ticked: drawn as the first choices of its
    disciplines' fieldset (templates/_forms.html), so the choice works without JavaScript."""

    WHOLE, CHOSEN = "whole", "chosen"


class UserForm(OnceForm):
    """An account; what an organiser may enter is chosen explicitly: the whole programme (which also
    lets them add penalties and bonuses) or some disciplines (stored as none = the whole programme)."""

    email = EmailField(_l("Email"), validators=[DataRequired(), account_email])
    role = SelectField(
        _l("Role"),
        choices=[SelectChoice(Role.ORGANISER.value, _l("organiser")), SelectChoice(Role.ADMIN.value, _l("admin"))],
    )
    programme = ProgrammeField(
        choices=[
            SelectChoice(ProgrammeField.WHOLE, _l("The whole programme: every discipline, and penalties and bonuses")),
            SelectChoice(ProgrammeField.CHOSEN, _l("Only the disciplines ticked below (no penalties or bonuses)")),
        ],
        default=ProgrammeField.CHOSEN,
    )
    disciplines = SelectMultipleField(_l("May enter"))  # checked by validate_disciplines
    active = BooleanField(_l("Active"), default=True)
    password = PasswordField(
        _l("Password (at least 10 characters; empty: unchanged)"), validators=[Optional(), Length(min=10, max=200)]
    )
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, user: User | None = None, **kwargs) -> None:
        # an account's own scope when the form leaves it out; a new account starts limited
        if user is not None:
            kwargs.setdefault("programme", ProgrammeField.CHOSEN if user.disciplines else ProgrammeField.WHOLE)
        super().__init__(*args, **kwargs)
        self._user = user

    @property
    def whole_programme(self) -> bool:
        return self.programme.data == ProgrammeField.WHOLE

    def validate_email(self, field) -> None:
        other = db.session.scalar(sa.select(User).filter_by(email=field.data))  # as stored (account_email)
        if other is not None and other is not self._user:
            raise ValidationError(_l("An account with this email already exists."))

    def validate_password(self, field) -> None:
        if self._user is None and not field.data:
            raise ValidationError(_l("A new account needs a password."))

    def validate_disciplines(self, field) -> None:
        if self.whole_programme:
            return
        if self.role.data == Role.ADMIN.value:
            raise ValidationError(_l("An administrator may enter every discipline: choose the whole programme."))
        if not field.data:
            raise ValidationError(_l("Tick the disciplines this account may enter, or choose the whole programme."))


class VenueLinkForm(OnceForm):
    """Entry links for every venue of the edition, one each: its holder enters the matches played there."""

    label = StringField(
        _l("Label (who holds it)"), validators=[DataRequired(), Length(max=120)], default="Table de marque"
    )
    hours = IntegerField(
        _l("Valid for (hours)"), default=96, validators=[InputRequired(), parsed, NumberRange(1, 24 * 14)]
    )
    submit = SubmitField(_l("Issue a link per venue and print"))


class LinkForm(OnceForm):
    """Entry links for the whole programme or some disciplines, one link each, all printed on one sheet;
    reissuing revokes the links those disciplines had (a lost or copied sheet)."""

    programme = ProgrammeField(
        choices=[
            SelectChoice(ProgrammeField.WHOLE, _l("The whole programme of the edition")),
            SelectChoice(ProgrammeField.CHOSEN, _l("Only the disciplines ticked below")),
        ],
        default=ProgrammeField.CHOSEN,
    )
    disciplines = SelectMultipleField(_l("Disciplines (one link each)"))  # checked by validate_disciplines
    label = StringField(_l("Label (who holds it)"), validators=[DataRequired(), Length(max=120)], default="Terrain")
    hours = IntegerField(
        _l("Valid for (hours)"), default=96, validators=[InputRequired(), parsed, NumberRange(1, 24 * 14)]
    )
    reissue = BooleanField(_l("Reissue: revoke the links these disciplines already have"))
    submit = SubmitField(_l("Issue the links and print"))

    @property
    def whole_programme(self) -> bool:
        return self.programme.data == ProgrammeField.WHOLE

    def validate_disciplines(self, field) -> None:
        if not self.whole_programme and not field.data:
            raise ValidationError(_l("Choose at least one discipline, or the whole programme."))
