"""The forms of an edition's set-up whose fields depend on the catalogue: one row per school or discipline.

Each is a FlaskForm class built for the schools or disciplines of the moment (WTForms' dynamic form
pattern), keeping the field names the pages have always posted (``school-albi``, ``weight-volleyball-women``).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectChoice, SelectField, StringField
from wtforms.validators import AnyOf, ValidationError

from cartel.models import Discipline, School
from cartel.web.forms import OnceForm
from cartel.words.i18n import discipline_name
from cartel.words.numbers import typed

TICK_ALL, TICK_NONE = "all", "none"  # the value of the "tick" buttons above a list of rows


def tick_rows(form: OnceForm, prefix: str, choice: str | None) -> bool:
    """The "tick every row" / "untick every row" buttons: every ``prefix`` field of ``form`` ticked or
    unticked, nothing saved (the page comes back to be checked; with JavaScript, static/js/setup.js does
    it in the page). The rows are what a save reads: a row unticked after "tick every row" stays out.
    Whether the post was one of those buttons."""
    if choice not in (TICK_ALL, TICK_NONE):
        return False
    for field in form:
        if field.name.startswith(prefix):
            field.data = choice == TICK_ALL
    return True


class ParticipantsBase(OnceForm):
    def ticked(self, schools: list[School]) -> dict[School, int | None]:
        """The schools ticked with their delegation sizes."""
        return {
            s: int(str(self[f"size-{s.slug}"].data or "").strip() or 0) or None
            for s in schools
            if self[f"school-{s.slug}"].data
        }


def _size_check(school: School) -> Callable[..., None]:
    def check(form, field) -> None:
        text = (field.data or "").strip()
        if text and not (text.isdecimal() and len(text) <= 5 and int(text) > 0):
            raise ValidationError(
                _l("The delegation size of %(school)s must be a whole number above 0.") % {"school": school.name}
            )

    return check


def participants_form(schools: list[School], sizes: dict[int, int | None], **kwargs) -> ParticipantsBase:
    """A tick and a delegation size per school; ``sizes`` (school id → size) are the saved participants."""

    class ParticipantsForm(ParticipantsBase):
        pass

    for school in schools:
        setattr(ParticipantsForm, f"school-{school.slug}", BooleanField(school.name, default=school.id in sizes))
        setattr(
            ParticipantsForm,
            f"size-{school.slug}",
            # text, as posted: a size left out of a post keeps the saved one, never an int where text is read
            StringField(
                _l("Delegation size"), default=str(sizes.get(school.id) or ""), validators=[_size_check(school)]
            ),
        )
    form = ParticipantsForm(**kwargs)
    return form


BEYOND_CHOICES = [SelectChoice("zero", _l("earn 0")), SelectChoice("last", _l("earn the last value"))]


class ProgrammeBase(OnceForm):
    def chosen(self, disciplines: list[Discipline]) -> list[Discipline]:
        return [d for d in disciplines if self[f"discipline-{d.slug}"].data]


def parse_weight(text: str | None) -> Decimal | None:
    """A weight typed with a comma or a point ("2,5", "2.5"), 1 when left empty; None if it is not a
    number from 0.01 to 100. Kept to the hundredth, as stored: 0.004 would be stored as 0, so it is refused."""
    text = (text or "").strip().replace(",", ".") or "1"
    try:
        weight = Decimal(text) if len(text) <= 12 else None
    except InvalidOperation:
        return None
    if weight is None or not weight.is_finite() or not Decimal(0) < weight <= 100:
        return None
    stored = weight.quantize(Decimal("0.01"))
    return stored if stored > 0 else None


def _weight_check(discipline: Discipline) -> Callable[..., None]:
    def check(form, field) -> None:
        if parse_weight(field.data) is None:
            raise ValidationError(
                _l("The weight of %(discipline)s must be a number from 0.01 to 100.")
                % {"discipline": discipline_name(discipline)}
            )

    return check


def programme_form(disciplines: list[Discipline], saved: dict, **kwargs) -> ProgrammeBase:
    """Per discipline: a tick, a weight, its own points table and what places past it earn.

    ``saved`` maps a discipline id to its programme entry (the defaults)."""

    class ProgrammeForm(ProgrammeBase):
        pass

    for d in disciplines:
        entry = saved.get(d.id)
        table = " ".join(typed(p) for p in entry.place_points) if entry is not None and entry.place_points else ""
        setattr(ProgrammeForm, f"discipline-{d.slug}", BooleanField(discipline_name(d), default=entry is not None))
        setattr(
            ProgrammeForm,
            f"weight-{d.slug}",
            StringField(
                _l("Weight"),
                default=typed(entry.weight) if entry is not None else "1",
                validators=[_weight_check(d)],
            ),
        )
        setattr(ProgrammeForm, f"table-{d.slug}", StringField(_l("Own points table (optional)"), default=table))
        setattr(
            ProgrammeForm,
            f"beyond-{d.slug}",
            SelectField(
                _l("Places past the table"),
                choices=BEYOND_CHOICES,
                default="last" if entry is not None and entry.beyond_last else "zero",
                validate_choice=False,
                validators=[
                    AnyOf(
                        ("zero", "last"),
                        message=_l("Choose what the places past the table of %(discipline)s earn.")
                        % {"discipline": discipline_name(d)},
                    )
                ],
            ),
        )
    return ProgrammeForm(**kwargs)


def weight_of(form: ProgrammeBase, discipline: Discipline) -> Decimal:
    """The weight typed for a discipline (checked by the form)."""
    return parse_weight(form[f"weight-{discipline.slug}"].data) or Decimal(1)
