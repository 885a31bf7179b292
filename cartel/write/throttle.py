"""Login throttling that slows guessing without letting anyone lock the organisers out.

Two counters of recent failures, kept in the database so that every worker and server share them:
one per e-mail *and* address ("pair"), one per address across e-mails.

- The pair decides, before the password is checked, whether an attempt is checked at all: a few
  free failures, then a growing delay since the last one (doubling, capped at 5 min), never a
  lock-out. It counts an e-mail that is no account exactly as one that is (nothing to learn about
  which accounts exist), and it binds the account itself: the real user at that address waits at
  most the cap, and elsewhere not at all.
- The address never refuses anybody by itself: a venue's shared address (NAT) carries every
  organiser behind it, and a stranger's failures there must not keep them out. An address with many
  recent failures is *suspect*: each e-mail tried from it gets one free failure instead of five
  before its pair's delay starts. Guessing from it (many passwords for an account, one password
  for many accounts, made-up e-mails) gets one check per e-mail and delay, while an organiser who
  gives the right password (first try, or after the delay their own failure started) goes in.
  Refusing on the address alone would either lock them out or, to spare known accounts only, tell
  who has an account; checking first and refusing after would be no limit at all, only an oracle.

An attempt is *reserved* (counted as a failure) before its password is checked, in a transaction
that holds the counters' rows, so parallel attempts cannot all slip through the free ones; a
successful login then gives its reservation back. A refused attempt writes nothing. Counters are
forgotten WINDOW after their last failure and deleted by the next counted attempts, a bounded
batch each, so the table holds about the last WINDOW's failures (and is never backed up).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from cartel.extensions import db
from cartel.models.user import LoginThrottle, _now

WINDOW = dt.timedelta(minutes=15)  # failures older than this are forgotten
SUSPECT_ADDRESS = 20  # failures from one address (any e-mails) that make it suspect
PURGE_BATCH = 50  # forgotten counters deleted by each counted attempt at most


@dataclass(frozen=True)
class Rule:
    free: int  # failures allowed without delay
    first_delay: int  # seconds after the first failure past the free ones, then doubling
    max_delay: int  # seconds

    def delay(self, failures: int) -> int:
        if failures < self.free:
            return 0
        return min(self.first_delay * 2 ** min(failures - self.free, 20), self.max_delay)


PAIR = Rule(free=5, first_delay=30, max_delay=300)
PAIR_AT_SUSPECT_ADDRESS = Rule(free=1, first_delay=30, max_delay=300)


def _pair_key(email: str, address: str) -> str:
    return f"pair:{email} {address}"


def _address_key(address: str) -> str:
    return f"address:{address}"


def _recent(row: LoginThrottle | None, now: dt.datetime) -> int:
    """The row's failures, unless forgotten (none for WINDOW)."""
    return 0 if row is None or now - row.last_at > WINDOW else row.failures


def _locked(keys: list[str], *, create: bool) -> dict[str, LoginThrottle]:
    """The counters' rows, locked until the transaction ends (in key order, so that two attempts never
    wait for each other crosswise); with ``create``, missing ones are made first (none counted)."""
    if create:
        dialect = db.session.get_bind().dialect.name
        inserts: dict[str, Callable[[type[LoginThrottle]], postgresql.Insert | sqlite.Insert]] = {
            "postgresql": postgresql.insert,
            "sqlite": sqlite.insert,
        }
        insert = inserts.get(dialect)
        for key in keys:
            if insert is not None:
                db.session.execute(
                    insert(LoginThrottle).values(key=key, failures=0, last_at=_now()).on_conflict_do_nothing()
                )
            elif db.session.get(LoginThrottle, key) is None:  # pragma: no cover - other databases
                db.session.add(LoginThrottle(key=key, failures=0, last_at=_now()))
                db.session.flush()
    rows = db.session.scalars(
        sa.select(LoginThrottle)
        .where(LoginThrottle.key.in_(keys))
        .order_by(LoginThrottle.key)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return {row.key: row for row in rows.unique()}


def _wait(rows: dict[str, LoginThrottle], pair_key: str, address_key: str, now: dt.datetime) -> int:
    """Seconds before this e-mail may be tried again from this address (0: now)."""
    suspect = _recent(rows.get(address_key), now) >= SUSPECT_ADDRESS
    rule = PAIR_AT_SUSPECT_ADDRESS if suspect else PAIR
    pair = rows.get(pair_key)
    delay = rule.delay(_recent(pair, now))
    if pair is None or not delay:
        return 0
    return max(0, math.ceil(delay - (now - pair.last_at).total_seconds()))


def reserve(email: str, address: str) -> int:
    """Count an attempt before its password is checked: 0 if it may go on, else the seconds to wait
    (nothing written then). The caller commits it before checking the password."""
    pair_key, address_key = _pair_key(email, address), _address_key(address)
    keys = sorted([pair_key, address_key])
    now = _now()
    wait = _wait(_locked(keys, create=False), pair_key, address_key, now)
    if wait:
        return wait  # refused on the rows as they are: nothing inserted nor changed
    rows = _locked(keys, create=True)
    wait = _wait(rows, pair_key, address_key, now)  # another attempt may have counted meanwhile
    if wait:  # pragma: no cover - a race on PostgreSQL (SQLite's writers take turns)
        for row in rows.values():
            if row.failures == 0:
                db.session.delete(row)
        db.session.flush()
        return wait
    for key in keys:
        rows[key].failures = _recent(rows[key], now) + 1
        rows[key].last_at = now
    _purge(now, keep=keys)
    db.session.flush()
    return 0


def _purge(now: dt.datetime, keep: list[str]) -> None:
    """Delete up to PURGE_BATCH forgotten counters (skipping any another attempt holds)."""
    forgotten = (
        sa.select(LoginThrottle.key)
        .where(LoginThrottle.last_at < now - WINDOW, LoginThrottle.key.not_in(keep))
        .limit(PURGE_BATCH)
        .with_for_update(skip_locked=True)
    )
    db.session.execute(
        sa.delete(LoginThrottle).where(LoginThrottle.key.in_(forgotten)),
        execution_options={"synchronize_session": False},
    )


def succeeded(email: str, address: str) -> None:
    """The password was right: forget the account's failures at this address and give back the
    address's reservation."""
    db.session.execute(sa.delete(LoginThrottle).where(LoginThrottle.key == _pair_key(email, address)))
    db.session.execute(
        sa.update(LoginThrottle)
        .where(LoginThrottle.key == _address_key(address), LoginThrottle.failures > 0)
        .values(failures=LoginThrottle.failures - 1)
    )
