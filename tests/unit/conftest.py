"""Tests of pure code, without an app or a database: the PostgreSQL run skips this folder
(``--ignore=tests/unit``). A test here that asks for a database fixture, or code under test that opens a
database connection, fails."""

from __future__ import annotations

import pytest
from flask import has_app_context
from sqlalchemy import event
from sqlalchemy.pool import Pool

DATABASE_FIXTURES = {"template_database", "app"}  # every fixture that reaches the database goes through these


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    asked = DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
    if asked:
        pytest.fail(f"{item.nodeid} asks for {', '.join(sorted(asked))}: a database test belongs outside tests/unit")


def refuse(*_args):
    raise AssertionError("a test in tests/unit opened a database connection")


@pytest.fixture(scope="module", autouse=True)
def no_database():
    """Module-wide (a function-scoped fixture would upset Hypothesis): no connection, no app context."""
    assert not has_app_context()
    event.listen(Pool, "connect", refuse)
    yield
    event.remove(Pool, "connect", refuse)
    assert not has_app_context()
