"""Reading an uploaded results file (xlsx or CSV) without trusting it.

Pure-ish (openpyxl and the standard library): size, type, encryption, macros and zip bombs are
checked before anything is parsed; XML goes through defusedxml (openpyxl uses it when installed);
formulas are never evaluated (only the values a spreadsheet program saved are read).
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass

import openpyxl
from openpyxl.utils import get_column_letter

MAX_BYTES = 5 * 1024 * 1024
MAX_UNPACKED = 50 * 1024 * 1024  # all members of an xlsx together, uncompressed
MAX_RATIO = 100  # uncompressed / compressed size of one member
MAX_MEMBERS = 500
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted xlsx and old .xls files
ZIP_MAGIC = b"PK\x03\x04"
HEADER_MARKERS = ("code", "version")  # the template's technical columns, in every language


class UploadRefused(ValueError):
    """The file is refused as a whole, before its content is read; ``code`` says why."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(code if not detail else f"{code}: {detail}")
        self.code, self.detail = code, detail


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


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _check_xlsx(data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise UploadRefused("not_a_workbook") from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise UploadRefused("bomb", f"{len(members)} parts")
        if sum(m.file_size for m in members) > MAX_UNPACKED:
            raise UploadRefused("bomb", "too large once unpacked")
        for m in members:
            if m.file_size > MAX_RATIO * max(m.compress_size, 1) and m.file_size > 1024 * 1024:
                raise UploadRefused(
                    "bomb", f"{m.filename} is compressed {m.file_size // max(m.compress_size, 1)} times"
                )
            if m.flag_bits & 0x1:
                raise UploadRefused("encrypted")
        names = {m.filename.lower() for m in members}
        if "[content_types].xml" not in names or not any(n.startswith("xl/worksheets/") for n in names):
            raise UploadRefused("not_a_workbook")
        if any(n.endswith("vbaproject.bin") for n in names) or b"macroEnabled" in archive.read("[Content_Types].xml"):
            raise UploadRefused("macros")


def _find_header(rows: list[UploadRow]) -> int:
    for k, row in enumerate(rows):
        lowered = [c.lower() for c in row.cells]
        if all(marker in lowered for marker in HEADER_MARKERS):
            return k
    raise UploadRefused("no_header")


def _table(sheet: str, rows: list[UploadRow]) -> Table:
    k = _find_header(rows)
    body = tuple(r for r in rows[k + 1 :] if any(r.cells))
    return Table(sheet, rows[k], body)


def read_xlsx(data: bytes) -> Table:
    _check_xlsx(data)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:
        raise UploadRefused("not_a_workbook", type(error).__name__) from None
    try:
        for ws in workbook.worksheets:
            if ws.sheet_state != "visible":
                continue
            rows = [
                UploadRow(ws.title, r, tuple(_text(v) for v in values))
                for r, values in enumerate(ws.iter_rows(values_only=True, max_col=60), start=1)
            ]
            try:
                return _table(ws.title, rows)
            except UploadRefused:
                continue
    finally:
        workbook.close()
    raise UploadRefused("no_header")


def read_csv(data: bytes) -> Table:
    """UTF-8 with or without a BOM, separated by semicolons (a French Excel) or commas."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UploadRefused("encoding") from None
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = [UploadRow("CSV", k, tuple(c.strip() for c in cells)) for k, cells in enumerate(reader, start=1)]
    return _table("CSV", rows)


def read_upload(filename: str, data: bytes) -> Table:
    """The results table of an uploaded file; raises UploadRefused before parsing anything unsafe."""
    if len(data) > MAX_BYTES:
        raise UploadRefused("too_large")
    name = (filename or "").lower()
    if data.startswith(OLE_MAGIC):
        raise UploadRefused("encrypted")
    if name.endswith((".xlsm", ".xltm", ".xlsb")):
        raise UploadRefused("macros")
    if name.endswith(".xlsx") or data.startswith(ZIP_MAGIC):
        return read_xlsx(data)
    if name.endswith(".csv"):
        return read_csv(data)
    raise UploadRefused("type")
