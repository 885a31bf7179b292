"""The forms of the entry pages: a discipline's result, its confirmation and restores, penalties, imports.

CSRF is checked for every post by the app's CSRFProtect before a view runs; these forms parse and
check what the post holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DecimalField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.utils import unset_value
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, StopValidation, ValidationError
from wtforms.widgets import TextInput

from cartel.core import podium
from cartel.core.collation import folded
from cartel.models import ResultState, School
from cartel.web.forms import OnceForm
from cartel.words.problems import podium_problem

MAX_VERSION = 999_999_999  # nine digits: any real version, and far below the database's integer limit


def refusal(code: str, **params) -> str:
    """A field's refusal in the words of its podium problem (cartel.words.problems), not WTForms' own."""
    return podium_problem(podium.Problem(code, params=params), {})


class VersionForm(OnceForm):
    """A change to a result as the page showed it: the version it was loaded at (a missing or absurd
    one is refused) and the submission id that makes a retry or a double tap save once."""

    version = IntegerField(validators=[InputRequired(), NumberRange(0, MAX_VERSION)])


class SchoolField(RadioField):
    """A row's school: one of the participants (the choices), or "" for nobody."""

    def pre_validate(self, form) -> None:
        if self.data not in {choice.value for choice in self.choices}:
            raise ValidationError(refusal("not_participant", school=self.data))


class PartnersField(SelectMultipleField):
    """The partner schools of a joint team, among the participants (the choices)."""

    def pre_validate(self, form) -> None:
        allowed = {choice.value for choice in self.choices}
        for school in self.data:
            if school not in allowed:
                raise ValidationError(refusal("not_participant", school=school))


class StateField(RadioField):
    """Provisional or final: the button the organiser pressed."""

    def pre_validate(self, form) -> None:
        if self.data not in {choice.value for choice in self.choices}:
            raise ValidationError(refusal("bad_state"))


class RowForm(Form):
    """One row of a result: its school, the partners of a joint team, ex aequo with the row above."""

    school = SchoolField(default="")
    partners = PartnersField(filters=[lambda schools: [s for s in schools or () if s]])
    tied = BooleanField()

    def podium_row(self) -> podium.Row[str]:
        """The row as cartel.core.podium reads it: partners count only beside a school, never the school itself."""
        main = self.school.data or ""
        partners = [s for s in self.partners.data if s != main] if main else []
        return podium.Row(tuple([main, *partners]) if main else (), tied_with_above=bool(self.tied.data))

    @staticmethod
    def data_of(row: podium.Row[str]) -> dict[str, object]:
        """A podium row as the form's data (to show a saved or typed result)."""
        main = row.schools[0] if row.schools else ""
        return {"school": main, "partners": list(row.schools[1:]), "tied": row.tied_with_above}


class PlaceRows(FieldList):
    """The rows of a result, numbered from 1 as the places they stand for (row-1-school, row-2-school…),
    always ``min_entries`` of them. A row missing from a post is an empty row and the rows below keep
    their number, where FieldList would renumber them (moving a 3rd place up to 2nd)."""

    def process(self, formdata, data=unset_value, extra_filters=None) -> None:
        values = [] if data is unset_value or not data else list(data)
        self.entries: list[FormField] = []
        self.last_index, self.object_data = 0, values
        for index in range(1, self.min_entries + 1):
            self._add_entry(formdata, values[index - 1] if index <= len(values) else unset_value, index=index)


class EntryForm(VersionForm):
    """A discipline's result as the organiser taps it: one row per place, then provisional or final.

    Built by ``entry_form``, which gives it its number of rows and the participants as every row's
    choices. ``validate`` checks each field, then the rules between the rows (cartel.core.podium)."""

    state = StateField(choices=[SelectChoice(ResultState.PROVISIONAL.value), SelectChoice(ResultState.FINAL.value)])
    rows = PlaceRows(FormField(RowForm), name="row")
    participants: frozenset[str] = frozenset()
    problems: tuple[podium.Problem, ...] = ()  # of the rows, once validated

    def podium_rows(self) -> list[podium.Row[str]]:
        return [row.form.podium_row() for row in self.rows]

    def validate(self, extra_validators=None) -> bool:
        fields_valid = super().validate(extra_validators)
        self.problems = tuple(
            problem
            for problem in podium.check_rows(
                self.podium_rows(), self.participants, edition_live=True, in_programme=True
            )
            if problem.code != "not_participant"  # the rows' choices said it already, in the same words
        )
        return fields_valid and not self.problems

    def row_problems(self, names: dict[str, str], more: Sequence[podium.Problem] = ()) -> dict[int | None, list[str]]:
        """What to say next to each row (None: above the rows): the fields' refusals, the podium problems
        of the last validation and ``more`` (those the save found); ``names``: slug → school name."""
        said: dict[int | None, list[str]] = {None: list(self.state.errors)}
        for row in self.rows:
            said[row.index] = [*row.school.errors, *row.partners.errors]
        for problem in [*self.problems, *more]:
            said.setdefault(problem.row, []).append(podium_problem(problem, names))
        return {row: messages for row, messages in said.items() if messages}


