"""A backup's rows checked before a restore writes any: the document's shape, every value against its
column (type, size, required), then keys (no id twice, no unique value twice, no reference to a row
that is not there). Each problem says where it is: table, row (counted from 1 in the file), column.

The same checks on SQLite and PostgreSQL: SQLite would store "abc" in an integer column, PostgreSQL
would refuse it halfway through the restore with a driver's message."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa

MAX_PROBLEMS = 10  # shown; the rest counted


class BackupError(ValueError):
    pass


class _Refused(ValueError):
    """A value that does not fit its column; the message says why."""


def _integer(kind: sa.Integer, value: Any) -> int:
    bits = 64 if isinstance(kind, sa.BigInteger) else 16 if isinstance(kind, sa.SmallInteger) else 32
    if not isinstance(value, int) or isinstance(value, bool):
        raise _Refused(f"{value!r} is not a whole number")
    if not -(2 ** (bits - 1)) <= value < 2 ** (bits - 1):
        raise _Refused(f"{value} is out of range")
    return value


def _decimal(kind: sa.Numeric, value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _Refused(f"{value!r} is not a number")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise _Refused(f"{value!r} is not a number") from None
    if not number.is_finite():
        raise _Refused(f"{value!r} is not a number")
    if kind.precision is not None:
        whole_digits = kind.precision - (kind.scale or 0)
        if abs(number) >= Decimal(10) ** whole_digits:
            raise _Refused(f"{value} has more than {whole_digits} digits before the decimal point")
    return number


def _float(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _Refused(f"{value!r} is not a number")
    return float(value)


def _string(kind: sa.String, value: Any) -> str:
    if not isinstance(value, str):
        raise _Refused(f"{value!r} is not text")
    if kind.length is not None and len(value) > kind.length:
        raise _Refused(f"{len(value)} characters, at most {kind.length}")
    if "\x00" in value:
        raise _Refused("holds a NUL character")
    return value


def _choice(kind: sa.Enum, value: Any) -> str:
    if not isinstance(value, str) or value not in kind.enums:
        raise _Refused(f"{value!r} is not one of {', '.join(kind.enums)}")
    return value


def _datetime(value: Any) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is not None:
        raise _Refused(f"{value!r} is not a date and time (YYYY-MM-DDTHH:MM:SS, UTC, no zone)")
    return moment


def _date(value: Any) -> dt.date:
    try:
        day = dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        day = None
    if day is None:
        raise _Refused(f"{value!r} is not a date (YYYY-MM-DD)")
    return day


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _Refused(f"{value!r} is not true or false")
    return value


def _converter(column: sa.Column) -> Callable[[Any], Any]:
    """How a column's JSON value becomes the value to insert (refusing what does not fit)."""
    kind = column.type
    if isinstance(kind, sa.JSON):
        return lambda value: value  # any JSON value (None included, stored as JSON null as it was dumped)
    if isinstance(kind, sa.Boolean):
        return _boolean
    if isinstance(kind, sa.Integer):
        return lambda value: _integer(kind, value)
    if isinstance(kind, sa.Float):
        return _float
    if isinstance(kind, sa.Numeric):
        return lambda value: _decimal(kind, value)
    if isinstance(kind, sa.DateTime):
        return _datetime
    if isinstance(kind, sa.Date):
        return _date
    if isinstance(kind, sa.Enum):
        return lambda value: _choice(kind, value)
    if isinstance(kind, sa.String):
        return lambda value: _string(kind, value)
    return lambda value: value  # pragma: no cover - a column type no table uses


class _Problems:
    def __init__(self) -> None:
        self.found: list[str] = []

    def add(self, problem: str) -> None:
        self.found.append(problem)

    def raise_any(self) -> None:
        if not self.found:
            return
        shown = "; ".join(self.found[:MAX_PROBLEMS])
        more = len(self.found) - MAX_PROBLEMS
        raise BackupError(shown + (f"; and {more} more problem(s)" if more > 0 else ""))


