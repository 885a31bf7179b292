"""Every change applied once: a form's submission id claimed for one sender, one target, one content.

A write form is rendered with a fresh id (a uuid). Posting it claims the id, in the change's own
transaction, before the change is made:

- a new id is claimed and the change goes on; if the change fails, the unit of work rolls the claim
  back with it, and the same id may be posted again;
- the same id from the same sender, for the same target, with the same content (a double tap, a
  retry after an answer lost on the way, the phone's outbox sending again) changes nothing and is
  told what the first one did (``Claim.first``);
- the same id with another sender, target or content (a form brought back with Back and changed, an
  id copied into another form) is refused: ``SubmissionReused``, never a silent no-op.

Two posts of one id at the same moment: the second's claim waits on the key's uniqueness until the
first commits (PostgreSQL; SQLite runs writers one at a time), then reads the first's claim.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from cartel.extensions import db
from cartel.models import ProcessedSubmission
from cartel.write.audit import Actor

KEY_LENGTH = 64  # ProcessedSubmission.key


def sender_of(actor: Actor) -> str:
    if actor.user_id is not None:
        return f"user:{actor.user_id}"
    if actor.link_id is not None:
        return f"link:{actor.link_id}"
    return "system"


def digest_of(content: Mapping[str, object]) -> str:
    """The content's fingerprint: canonical JSON (sorted keys; decimals and the like as text)."""
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


class SubmissionReused(Exception):
    """The id was already used for another sender, target or content: nothing done."""

    def __init__(self, first: ProcessedSubmission) -> None:
        super().__init__(f"submission {first.key} was used for {first.target}")
        self.first = first


@dataclass(frozen=True)
class Submission:
    """What a post claims: its id (None: a post without one, never deduplicated), who sends it, what
    it changes (``target``, e.g. ``"adjustment:2024"``) and what it says (``content``)."""

    key: str | None
    actor: Actor
    target: str
    content: Mapping[str, object]


@dataclass
class Claim:
    """The claim of a submission: ``first`` is the earlier one when this post repeats it."""

    row: ProcessedSubmission | None
    first: ProcessedSubmission | None = None

    @property
    def repeated(self) -> bool:
        return self.first is not None

    def settle(
        self,
        outcome: object = None,
        *,
        edition_id: int | None = None,
        discipline_id: int | None = None,
        version: int | None = None,
    ) -> None:
        """Write down what the change made, for a repeat to be told (an id, a slug, a version)."""
        if self.row is None:
            return
        self.row.outcome = None if outcome is None else str(outcome)
        self.row.edition_id, self.row.discipline_id, self.row.version = edition_id, discipline_id, version
        db.session.flush()


def _earlier(submission: Submission, sender: str, digest: str) -> ProcessedSubmission | None:
    """The earlier claim of this id, if any; SubmissionReused when it is not this same submission."""
    assert submission.key is not None
    first = db.session.get(ProcessedSubmission, submission.key, populate_existing=True)
    if first is None:
        return None
    if first.sender == "" and first.target == "":  # claimed before submissions were bound: by key only
        return first
    if (first.sender, first.target, first.digest) != (sender, submission.target, digest):
        raise SubmissionReused(first)
    return first


def _bound(submission: Submission) -> tuple[Submission, str, str]:
    assert submission.key is not None
    key = submission.key[:KEY_LENGTH]
    bound = Submission(key, submission.actor, submission.target, submission.content)
    return bound, sender_of(submission.actor), digest_of(submission.content)


def applied_before(submission: Submission) -> ProcessedSubmission | None:
    """A look, without claiming: the earlier application of this same submission, if any (raises
    SubmissionReused). For a form whose checks would refuse its own repeat ("already exists")."""
    if not submission.key:
        return None
    return _earlier(*_bound(submission))


def claim(submission: Submission) -> Claim:
    """Claim ``submission``'s id for the change about to be made in this transaction (see the module).

    Raises SubmissionReused; returns a Claim whose ``first`` is set when the post repeats an earlier one
    (then the caller changes nothing and answers as the first did)."""
    if not submission.key:
        return Claim(None)
    submission, sender, digest = _bound(submission)
    first = _earlier(submission, sender, digest)
    if first is not None:
        return Claim(None, first)
    row = ProcessedSubmission(key=submission.key, sender=sender, target=submission.target, digest=digest)
    try:
        with db.session.begin_nested():
            db.session.add(row)
            db.session.flush()
    except IntegrityError:  # claimed meanwhile by a post that has now committed
        first = _earlier(submission, sender, digest)
        if first is None:
            raise
        return Claim(None, first)
    return Claim(row)