def entry_form(schools: Sequence[School], size: int, **kwargs) -> EntryForm:
    """The entry form of a discipline: ``size`` rows, each choosing among ``schools`` (the participants).

    It reads the post, if any; otherwise ``kwargs`` fill it (``rows``: podium rows). ``formdata=None``
    ignores the post (to show a typed result again with another version)."""

    class SizedEntryForm(EntryForm):
        rows = PlaceRows(FormField(RowForm), name="row", min_entries=size)

    if "rows" in kwargs:
        kwargs["rows"] = [RowForm.data_of(row) for row in kwargs["rows"]]
    form = SizedEntryForm(**kwargs)
    form.participants = frozenset(s.slug for s in schools)
    choices = [SelectChoice(s.slug, s.short_name) for s in schools]
    for row in form.rows:
        row.school.choices = [SelectChoice(""), *choices]  # "": nobody
        row.partners.choices = choices
    return form


class RestoreForm(VersionForm):
    """Which side of a history line to restore (the version it made, after, or the one it replaced),
    and the version of the result the history page showed: restoring over a later change is refused."""

    side = RadioField(choices=[SelectChoice("before"), SelectChoice("after")], default="after")


# --- penalties and bonuses ------------------------------------------------------------------------


def finite(_form, field) -> None:
    """NaN and infinities parse as decimals but are no number of points (and break comparisons);
    what does not parse at all stops here, with the field's own message."""
    if field.data is None:
        raise StopValidation()
    if not field.data.is_finite():
        raise StopValidation(_("Give a number of points, such as -2 or 1.5."))


class CommaDecimalField(DecimalField):
    """A decimal as people type it: "-2,5" or "-2.5", a minus sign or a hyphen, spaces ignored.

    A text input with inputmode=decimal, not type=number: browsers then drop or misread a decimal comma
    (Chromium turned "-2,5" into -25). The iPhone's decimal keypad has no minus sign: the sign comes
    from a choice beside the field (AdjustmentForm.kind)."""

    widget = TextInput()

    def process_formdata(self, valuelist) -> None:
        if valuelist:
            typed = valuelist[0].replace("\u2212", "-").replace(",", ".")
            valuelist = ["".join(typed.split())]
        super().process_formdata(valuelist)


class KindField(RadioField):
    """Penalty or bonus: the sign of the points. Left out of a post (a script, an older page), the
    points keep the sign typed."""

    def process_formdata(self, valuelist) -> None:
        self.data = valuelist[0] if valuelist else None

    def pre_validate(self, form) -> None:
        if self.data is not None:
            super().pre_validate(form)


class AdjustmentForm(OnceForm):
    """A penalty or bonus for one of ``schools`` (the participants; none preselected)."""

    school = SelectField(_l("School"), validators=[DataRequired(message=_l("Choose a school."))])
    kind = KindField(
        _l("Kind"),
        choices=[SelectChoice("penalty", _l("Penalty (points taken off)")), SelectChoice("bonus", _l("Bonus"))],
        default="penalty",
    )
    points = CommaDecimalField(
        _l("Points"),
        places=2,
        validators=[InputRequired(), finite, NumberRange(-1000, 1000)],
        invalid_value_message=_l("Give a number of points, such as 2 or 1.5."),
        render_kw={"autocomplete": "off", "inputmode": "decimal"},
        description=_l("For example 2 or 1,5."),
    )
    reason = StringField(
        _l("Reason"), validators=[DataRequired(), Length(max=300)], filters=[lambda s: s.strip() if s else s]
    )
    submit = SubmitField(_l("Add"))

    def __init__(self, *args, schools: Sequence[School], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.school.choices = [SelectChoice("", _("Choose a school"))] + [
            SelectChoice(s.slug, s.name) for s in sorted(schools, key=lambda s: folded(s.name))
        ]

    def validate_points(self, field) -> None:
        if field.data.as_tuple().exponent < -2:
            raise ValidationError(_("Give the points with at most two decimals."))
        if field.data == 0:
            raise ValidationError(_("An adjustment of 0 points changes nothing."))
        if self.kind.data == "bonus" and field.data < 0:
            raise ValidationError(_("A bonus adds points: remove the minus sign, or choose a penalty."))

    def signed_points(self) -> Decimal:
        """The points with their sign: taken off for a penalty, added for a bonus, as typed otherwise."""
        points: Decimal = self.points.data
        if self.kind.data == "penalty":
            return -abs(points)
        return points


class RemoveForm(OnceForm):
    """Removing a penalty or bonus: only its submission id, so that posting it twice says it is done."""


# --- import from a spreadsheet --------------------------------------------------------------------


class UploadForm(FlaskForm):
    file = FileField(_l("Filled template (.xlsx) or CSV"), validators=[FileRequired()])
    submit = SubmitField(_l("Check the file"))


class ApplyForm(OnceForm):
    """The checked changes, signed (cartel.web.entry.importing), to apply once."""

    changes = HiddenField(validators=[InputRequired()])
    submit = SubmitField(_l("Apply these changes"))
