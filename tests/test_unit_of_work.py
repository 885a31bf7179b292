"""One transaction owner: operations flush, the unit of work commits or rolls back, and a retried save is
applied once even when it races its first attempt."""

import pytest
import sqlalchemy as sa

from cartel.core import podium
from cartel.extensions import db
from cartel.models import AuditEntry, Placement, ProgrammeEntry, ResultState
from cartel.write import results, submissions
from cartel.write.audit import Actor
from cartel.write.penalties import add_adjustment
from cartel.write.unit import unit_of_work


@pytest.fixture
def where(live):
    """The edition's and the handball discipline's ids, kept while the session forgets its objects."""
    return live.edition.id, live.hb.id


def handball(where) -> ProgrammeEntry:
    edition_id, discipline_id = where
    return db.session.scalar(sa.select(ProgrammeEntry).filter_by(edition_id=edition_id, discipline_id=discipline_id))


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def save(where, *slugs, expected_version: int, key: str) -> results.SaveOutcome:
    teams = [podium.Team(place, (slug,)) for place, slug in enumerate(slugs, start=1)]
    with unit_of_work():
        entry = handball(where)
        return results.save_result(
            entry.edition,
            entry,
            teams,
            ResultState.FINAL,
            Actor(),
            expected_version=expected_version,
            submission_key=key,
        )


def test_an_operation_commits_nothing_by_itself(live):
    add_adjustment(live.edition, live.ales, -2, "late", Actor())
    db.session.rollback()  # what a request that never reaches the end of its unit of work leaves
    assert count(AuditEntry) == 0


def test_a_block_that_raises_leaves_nothing_half_saved(live):
    with pytest.raises(RuntimeError), unit_of_work():
        add_adjustment(live.edition, live.ales, -2, "late", Actor())
        raise RuntimeError("the next step failed")
    assert count(AuditEntry) == 0 and live.edition.revision == 1


def test_a_retry_after_its_first_attempt_committed_is_applied_once(where):
    first = save(where, "ales", "albi", expected_version=0, key="tap")
    again = save(where, "ales", "albi", expected_version=0, key="tap")
    assert (first.duplicate, again.duplicate, again.version) == (False, True, first.version)
    assert count(AuditEntry) == 1


def test_a_retry_racing_its_first_attempt_is_applied_once(where, monkeypatch):
    """The retry's first look for its key runs before the first attempt commits (two requests at once):
    its claim then meets the key's uniqueness, and it answers "already saved" with the first's version;
    the savepoint undoes only the claim, the transaction goes on."""
    first = save(where, "ales", "albi", expected_version=0, key="tap")
    db.session.expunge_all()  # the retry is another request: nothing of the first in its session
    real_look, looks = submissions._earlier, []

    def first_look_misses(*args):
        looks.append(args)
        return None if len(looks) == 1 else real_look(*args)

    monkeypatch.setattr(submissions, "_earlier", first_look_misses)
    again = save(where, "ales", "albi", expected_version=0, key="tap")
    assert again == results.SaveOutcome(first.version, duplicate=True) and len(looks) == 2
    db.session.expire_all()
    assert handball(where).version == first.version and count(AuditEntry) == 1
    placed = db.session.scalars(sa.select(Placement)).all()
    assert sorted((p.place, s.slug) for p in placed for s in p.schools) == [(1, "ales"), (2, "albi")]


@pytest.mark.parametrize("expected_version", [0, 1], ids=["stale version", "current version"])
def test_an_id_reused_with_another_podium_is_refused_even_racing(where, monkeypatch, expected_version):
    """The same id with another podium (a form brought back and changed): refused, never "already saved",
    whether its first look sees the first attempt or only its claim's uniqueness does."""
    save(where, "ales", "albi", expected_version=0, key="tap")
    db.session.expunge_all()
    real_look, looks = submissions._earlier, []

    def first_look_misses(*args):
        looks.append(args)
        return None if len(looks) == 1 else real_look(*args)

    monkeypatch.setattr(submissions, "_earlier", first_look_misses)
    with pytest.raises(submissions.SubmissionReused):
        save(where, "nancy", "douai", expected_version=expected_version, key="tap")
    db.session.expire_all()
    assert handball(where).version == 1 and count(AuditEntry) == 1
