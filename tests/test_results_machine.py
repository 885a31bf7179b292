"""A state machine over a discipline's result: any sequence of saves, retries, reused ids, corrections,
stale (concurrent) posts, confirmations and restores leaves the stored result equal to the last accepted
change, its version equal to the number of accepted changes, and one audit line per accepted change."""

from __future__ import annotations

import itertools

import pytest
import sqlalchemy as sa
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from cartel.core import podium
from cartel.extensions import db
from cartel.models import AuditEntry, Placement, PlacementMember, ProcessedSubmission, ProgrammeEntry, ResultState
from cartel.write import results
from cartel.write.audit import Actor
from cartel.write.submissions import SubmissionReused
from cartel.write.unit import unit_of_work

SCHOOLS = ("ales", "albi", "nancy", "douai")
podiums = st.lists(st.sampled_from(SCHOOLS), min_size=1, max_size=4, unique=True).map(tuple)
states = st.sampled_from([ResultState.PROVISIONAL, ResultState.FINAL])
MACHINE = settings(max_examples=25, stateful_step_count=12, deadline=None)


def teams_of(slugs: tuple[str, ...]) -> list[podium.Team]:
    return [podium.Team(place, (slug,)) for place, slug in enumerate(slugs, start=1)]


class ResultMachine(RuleBasedStateMachine):
    """The model: the last accepted podium and state, and every post sent (to retry or reuse its id)."""

    def __init__(self, where: tuple[int, int], actors: tuple[Actor, Actor]) -> None:
        super().__init__()
        self.where, self.actors = where, actors
        self.keys = itertools.count()
        edition_id, discipline_id = where
        for model in (PlacementMember, Placement, AuditEntry, ProcessedSubmission):  # a fresh result each run
            db.session.execute(sa.delete(model))
        db.session.execute(
            sa.update(ProgrammeEntry)
            .where(ProgrammeEntry.edition_id == edition_id, ProgrammeEntry.discipline_id == discipline_id)
            .values(version=0, result_state=ResultState.PENDING, published_at=None, corrected_at=None)
        )
        db.session.commit()
        self.podium: tuple[str, ...] = ()
        self.state = ResultState.PENDING
        self.accepted = 0
        self.sent: list[tuple[str, tuple[str, ...], ResultState, int, int]] = []  # key, podium, state, version, actor

    def entry(self) -> ProgrammeEntry:
        edition_id, discipline_id = self.where
        db.session.expire_all()
        return db.session.scalar(
            sa.select(ProgrammeEntry).filter_by(edition_id=edition_id, discipline_id=discipline_id)
        )

    def post(self, key: str | None, slugs, state, version: int, actor: int) -> results.SaveOutcome:
        with unit_of_work():
            entry = self.entry()
            return results.save_result(
                entry.edition,
                entry,
                teams_of(slugs),
                state,
                self.actors[actor],
                expected_version=version,
                submission_key=key,
            )

    def accept(self, slugs, state) -> None:
        self.podium, self.state, self.accepted = tuple(slugs), state, self.accepted + 1

    @rule(slugs=podiums, state=states, actor=st.integers(0, 1))
    def save(self, slugs, state, actor):
        """A save (or a correction) from the page as it is now."""
        key = f"k{next(self.keys)}"
        outcome = self.post(key, slugs, state, self.accepted, actor)
        assert not outcome.duplicate and outcome.version == self.accepted + 1
        self.sent.append((key, slugs, state, self.accepted, actor))
        self.accept(slugs, state)

    @precondition(lambda self: self.accepted > 0)
    @rule(slugs=podiums, state=states, data=st.data())
    def stale(self, slugs, state, data):
        """A post from a page loaded before the last change (two organisers at once): a conflict."""
        version = data.draw(st.integers(0, self.accepted - 1))
        with pytest.raises(results.VersionConflict):
            self.post(f"k{next(self.keys)}", slugs, state, version, 0)

    @precondition(lambda self: self.sent)
    @rule(data=st.data())
    def retry(self, data):
        """The same post again (a lost answer, the outbox, a double tap): nothing new, the first's version."""
        key, slugs, state, version, actor = data.draw(st.sampled_from(self.sent))
        outcome = self.post(key, slugs, state, version, actor)
        assert outcome.duplicate and outcome.version == version + 1

    @precondition(lambda self: self.sent)
    @rule(data=st.data(), slugs=podiums, state=states, actor=st.integers(0, 1))
    def reuse(self, data, slugs, state, actor):
        """An id sent again with something else (Back, then changed; another organiser): refused."""
        key, first_slugs, first_state, version, first_actor = data.draw(st.sampled_from(self.sent))
        if (slugs, state, actor) == (first_slugs, first_state, first_actor):
            return  # that is a retry
        with pytest.raises(SubmissionReused):
            self.post(key, slugs, state, version, actor)

    @precondition(lambda self: self.state is ResultState.PROVISIONAL)
    @rule()
    def confirm(self):
        with unit_of_work():
            entry = self.entry()
            results.confirm_result(
                entry.edition, entry, self.actors[0], expected_version=self.accepted, submission_key=None
            )
        self.accept(self.podium, ResultState.FINAL)

    @precondition(lambda self: self.sent)
    @rule(data=st.data(), current=st.booleans())
    def restore(self, data, current):
        """A history line's version restored from the page as it is now (accepted) or as it was (refused)."""
        lines = list(db.session.scalars(sa.select(AuditEntry).filter_by(action="result.save")))
        line = data.draw(st.sampled_from(lines))
        version = self.accepted if current else data.draw(st.integers(0, self.accepted - 1))
        with unit_of_work():
            entry = self.entry()
            call = lambda: results.restore_result(  # noqa: E731
                entry.edition, entry, line, "after", self.actors[1], expected_version=version
            )
            if not current:
                with pytest.raises(results.VersionConflict):
                    call()
                return
            call()
        places = tuple(slug for _place, (slug,) in line.after["places"])
        self.accept(places, ResultState(line.after["state"]))

    @invariant()
    def stored_is_the_last_accepted_change(self):
        entry = self.entry()
        assert entry.version == self.accepted
        assert entry.result_state is self.state
        assert tuple(t.schools[0] for t in results.current_teams(entry)) == self.podium
        changes = db.session.scalar(
            sa.select(sa.func.count()).select_from(AuditEntry).where(AuditEntry.action.like("result.%"))
        )
        assert changes == self.accepted


def test_any_sequence_of_posts_leaves_the_last_accepted_change(live, make_user):
    """Settings: 25 sequences of up to 12 steps each (``MACHINE``), on SQLite and on PostgreSQL."""
    actors = tuple(Actor(user_id=make_user(email).id) for email in ("a@example.org", "b@example.org"))
    where = (live.edition.id, live.hb.id)
    run_state_machine_as_test(lambda: ResultMachine(where, actors), settings=MACHINE)