def _table_rows(table: sa.Table, content: Any, problems: _Problems) -> list[dict[str, Any]]:
    """One table's rows as values to insert, the problems of each noted."""
    if not isinstance(content, dict) or not isinstance(content.get("rows"), list):
        problems.add(f"table {table.name}: no list of rows")
        return []
    columns = content.get("columns")
    if (
        not isinstance(columns, list)
        or len(columns) != len(set(map(str, columns)))
        or set(map(str, columns)) != set(table.columns.keys())
    ):
        problems.add(f"table {table.name}: the backup's columns do not match the database's")
        return []
    converters = [(table.columns[name], _converter(table.columns[name])) for name in columns]
    rows = []
    for number, values in enumerate(content["rows"], start=1):
        where = f"table {table.name}, row {number}"
        if not isinstance(values, list) or len(values) != len(columns):
            problems.add(f"{where}: {len(columns)} values expected")
            continue
        row: dict[str, Any] = {}
        for (column, convert), value in zip(converters, values, strict=True):
            if value is None and not isinstance(column.type, sa.JSON):
                if not column.nullable:
                    problems.add(f"{where}, column {column.name}: empty, but required")
                row[column.name] = None
                continue
            try:
                row[column.name] = convert(value)
            except _Refused as refused:
                problems.add(f"{where}, column {column.name}: {refused}")
        rows.append(row)
    return rows


def _unique_keys(table: sa.Table) -> list[list[str]]:
    keys = [[c.name for c in table.primary_key.columns]] if table.primary_key.columns else []
    keys += [[c.name for c in u.columns] for u in table.constraints if isinstance(u, sa.UniqueConstraint)]
    keys += [[c.name for c in i.columns] for i in table.indexes if i.unique]
    return [key for key in keys if key]


def _check_keys(tables: dict[str, sa.Table], rows: dict[str, list[dict[str, Any]]], problems: _Problems) -> None:
    """No id or unique value twice; every reference to a row that the backup holds."""
    for name, table in tables.items():
        for key in _unique_keys(table):
            seen: dict[tuple, int] = {}
            for number, row in enumerate(rows[name], start=1):
                value = tuple(row.get(c) for c in key)
                if any(v is None for v in value):
                    continue  # NULLs never clash
                if value in seen:
                    shown = ", ".join(f"{c} {v!r}" for c, v in zip(key, value, strict=True))
                    problems.add(f"table {name}, row {number}: {shown} already in row {seen[value]}")
                else:
                    seen[value] = number
        for foreign in table.foreign_key_constraints:
            target = foreign.referred_table.name
            if target not in rows:
                continue
            local = [c.name for c in foreign.columns]
            remote = [e.column.name for e in foreign.elements]
            present = {tuple(r.get(c) for c in remote) for r in rows[target]}
            for number, row in enumerate(rows[name], start=1):
                value = tuple(row.get(c) for c in local)
                if all(v is not None for v in value) and value not in present:
                    shown = ", ".join(f"{c} {v!r}" for c, v in zip(local, value, strict=True))
                    problems.add(f"table {name}, row {number}: {shown} refers to no row of table {target}")


def checked_rows(tables: dict[str, sa.Table], document: dict, ignored: set[str]) -> dict[str, list[dict[str, Any]]]:
    """Each table's rows from a backup document, ready to insert (tables named in ``ignored`` left out);
    BackupError naming what is wrong and where (up to MAX_PROBLEMS of them) if anything is."""
    saved = document.get("tables")
    if not isinstance(saved, dict):
        raise BackupError("the backup has no tables")
    unknown = sorted(set(saved) - set(tables) - ignored)
    if unknown:
        raise BackupError(f"the backup has tables this program does not know: {', '.join(unknown)}")
    problems = _Problems()
    missing = sorted(set(tables) - set(saved))
    if missing:
        problems.add(f"the backup has no table {', '.join(missing)}")
    rows = {name: _table_rows(table, saved[name], problems) if name in saved else [] for name, table in tables.items()}
    problems.raise_any()
    _check_keys(tables, rows, problems)
    problems.raise_any()
    return rows
