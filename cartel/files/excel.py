"""Workbooks and CSV files written as a person would format them by hand.

Pure-ish: openpyxl and the standard library only. Callers hand over sheets whose text is already in
the reader's language; values stay numbers (the spreadsheet's locale shows "15,5" in French).
Text is always written as text: a school named "=HYPERLINK(...)" never becomes a formula, and
characters that XML 1.0 forbids (control characters, lone surrogates) are left out of every cell and
title, so that one stray character typed in a name or a reason never makes a workbook fail.
"""

from __future__ import annotations

import csv
import io
import re
import textwrap
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.text import RichText
from openpyxl.drawing.text import CharacterProperties, Paragraph, ParagraphProperties
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
# Named fonts: a style without a name falls back to a serif face in LibreOffice
TITLE_FONT = Font(name="Calibri", bold=True, size=14)
NOTE_FONT = Font(name="Calibri", italic=True)
HEADER_FONT = Font(name="Calibri", bold=True)
MAX_SHEET_NAME = 31  # Excel's limit
# What XML 1.0 does not allow in a document (tab, line feed and carriage return are allowed); openpyxl
# refuses the control characters (IllegalCharacterError) and would write the others into a broken file
NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class Column:
    title: str
    number_format: str | None = None  # for numbers: "0", "0.00"...
    min_width: int = 6


@dataclass(frozen=True)
class BarChartSpec:
    """A bar chart of one numeric column against the labels of another."""

    title: str
    label_column: int  # 1-based, within the table
    value_column: int
    axis_title: str = ""


@dataclass(frozen=True)
class Sheet:
    name: str
    columns: tuple[Column, ...]
    rows: tuple[tuple, ...]
    title_lines: tuple[str, ...] = ()  # a block above the table: what, when, how final
    chart: BarChartSpec | None = None
    landscape: bool = True
    notes: tuple[str, ...] = field(default=())  # lines below the table


