"""Reading an uploaded results file (xlsx or CSV) without trusting it.

Pure-ish (openpyxl and the standard library). A file is judged by its name and its content together:
a name ending in .xlsx must hold a zip workbook, one ending in .csv must hold text, anything else is
refused. Every bound of cartel.files.limits is checked before the part it protects is read: an .xlsx
part by part (cartel.files.package) before openpyxl opens it, read-only, up to MAX_ROWS rows and
MAX_COLUMNS columns whatever the sheet declares; a CSV file line by line, stopped at MAX_ROWS. XML
goes through defusedxml (openpyxl uses it when installed); formulas are never evaluated (only the
values a spreadsheet program saved are read).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

import openpyxl
from openpyxl.utils import get_column_letter

from cartel.files.limits import (
    MAX_BYTES,
    MAX_CELL_CHARS,
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_ROWS,
    Deadline,
    UploadRefused,
)
from cartel.files.package import check_package

__all__ = ["Table", "UploadRefused", "UploadRow", "read_upload"]  # UploadRefused: where callers have always found it

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted xlsx and old .xls files
ZIP_MAGIC = b"PK\x03\x04"
HEADER_MARKERS = ("code", "version")  # the template's technical columns, in every language
FIRST_TEXT_LINE = re.compile(r"^[^\r\n]*\S[^\r\n]*", re.MULTILINE)


@dataclass(frozen=True)
class UploadRow:
    """One line of the results table: where it is, and its cells as text."""

    sheet: str
    row: int
    cells: tuple[str, ...]  # from the first column; "" for an empty cell

    def ref(self, column: int) -> str:
        """The spreadsheet reference of a cell of this row ("E7"), column 0 being A."""
        return f"{get_column_letter(column + 1)}{self.row}"


@dataclass(frozen=True)
class Table:
    sheet: str
    header: UploadRow
    rows: tuple[UploadRow, ...]


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _row(sheet: str, number: int, values: tuple | list) -> UploadRow:
    """A row of cells as text; refused when a cell is too long or holds a value right of MAX_COLUMNS."""
    cells = tuple(_text(v) for v in values)
    for column, text in enumerate(cells):
        if len(text) > MAX_CELL_CHARS:
            raise UploadRefused("long_cell", sheet=sheet, cell=f"{get_column_letter(column + 1)}{number}")
        if column >= MAX_COLUMNS and text:
            last = get_column_letter(MAX_COLUMNS)
            cell = f"{get_column_letter(column + 1)}{number}"
            raise UploadRefused("too_wide", columns=MAX_COLUMNS, last=last, cell=cell)
    return UploadRow(sheet, number, cells[:MAX_COLUMNS])


def _find_header(rows: list[UploadRow], markers: tuple[str, ...]) -> int:
    for k, row in enumerate(rows):
        lowered = [c.lower() for c in row.cells]
        if all(marker in lowered for marker in markers):
            return k
    raise UploadRefused("no_header")


def _table(sheet: str, rows: list[UploadRow], markers: tuple[str, ...] = HEADER_MARKERS) -> Table:
    k = _find_header(rows, markers)
    body = tuple(r for r in rows[k + 1 :] if any(r.cells))
    return Table(sheet, rows[k], body)


def _sheet_rows(ws, deadline: Deadline) -> list[UploadRow]:
    """The first MAX_ROWS rows of a sheet, MAX_COLUMNS cells each (the package check made sure that no
    value lies beyond); whatever goes wrong inside openpyxl is a damaged file."""
    rows = []
    try:
        for number, values in enumerate(ws.iter_rows(max_row=MAX_ROWS, max_col=MAX_COLUMNS, values_only=True), 1):
            deadline.check()
            rows.append(_row(ws.title, number, values))
    except UploadRefused:
        raise
    except Exception as error:  # openpyxl raises what its parser meets: ParseError, KeyError, ValueError...
        raise UploadRefused("damaged", f"{type(error).__name__}: {error}") from None
    return rows


def read_xlsx(data: bytes, deadline: Deadline | None = None, markers: tuple[str, ...] = HEADER_MARKERS) -> Table:
    """The table of the first visible sheet that has one (a header row holding every one of ``markers``)."""
    deadline = deadline or Deadline()
    check_package(data, deadline)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # any parser error of any part: the file is not a workbook openpyxl can read
        raise UploadRefused("not_a_workbook", f"{type(error).__name__}: {error}") from None
    try:
        for ws in workbook.worksheets:
            if ws.sheet_state != "visible":
                continue
            deadline.check()
            try:
                return _table(ws.title, _sheet_rows(ws, deadline), markers)
            except UploadRefused as refusal:
                if refusal.code != "no_header":
                    raise
    finally:
        workbook.close()
    raise UploadRefused("no_header")


class _Lines:
    """The lines of a text, each with its line end, one at a time (no copy of the text: a file of five
    million empty lines is not made into a list); ``end`` is where the next line starts."""

    LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)?")

    def __init__(self, text: str) -> None:
        self.text, self.end = text, 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self.end >= len(self.text):
            raise StopIteration
        line = self.LINE.match(self.text, self.end)
        assert line is not None  # the pattern matches anywhere, and at least one character before the end
        self.end = line.end()
        return line.group(0)


def read_csv(data: bytes, deadline: Deadline | None = None, markers: tuple[str, ...] = HEADER_MARKERS) -> Table:
    """UTF-8 with or without a BOM, separated by semicolons (a French Excel) or commas; read up to
    MAX_ROWS records, and refused when anything but blank lines follows them."""
    deadline = deadline or Deadline()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UploadRefused("encoding") from None
    first = FIRST_TEXT_LINE.search(text)
    line = first.group(0) if first else ""
    delimiter = ";" if line.count(";") >= line.count(",") else ","
    if text.count(delimiter) > MAX_CELLS:
        raise UploadRefused("too_many_cells", cells=MAX_CELLS)
    lines = _Lines(text)
    reader = csv.reader(lines, delimiter=delimiter)
    rows = []
    try:
        for number, cells in enumerate(reader, start=1):
            rows.append(_row("CSV", number, cells))
            if number % 100 == 0:
                deadline.check()
            if number == MAX_ROWS:
                if re.compile(f'[^\\s"{re.escape(delimiter)}]').search(text, lines.end):
                    raise UploadRefused("too_many_rows", rows=MAX_ROWS)
                break
    except csv.Error as error:  # a field over csv's own limit (131,072 characters), a stray quote...
        if "field larger than field limit" in str(error):
            raise UploadRefused("long_line", line=reader.line_num) from None
        raise UploadRefused("damaged_csv", str(error)) from None
    return _table("CSV", rows, markers)


def _looks_like_text(data: bytes) -> bool:
    head = data[:4096]
    if b"\0" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        return error.start >= len(head) - 3  # a character cut at the end of the sample
    return True


def read_upload(
    filename: str, data: bytes, deadline: Deadline | None = None, markers: tuple[str, ...] = HEADER_MARKERS
) -> Table:
    """The table of an uploaded file (its header row holds ``markers``, the results template's by default);
    raises UploadRefused before reading anything unsafe."""
    if len(data) > MAX_BYTES:
        raise UploadRefused("too_large")
    deadline = deadline or Deadline()
    name = (filename or "").strip().lower()
    extension = name[name.rfind(".") :] if "." in name else ""
    if data.startswith(OLE_MAGIC):
        raise UploadRefused("encrypted")
    if extension in (".xlsm", ".xltm", ".xlsb"):
        raise UploadRefused("macros")
    if extension == ".xlsx":
        if not data.startswith(ZIP_MAGIC):
            raise UploadRefused("xlsx_holds_text" if data.strip() and _looks_like_text(data) else "not_a_workbook")
        return read_xlsx(data, deadline, markers)
    if extension == ".csv":
        if data.startswith(ZIP_MAGIC):
            raise UploadRefused("csv_holds_workbook")
        if b"\0" in data:
            raise UploadRefused("not_text")
        return read_csv(data, deadline, markers)
    raise UploadRefused("type", extension=extension)
