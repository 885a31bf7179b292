"""Backups: every table (audit log included) as one versioned JSON document, and back.

A backup is read in one transaction that sees a single moment of the database while the app goes on
serving: a plain read transaction on SQLite in WAL mode (never blocking the writers), REPEATABLE READ
on PostgreSQL. A restore goes into a database migrated to the same schema revision and holding no
data yet, in one transaction: all of it or nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import IO, Any

import sqlalchemy as sa

from cartel import database
from cartel.extensions import db
from cartel.write.backup_check import BackupError, checked_rows

FORMAT = "cartel-backup"
FORMAT_VERSION = 1
# rows the migrations create themselves: replaced by the backup's, not a sign of existing data
MIGRATION_ROWS = {"history_revision"}
# the last 15 minutes' failed logins (cartel.write.throttle): addresses and e-mails tried, worth nothing
# tomorrow, neither written to a backup nor restored from an older one that holds them
NOT_BACKED_UP = {"login_throttle"}


def _tables() -> list[sa.Table]:
    """The tables a backup holds, parents before children."""
    return [t for t in db.metadata.sorted_tables if t.name not in NOT_BACKED_UP]


def _schema_revision(connection: sa.Connection) -> str | None:
    try:
        return connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    except sa.exc.DBAPIError:
        return None


def _to_json(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def dump(engine: sa.Engine, now: dt.datetime) -> dict:
    """Every row of every table, read at one moment."""
    if engine.dialect.name == "postgresql":
        engine = engine.execution_options(isolation_level="REPEATABLE READ")
    else:
        engine = database.read_only(engine)
    with engine.connect() as connection, connection.begin():
        tables = {}
        for table in _tables():
            columns = [c.name for c in table.columns]
            order = list(table.primary_key.columns) or list(table.columns)
            rows = connection.execute(sa.select(*table.columns).order_by(*order))
            tables[table.name] = {"columns": columns, "rows": [[_to_json(v) for v in row] for row in rows]}
        schema = _schema_revision(connection)
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "schema_revision": schema,
        "created_at": now.isoformat(timespec="seconds") + "Z",
        "tables": tables,
    }


def write(engine: sa.Engine, out: IO[str], now: dt.datetime) -> dict[str, int]:
    """Write a backup to ``out``; the number of rows per table."""
    document = dump(engine, now)
    json.dump(document, out, ensure_ascii=False, separators=(",", ":"))
    return {name: len(t["rows"]) for name, t in document["tables"].items()}


def read(source: IO[str]) -> dict:
    try:
        document = json.load(source)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise BackupError(f"not a Cartel backup: {error}") from None
    except RecursionError:
        raise BackupError("not a Cartel backup: lists or objects nested too deep") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise BackupError("not a Cartel backup (no 'format': 'cartel-backup')")
    if document.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"backup format version {document.get('format_version')!r}, this program reads {FORMAT_VERSION}"
        )
    return document


def restore(engine: sa.Engine, document: dict) -> dict[str, int]:
    """Load a backup into an empty database at the same schema revision; the rows per table.

    Every value is checked first, against its column's type, size and keys (cartel.write.backup_check),
    so that a hand-edited or damaged backup is refused in words, saying where, before anything is
    written; SQLite would otherwise store "abc" as a year. Then all of it goes in, in one transaction."""
    tables = {t.name: t for t in _tables()}
    rows = checked_rows(tables, document, ignored=NOT_BACKED_UP)
    counts = {}
    with engine.connect() as connection, connection.begin():
        schema = _schema_revision(connection)
        if schema != document.get("schema_revision"):
            raise BackupError(
                f"the backup is of schema revision {document.get('schema_revision')}, the database is at {schema}: "
                f"run `flask --app cartel db upgrade {document.get('schema_revision')}` on an empty database first"
            )
        filled = [
            name
            for name, table in tables.items()
            if name not in MIGRATION_ROWS
            and connection.execute(sa.select(sa.literal(1)).select_from(table).limit(1)).first()
        ]
        if filled:
            raise BackupError(f"the database is not empty ({', '.join(filled)} hold rows): restore into an empty one")
        for name in MIGRATION_ROWS:
            connection.execute(tables[name].delete())
        for name, table in tables.items():
            try:
                if rows[name]:
                    connection.execute(table.insert(), rows[name])
            except sa.exc.DBAPIError as error:  # a rule of the database that the checks do not know
                reason = str(error.orig).strip().splitlines()[0] if error.orig else type(error).__name__
                raise BackupError(f"table {name}: the database refused a row ({reason})") from None
            counts[name] = len(rows[name])
        if engine.dialect.name == "postgresql":
            _reset_sequences(connection)
    return counts


def _reset_sequences(connection: sa.Connection) -> None:
    """Make PostgreSQL's id sequences continue after the restored ids."""
    for table in _tables():
        key = list(table.primary_key.columns)
        if len(key) != 1 or not isinstance(key[0].type, sa.Integer) or not key[0].autoincrement:
            continue
        quoted = connection.dialect.identifier_preparer.quote(table.name)  # "user" is a reserved word
        highest = sa.func.max(key[0])
        sequence = sa.func.pg_get_serial_sequence(quoted, key[0].name)
        connection.execute(
            sa.select(sa.func.setval(sequence, sa.func.coalesce(highest, 1), highest.is_not(None))).select_from(table)
        )
