"""What every write form shares: a submission id that makes it apply once, and text that fits a workbook."""

from __future__ import annotations

import re
import uuid

from flask import render_template
from flask.typing import ResponseReturnValue
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import ValidationError

from cartel.models import ProcessedSubmission
from cartel.write import submissions
from cartel.write.audit import Actor
from cartel.write.submissions import KEY_LENGTH, Claim, Submission, SubmissionReused, claim

# What XML 1.0 forbids (tabs and newlines aside): control characters, surrogates, U+FFFE and U+FFFF.
# A name or reason holding one cannot be written to a workbook, nor read back from most files.
FORBIDDEN_IN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def submission_key(value: str | None) -> str | None:
    return (value or "")[:KEY_LENGTH] or None


def new_submission_id() -> str:
    return uuid.uuid4().hex


class OnceForm(FlaskForm):
    """A write form rendered with a fresh submission id (a hidden field that ``_forms.html`` draws):
    posted twice, it applies once (cartel.write.submissions). Its text fields refuse what a workbook
    cannot hold (``printable``)."""

    submission_id = HiddenField(default=new_submission_id, filters=[submission_key])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self:  # every text it saves must fit in a workbook (see ``printable``)
            if isinstance(field, StringField) and printable not in field.validators:
                field.validators = [*field.validators, printable]


def printable(_form, field) -> None:
    """Refuses text holding a character that XML 1.0 forbids (a control character), saying which and where."""
    found = FORBIDDEN_IN_TEXT.search(field.data or "")
    if found:
        raise ValidationError(
            _(
                "Remove the invisible control character (U+%(code)s) at position %(position)s.",
                code=f"{ord(found.group()):04X}",
                position=found.start() + 1,
            )
        )


NOT_CONTENT = frozenset({"csrf_token", "submission_id"})


def content_of(form: FlaskForm) -> dict[str, object]:
    """What a form says, for its submission's fingerprint: every field but the token, the id and the buttons."""
    return {field.name: field.data for field in form if field.name not in NOT_CONTENT and field.type != "SubmitField"}


def once(form: OnceForm, actor: Actor, target: str, **more: object) -> Claim:
    """Claim ``form``'s submission for ``target`` (inside the unit of work): ``.repeated`` when the same
    post was applied already; SubmissionReused when its id went with something else."""
    return claim(Submission(form.submission_id.data, actor, target, {**content_of(form), **more}))


def applied_before(form: OnceForm, actor: Actor, target: str, **more: object) -> ProcessedSubmission | None:
    """On a post: the earlier application of this very submission, looked up before the form's own checks
    (which would refuse its repeat as "already exists"); SubmissionReused when its id went with something else."""
    if not form.is_submitted():
        return None
    return submissions.applied_before(Submission(form.submission_id.data, actor, target, {**content_of(form), **more}))


def reused_message(error: SubmissionReused) -> str:
    return _(
        "This form had already been sent, on %(when)s, with other content: nothing was changed now.",
        when=format_datetime(error.first.at, "short"),
    )


def reused_page(error: SubmissionReused) -> ResponseReturnValue:
    """The 409 for a form whose id was used with another content: nothing changed, start again."""
    advice = _("Open the page again (reload it), check what it shows, then enter the change again.")
    return render_template(
        "error.html", code=409, title=_("Already sent"), message=reused_message(error), advice=advice
    ), 409
