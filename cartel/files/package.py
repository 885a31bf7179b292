"""An .xlsx file checked part by part before openpyxl reads any of it.

An .xlsx is a zip of XML parts. Its directory is checked first (how many parts, their unpacked sizes
as declared, no encryption, no macros, only the compressions Excel uses); then every XML part is read
once, as a stream, by expat with no tree kept: a document type (where entity bombs hide) refuses the
file, and so does a part with more elements than its bound, more shared strings, more cells, or a
value below the rows or right of the columns that are read, whatever the sheet's <dimension> says.
A part that is not well-formed, cut short, or whose data does not match its declared size and
checksum is damaged. Only then is the file handed to openpyxl, which now has little to read.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from typing import IO
from xml.parsers import expat

from cartel.files.limits import (
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_ELEMENTS,
    MAX_FILE_ELEMENTS,
    MAX_MEMBERS,
    MAX_PART,
    MAX_PART_ELEMENTS,
    MAX_ROWS,
    MAX_SHARED_STRINGS,
    MAX_UNPACKED,
    Deadline,
    UploadRefused,
)

CHUNK = 64 * 1024
COMPRESSIONS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)  # what Excel and LibreOffice write
BYTE_ORDER_MARKS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
REFERENCE = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]+)")
READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, OSError, ValueError)


def column_letters(column: int) -> str:
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


class Counts:
    """What the parts of one file hold so far, against the bounds of the whole file."""

    def __init__(self, deadline: Deadline) -> None:
        self.deadline = deadline
        self.elements = 0
        self.cells = 0
        self.strings = 0

    def element(self) -> None:
        self.elements += 1
        if self.elements > MAX_FILE_ELEMENTS:
            raise UploadRefused("bomb", f"more than {MAX_FILE_ELEMENTS} XML elements")
        if self.elements % 4096 == 0:
            self.deadline.check()


class Part:
    """The expat handlers for one XML part. The kind of part is told by its root element: a worksheet,
    the shared strings table (sst), or anything else; names are compared without their prefix."""

    def __init__(self, name: str, counts: Counts) -> None:
        self.name, self.counts = name, counts
        self.root = ""
        self.outside = 0  # elements outside the cells of a sheet (all of them, for another part)
        self.inside = 0  # elements among a sheet's cells, or of the shared strings
        self.depth = 0
        self.data_depth = 0  # the depth of <sheetData>, while inside it
        self.row = 0  # the current row's number and cell's column, counted as openpyxl counts them
        self.column = 0
        self.cell_has_value = False

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        local = tag.rpartition(":")[2]
        self.depth += 1
        self.counts.element()
        if not self.root:
            self.root = local
        if self.root == "sst":
            self.inside += 1
            if local == "si":
                self.counts.strings += 1
                if self.counts.strings > MAX_SHARED_STRINGS:
                    raise UploadRefused("bomb", f"more than {MAX_SHARED_STRINGS} shared strings")
            self._bound(self.inside, MAX_ELEMENTS)
        elif self.data_depth:
            self.inside += 1
            self._bound(self.inside, MAX_ELEMENTS)
            self._in_cells(local, attributes)
        else:
            self.outside += 1
            self._bound(self.outside, MAX_PART_ELEMENTS)
            if local == "sheetData" and self.root == "worksheet":
                self.data_depth = self.depth

    def _bound(self, count: int, limit: int) -> None:
        if count > limit:
            raise UploadRefused("bomb", f"{self.name}: more than {limit} XML elements")

    def _in_cells(self, local: str, attributes: dict[str, str]) -> None:
        if local == "row" and self.depth == self.data_depth + 1:
            number = attributes.get("r")
            self.row = self.row + 1 if number is None else _number(number)
            self.column = 0
        elif local == "c" and self.depth == self.data_depth + 2:
            self.counts.cells += 1
            if self.counts.cells > MAX_CELLS:
                raise UploadRefused("too_many_cells", cells=MAX_CELLS)
            reference = attributes.get("r")
            self.column = self.column + 1 if reference is None else _column(reference)
            self.cell_has_value = False
        elif local in ("v", "is") and self.depth == self.data_depth + 3:
            self.cell_has_value = True

    def end(self, tag: str) -> None:
        if self.data_depth and self.depth == self.data_depth + 2 and self.cell_has_value:  # the end of a cell
            self.cell_has_value = False
            if self.row > MAX_ROWS:
                raise UploadRefused("too_many_rows", rows=MAX_ROWS, cell=f"{column_letters(self.column)}{self.row}")
            if self.column > MAX_COLUMNS:
                raise UploadRefused(
                    "too_wide", columns=MAX_COLUMNS, last=column_letters(MAX_COLUMNS), cell=self.reference()
                )
        if self.depth == self.data_depth:
            self.data_depth = 0
        self.depth -= 1

    def reference(self) -> str:
        return f"{column_letters(min(self.column, 16384))}{self.row}"


def _number(text: str) -> int:
    """A row number as openpyxl reads it ("7", or "7.0")."""
    try:
        number = float(text)
    except ValueError:
        raise UploadRefused("damaged", f"row number {text[:20]!r}") from None
    if not number.is_integer() or number < 1:
        raise UploadRefused("damaged", f"row number {text[:20]!r}")
    return int(number)


def _column(reference: str) -> int:
    match = REFERENCE.fullmatch(reference)
    if match is None:
        raise UploadRefused("damaged", f"cell reference {reference[:20]!r}")
    column = 0
    for letter in match.group(1).upper():
        column = column * 26 + ord(letter) - ord("A") + 1
    return column


def _refuse_document_type(*_args: object) -> None:
    raise UploadRefused("bomb", "a document type declaration")


def scan_part(stream: IO[bytes], name: str, counts: Counts) -> None:
    """Read one part through expat, its handlers refusing the file as soon as a bound is passed. A part
    that does not start as XML (a picture, printer settings) is not parsed by openpyxl either: skipped."""
    head = stream.read(CHUNK)
    start = head.lstrip()
    if start and not start.startswith((b"<", *BYTE_ORDER_MARKS)):
        return
    part = Part(name, counts)
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _refuse_document_type
    parser.EntityDeclHandler = _refuse_document_type
    parser.StartElementHandler = part.start
    parser.EndElementHandler = part.end
    try:
        data = head
        while data:
            parser.Parse(data, False)
            counts.deadline.check()
            data = stream.read(CHUNK)
        parser.Parse(b"", True)
    except expat.ExpatError as error:
        raise UploadRefused("damaged", f"{name}: {error}") from None


def check_package(data: bytes, deadline: Deadline) -> None:
    """Refuse an .xlsx file whose directory or parts pass a bound, before anything else reads it."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, *READ_ERRORS):
        raise UploadRefused("not_a_workbook") from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise UploadRefused("bomb", f"{len(members)} parts")
        for member in members:
            if member.flag_bits & 0x1:
                raise UploadRefused("encrypted")
            if member.compress_type not in COMPRESSIONS:
                raise UploadRefused("not_a_workbook", f"{member.filename}: compression {member.compress_type}")
            if member.file_size > MAX_PART:
                raise UploadRefused("bomb", f"{member.filename} unpacks to {member.file_size} bytes")
        if sum(m.file_size for m in members) > MAX_UNPACKED:
            raise UploadRefused("bomb", "too large once unpacked")
        names = {m.filename.lower() for m in members}
        if "[content_types].xml" not in names or not any(n.startswith("xl/worksheets/") for n in names):
            raise UploadRefused("not_a_workbook")
        if any(n.endswith("vbaproject.bin") for n in names):
            raise UploadRefused("macros")
        counts = Counts(deadline)
        try:
            for member in members:
                if not member.is_dir():
                    with archive.open(member) as stream:
                        scan_part(stream, member.filename, counts)
        except UploadRefused:
            raise
        except READ_ERRORS as error:
            raise UploadRefused("damaged", f"{type(error).__name__}: {error}") from None
        types = archive.read(next(m for m in members if m.filename.lower() == "[content_types].xml"))
        if b"macroEnabled" in types:
            raise UploadRefused("macros")
