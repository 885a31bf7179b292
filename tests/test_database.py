"""The database under concurrent use: SQLite in WAL mode with write transactions that take their
lock at BEGIN; concurrent writers and readers never see "database is locked"; migrations go both ways."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from cartel.extensions import db
from cartel.models import AuditEntry, ProgrammeEntry
from tests.helpers import POSTGRES_URL, login, podium_form


def test_sqlite_connections_are_set_for_concurrent_use(app):
    if POSTGRES_URL:
        pytest.skip("SQLite settings")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_pages_that_only_read_never_take_the_write_lock(app, client, make_user, live):
    """An organiser's entry form renders inside a plain BEGIN: twenty organisers reading their forms
    must not queue on SQLite's one write lock (they did, past the 15 s busy timeout, under load)."""
    if POSTGRES_URL:
        pytest.skip("SQLite locking")
    make_user("orga@example.org")
    login(client, "orga@example.org")
    begins = []
    sa.event.listen(
        db.engine, "before_cursor_execute", lambda c, cur, sql, *a: begins.append(sql) if "BEGIN" in sql else None
    )
    for url in ("/saisie/", "/saisie/handball-men", "/saisie/handball-men/history", "/editions/2026"):
        begins.clear()
        assert client.get(url).status_code == 200
        assert begins and "BEGIN IMMEDIATE" not in begins, (url, begins)
    begins.clear()
    assert client.post("/saisie/handball-men", data=podium_form("ales")).status_code == 303
    assert "BEGIN IMMEDIATE" in begins  # a write takes the lock at its start


def test_a_transaction_that_reads_then_writes_never_finds_the_database_locked(app, live):
    """The case a busy timeout cannot wait out: A reads, B writes meanwhile, then A writes. With write
    transactions taking their lock at BEGIN, B waits for A instead of one of them failing."""
    if POSTGRES_URL:
        pytest.skip("SQLite locking")
    from sqlalchemy.orm import Session

    from cartel.models import Edition

    b_done = threading.Event()
    errors: list[BaseException] = []
    engine = db.engine

    def a() -> None:
        try:
            with Session(engine) as session:
                session.scalar(sa.select(Edition.revision))
                b_done.wait(0.5)  # B writes now, unless it has to wait for us
                session.execute(sa.update(Edition).values(delegation_count=1))
                session.commit()
        except BaseException as error:
            errors.append(error)

    def b() -> None:
        try:
            with Session(engine) as session:
                session.execute(sa.update(Edition).values(delegation_count=2))
                session.commit()
            b_done.set()
        except BaseException as error:
            errors.append(error)

    first = threading.Thread(target=a)
    first.start()
    threading.Event().wait(0.1)
    second = threading.Thread(target=b)
    second.start()
    first.join(30)
    second.join(30)
    assert not errors, errors


def test_every_acknowledged_save_is_stored_once_under_concurrent_use(app, live, make_user):
    """8 organisers save 6 times each on 3 disciplines (conflicts on purpose) while 4 visitors read."""
    make_user("orga@example.org")
    writers = [app.test_client() for _ in range(8)]
    for client in writers:
        login(client, "orga@example.org")
    db.session.remove()
    slugs = ["handball-men", "football-women", "swimming-open"]
    statuses: list[int] = []
    errors: list[BaseException] = []
    start = threading.Barrier(12)

    def version(slug: str) -> int:
        with app.app_context():
            return db.session.scalar(
                sa.select(ProgrammeEntry.version)
                .join(ProgrammeEntry.discipline)
                .where(sa.text("discipline.slug = :s"))
                .params(s=slug)
            )

    def write(k: int) -> None:
        try:
            start.wait()
            for n in range(6):
                slug = slugs[(k + n) % 3]
                data = podium_form(
                    ("ales", "albi", "nancy", "douai")[k % 4],
                    ("albi", "nancy", "douai", "ales")[k % 4],
                    version=version(slug),
                    submission_id=f"w{k}-{n}",
                )
                statuses.append(writers[k].post(f"/saisie/{slug}", data=data).status_code)
        except BaseException as error:
            errors.append(error)

    def read(k: int) -> None:
        try:
            client = app.test_client()
            start.wait()
            for _ in range(10):
                for url in ("/editions/2026", "/api/editions/2026", "/records"):
                    statuses.append(client.get(url).status_code)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=write, args=(k,)) for k in range(8)]
    threads += [threading.Thread(target=read, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors[:3]
    assert set(statuses) <= {200, 303, 409}, sorted(set(statuses))
    saved = statuses.count(303)
    db.session.remove()
    versions = sum(db.session.scalars(sa.select(ProgrammeEntry.version)))
    audited = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).filter_by(action="result.save"))
    assert saved == versions == audited and saved >= 3  # every acknowledged save is there, once


