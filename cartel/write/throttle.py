"""Login throttling that slows attackers without locking the real user out.

Two counters of recent failures, kept in the database so that every worker and server share them:
one per account *and* address ("pair"), one per address across accounts. Each allows a few free
attempts, then asks for a growing delay since the last failure (doubling, capped), never a lock-out:
the real user at another address is not affected at all, and at the same address waits at most
the cap. An attempt is *reserved* (counted as a failure) before the password is checked, in a
transaction that holds the counters' rows, so parallel attempts cannot all slip through the free
ones; a successful login then gives its reservation back.
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
ADDRESS = Rule(free=20, first_delay=5, max_delay=60)


def _pair_key(email: str, address: str) -> str:
    return f"pair:{email} {address}"


def _address_key(address: str) -> str:
    return f"address:{address}"


def _keys(email: str, address: str) -> list[tuple[str, Rule]]:
    return sorted([(_pair_key(email, address), PAIR), (_address_key(address), ADDRESS)], key=lambda k: k[0])


def _lock_rows(keys: list[str]) -> dict[str, LoginThrottle]:
    """The counters' rows, created if missing and locked until the transaction ends (in key order,
    so that two attempts never wait for each other crosswise)."""
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
        sa.select(LoginThrottle).where(LoginThrottle.key.in_(keys)).order_by(LoginThrottle.key).with_for_update()
    )
    return {row.key: row for row in rows.unique()}


def reserve(email: str, address: str) -> int:
    """Count an attempt before its password is checked: 0 if it may go on, else the seconds to wait
    (nothing counted then). The caller commits it before checking the password."""
    keys = _keys(email, address)
    rows = _lock_rows([key for key, _rule in keys])
    now = _now()
    wait = 0.0
    for key, rule in keys:
        row = rows[key]
        if now - row.last_at > WINDOW:
            row.failures = 0
        delay = rule.delay(row.failures)
        if delay:
            wait = max(wait, delay - (now - row.last_at).total_seconds())
    if wait <= 0:
        for key, _rule in keys:
            rows[key].failures += 1
            rows[key].last_at = now
    db.session.flush()
    return max(0, math.ceil(wait))


def succeeded(email: str, address: str) -> None:
    """The password was right: forget the account's failures at this address and give back the
    address's reservation."""
    db.session.execute(sa.delete(LoginThrottle).where(LoginThrottle.key == _pair_key(email, address)))
    db.session.execute(
        sa.update(LoginThrottle)
        .where(LoginThrottle.key == _address_key(address), LoginThrottle.failures > 0)
        .values(failures=LoginThrottle.failures - 1)
    )
