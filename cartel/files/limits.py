"""What an uploaded results file may be, and the refusal when it is not.

The template an organiser fills has one row per discipline of the programme (a few dozen) and a column
per scored place (a few dozen at most): the bounds below are ten times what it needs, and low enough
that reading the worst file they let through takes well under a second and a few megabytes.

| bound | value | what it counts |
| --- | --- | --- |
| MAX_BYTES | 5 MB | the file as sent |
| MAX_MEMBERS | 500 | parts of an .xlsx (a zip) |
| MAX_PART | 8 MB | one part once unpacked, as the zip declares it (never unpacked further: see below) |
| MAX_UNPACKED | 20 MB | all parts together, unpacked |
| MAX_PART_ELEMENTS | 10,000 | XML elements of a part (styles, workbook, relations...), outside a sheet's cells |
| MAX_ELEMENTS | 100,000 | XML elements of the cells of a sheet, or of the shared strings |
| MAX_FILE_ELEMENTS | 250,000 | XML elements of all parts together |
| MAX_SHARED_STRINGS | 20,000 | texts of the shared strings table |
| MAX_CELLS | 20,000 | cells of the whole file (CSV: separators) |
| MAX_ROWS | 1,000 | rows read: a value further down refuses the file (empty rows below are ignored) |
| MAX_COLUMNS | 60 | columns read (A to BH): a value further right refuses the file |
| MAX_CELL_CHARS | 1,000 | characters in one cell |
| MAX_SECONDS | 5 s | time to read the file, checked as it is read |

A zip's directory may lie about a part's size: Python's zipfile never unpacks more than the size
declared, and a part whose data does not match that size and its checksum is refused as damaged.
"""

from __future__ import annotations

import time
from collections.abc import Callable

MAX_BYTES = 5 * 1024 * 1024
MAX_MEMBERS = 500
MAX_PART = 8 * 1024 * 1024
MAX_UNPACKED = 20 * 1024 * 1024
MAX_PART_ELEMENTS = 10_000
MAX_ELEMENTS = 100_000
MAX_FILE_ELEMENTS = 250_000
MAX_SHARED_STRINGS = 20_000
MAX_CELLS = 20_000
MAX_ROWS = 1_000
MAX_COLUMNS = 60
MAX_CELL_CHARS = 1_000
MAX_SECONDS = 5.0


class UploadRefused(ValueError):
    """The file is refused as a whole, nothing of it used; ``code`` says why, ``params`` where or how
    much (the cell, the sheet, the file's extension...), ``detail`` more for a log or the command line."""

    def __init__(self, code: str, detail: str = "", **params: object) -> None:
        super().__init__(code if not detail else f"{code}: {detail}")
        self.code, self.detail, self.params = code, detail, params


class Deadline:
    """The time left to read a file: ``check()`` refuses it ("too_slow") once ``seconds`` have passed."""

    def __init__(self, seconds: float = MAX_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.at = clock() + seconds

    def check(self) -> None:
        if self.clock() > self.at:
            raise UploadRefused("too_slow")