def xml_text(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids ("late\x01" -> "late")."""
    return NOT_XML.sub("", text)


def cell_value(value: object) -> object:
    """What goes into a cell: numbers as numbers (fractions rounded to 2 decimals), text that XML can
    hold, the rest as is."""
    if isinstance(value, Fraction):
        return value.numerator if value.denominator == 1 else round(float(value), 2)
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, str):
        return xml_text(value)
    return value


def put_cell(ws: Worksheet, row: int, column: int, value: object) -> Cell:
    """Write a cell: numbers as numbers, text as text (never a formula)."""
    value = cell_value(value)
    cell = ws.cell(row=row, column=column, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # openpyxl takes "=..." for a formula: keep it text
    return cell


def _width(value) -> int:
    if value is None:
        return 0
    if isinstance(value, float):
        return len(f"{value:.2f}")
    return max((len(line) for line in str(value).splitlines()), default=0)


# A4 printing. Column widths are counted in characters of the default font: landscape A4 less the
# default margins holds about 105 of them as LibreOffice prints, portrait about 72 (measured from its PDF).
# A sheet up to 1 / READABLE_SCALE of that is fitted to the page's width (its 11 pt text then at 7.7 pt
# or more); a wider one (the results: a column pair per school) prints at full size over several pages
# across, its first column (the discipline, the school) repeated on each, its header row on every page.
PAGE_WIDTH_CHARS = {"landscape": 105, "portrait": 72}
READABLE_SCALE = 0.7
WIDEST_COLUMN = 34  # characters; longer texts wrap, so a sheet of a few columns still fits the page's width
FOOTER_SIZE = 12  # points, before the page's scale (about 65% at least, with a chart): 7.8 pt or more
LINE_HEIGHT = 15  # points: a line of the default 11 pt font
MAX_ROW_HEIGHT = 409  # points: Excel's limit


def _text_of_size(hundredths_of_pt: int) -> RichText:
    """A chart element's text properties: its size (in hundredths of a point, as DrawingML counts)."""
    size = CharacterProperties(sz=hundredths_of_pt)
    return RichText(p=[Paragraph(pPr=ParagraphProperties(defRPr=size), endParaRPr=size)])


def _page_text(lines: tuple[str, ...]) -> str:
    """Lines as one line of a page's header or footer: "&" starts a code there, "&&" is the character."""
    return " — ".join(xml_text(line).replace("&", "&&") for line in lines)


def _print_setup(ws: Worksheet, sheet: Sheet, header: int, last_row: int) -> None:
    orientation = "landscape" if sheet.landscape else "portrait"
    ws.page_setup.orientation = orientation
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.print_title_rows = f"{header}:{header}"
    # every printed page says where it comes from: the workbook's title, the sheet, the page of how many
    for part, text in (
        (ws.oddFooter.left, _page_text(sheet.title_lines[:1])),
        (ws.oddFooter.center, "&A"),
        (ws.oddFooter.right, "&P / &N"),
    ):
        if text:
            part.text, part.size = text, FOOTER_SIZE
    width = sum(ws.column_dimensions[get_column_letter(c)].width or 10 for c in range(1, len(sheet.columns) + 1))
    if width * READABLE_SCALE <= PAGE_WIDTH_CHARS[orientation]:
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        return
    ws.page_setup.scale = 100
    ws.print_title_cols = "A:A"
    # the title block and the notes below the table, in column A, would be cut at its edge on the pages
    # across: the table alone is printed, the title block in every page's header, the notes at its foot
    ws.print_area = f"A{header}:{get_column_letter(len(sheet.columns))}{last_row}"
    for part, lines in ((ws.oddHeader.left, sheet.title_lines), (ws.oddFooter.left, sheet.notes)):
        if lines:
            part.text, part.size = _page_text(lines), 10  # at full size; one line (a line break is not kept)


def _write_sheet(ws: Worksheet, sheet: Sheet) -> None:
    ws.title = xml_text(sheet.name)[:MAX_SHEET_NAME]
    row = 1
    for k, line in enumerate(sheet.title_lines):
        cell = put_cell(ws, row, 1, line)
        cell.font = TITLE_FONT if k == 0 else NOTE_FONT
        row += 1
    if sheet.title_lines:
        row += 1  # a blank line between the title block and the table
    header = row
    for c, column in enumerate(sheet.columns, start=1):
        cell = put_cell(ws, header, c, column.title)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for r, values in enumerate(sheet.rows, start=header + 1):
        for c, value in enumerate(values, start=1):
            cell = put_cell(ws, r, c, value)
            fmt = sheet.columns[c - 1].number_format
            if fmt and isinstance(cell.value, (int, float)):
                cell.number_format = fmt
    last_row = header + len(sheet.rows)
    last_col = get_column_letter(len(sheet.columns))
    for c, column in enumerate(sheet.columns, start=1):
        widest = max([_width(column.title)] + [_width(cell_value(v[c - 1])) for v in sheet.rows if c <= len(v)])
        ws.column_dimensions[get_column_letter(c)].width = min(max(widest + 2, column.min_width), WIDEST_COLUMN)
        if widest + 2 > WIDEST_COLUMN:  # a long text (a score in sets, a reason) wraps in its cell
            for r in range(header + 1, last_row + 1):
                cell = ws.cell(row=r, column=c)
                cell.alignment = Alignment(wrap_text=True, vertical="top")
                text = str(cell.value or "")
                lines = sum(len(textwrap.wrap(line, WIDEST_COLUMN)) or 1 for line in text.splitlines()) or 1
                # spreadsheets do not all grow a row to fit its wrapped text when they open a file
                height = min(LINE_HEIGHT * lines, MAX_ROW_HEIGHT)
                ws.row_dimensions[r].height = max(ws.row_dimensions[r].height or 0, height)
    for r in range(header + 1, last_row + 1):
        if ws.row_dimensions[r].height:  # a row grown for wrapped text: its other cells at the top too
            for cell in ws[r]:
                if not cell.alignment.wrap_text:
                    cell.alignment = Alignment(vertical="top")
    ws.freeze_panes = ws.cell(row=header + 1, column=1)
    if sheet.rows:
        ws.auto_filter.ref = f"A{header}:{last_col}{last_row}"
    for k, line in enumerate(sheet.notes):
        put_cell(ws, last_row + 2 + k, 1, line).font = NOTE_FONT
    _print_setup(ws, sheet, header, last_row)
    if sheet.chart and sheet.rows:
        chart = BarChart()
        chart.type = "bar"  # horizontal bars: school names stay readable
        chart.title = xml_text(sheet.chart.title)
        chart.legend = None
        # the chart shrinks with the page it is printed on (to about 65%): 14 pt labels print at 9 pt
        for axis in (chart.x_axis, chart.y_axis):
            axis.txPr = _text_of_size(1400)
        chart.y_axis.title = xml_text(sheet.chart.axis_title)
        for paragraph in chart.y_axis.title.tx.rich.p:
            paragraph.pPr = ParagraphProperties(defRPr=CharacterProperties(sz=1400))
        chart.x_axis.scaling.orientation = "maxMin"  # first row on top, as in the table
        chart.y_axis.number_format = "0"
        chart.y_axis.crosses = "max"  # with the reversed categories, keeps the values under the bars
        chart.y_axis.delete = False
        chart.x_axis.delete = False
        values = Reference(ws, min_col=sheet.chart.value_column, min_row=header, max_row=last_row)
        labels = Reference(ws, min_col=sheet.chart.label_column, min_row=header + 1, max_row=last_row)
        chart.add_data(values, titles_from_data=True)
        chart.set_categories(labels)
        chart.height = max(7.5, 0.6 * len(sheet.rows) + 2)
        chart.width = 16
        ws.add_chart(chart, f"{get_column_letter(len(sheet.columns) + 2)}{header}")


def build_workbook(sheets: list[Sheet], title: str = "") -> bytes:
    """An .xlsx file of the sheets, in order."""
    workbook = Workbook()
    workbook.properties.title = xml_text(title)
    workbook.properties.creator = "Cartel"
    for k, sheet in enumerate(sheets):
        ws = workbook.active if k == 0 else workbook.create_sheet()
        _write_sheet(ws, sheet)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def safe_csv_text(value: str) -> str:
    """Text a spreadsheet would take for a formula gets a leading apostrophe (OWASP's advice)."""
    return "'" + value if value.startswith(FORMULA_START) else value


def build_csv(
    columns: tuple[Column, ...],
    rows: tuple[tuple, ...],
    *,
    delimiter: str,
    decimal: str,
) -> bytes:
    """UTF-8 with a BOM (so that Excel recognises it) and CRLF line ends; numbers with ``decimal``.
    The header row is the first line: no title above it, which a program would take for the header."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([safe_csv_text(c.title) for c in columns])
    for values in rows:
        cells = []
        for value in values:
            value = cell_value(value)
            if value is None:
                cells.append("")
            elif isinstance(value, float):
                cells.append(f"{value:.2f}".rstrip("0").rstrip(".").replace(".", decimal))
            elif isinstance(value, int):
                cells.append(str(value))
            else:
                cells.append(safe_csv_text(str(value)))
        writer.writerow(cells)
    return ("\ufeff" + out.getvalue()).encode("utf-8")