def test_migrations_go_down_and_up_again(app):
    downgrade(revision="base")
    upgrade()
    with db.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT revision FROM history_revision")).scalar() == 1


def test_migrations_go_down_and_up_again_with_data(seeded):
    """A batch migration on SQLite copies and drops tables that other rows point to: with the seeds
    loaded, going down past the public revisions and up again keeps every row and every foreign key
    (SQLite ignored the pragma that allows it while it ran inside a transaction)."""
    counts = {
        t: db.session.scalar(sa.select(sa.func.count()).select_from(sa.table(t))) for t in ("edition", "placement")
    }
    db.session.remove()  # no transaction of the test's left open while the migrations run
    downgrade(revision="2d33e8ba50db")
    upgrade()
    db.session.remove()
    assert {t: db.session.scalar(sa.select(sa.func.count()).select_from(sa.table(t))) for t in counts} == counts
    assert counts["edition"] > 0 and counts["placement"] > 0
    db.session.remove()
    with db.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1  # back on for the app
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []


def _sqlite_error(*statements: str) -> BaseException:
    """The error SQLite itself raises for the last of ``statements`` (the others set the scene)."""
    import sqlite3

    connection = sqlite3.connect(":memory:")
    try:
        for sql in statements:
            connection.execute(sql)
    except sqlite3.Error as error:
        return error
    finally:
        connection.close()
    raise AssertionError("no error")


def test_what_says_the_database_is_unavailable_and_what_is_a_bug():
    """503 for a database that cannot be reached or written now; 500 (a bug) for a wrong query."""
    import psycopg
    from psycopg import errors

    from cartel.database import unavailable

    read_only = _sqlite_error("PRAGMA query_only = 1", "CREATE TABLE t (x)")
    full = _sqlite_error("PRAGMA max_page_count = 1", "CREATE TABLE t (x)", "INSERT INTO t VALUES (randomblob(9000))")
    no_table = _sqlite_error("SELECT * FROM no_such_table")
    syntax = _sqlite_error("SELEKT 1")
    constraint = _sqlite_error("CREATE TABLE t (x UNIQUE)", "INSERT INTO t VALUES (1)", "INSERT INTO t VALUES (1)")
    wrapped = sa.exc.OperationalError("UPDATE t", {}, full)
    unreachable = [
        read_only,
        full,
        wrapped,
        psycopg.OperationalError("connection failed: Connection refused"),  # raised by the client: no SQLSTATE
        errors.AdminShutdown(),  # 57P01: the server is shutting down
        errors.CannotConnectNow(),  # 57P03: starting up
        errors.ReadOnlySqlTransaction(),  # 25006: a standby, or default_transaction_read_only
        errors.DiskFull(),  # 53100
        errors.TooManyConnections(),  # 53300
        sa.exc.TimeoutError(),  # no free connection in the pool
    ]
    bugs = [
        no_table,
        syntax,
        constraint,
        sa.exc.OperationalError("SELECT", {}, no_table),
        sa.exc.IntegrityError("INSERT", {}, constraint),
        errors.UniqueViolation(),
        errors.SyntaxError(),
        errors.UndefinedTable(),
        errors.SerializationFailure(),
        RuntimeError("a bug"),
    ]
    assert [e for e in unreachable if not unavailable(e)] == []
    assert [e for e in bugs if unavailable(e)] == []
