"""Hostile and broken upload files, made in memory: what tests/test_uploads.py refuses and what
bench/uploads.py times on a real server. Each maker returns the bytes of a file under 5 MB.

The workbooks are built part by part (a zip of XML written here), not through openpyxl, so that
they can say what a real spreadsheet program never would: a sheet declaring 1,048,576 rows, a
row at the bottom of the sheet, a zip whose directory lies about a part's size...
"""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Iterable
from xml.sax.saxutils import escape

from openpyxl.utils import get_column_letter

from cartel.files.limits import MAX_CELLS, MAX_PART_ELEMENTS, MAX_SHARED_STRINGS

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
HEADER = ("Discipline", "Code", "Version", "État", "1", "2", "3", "4")
FIVE_MB = 5 * 1024 * 1024
NORMAL = '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'


def cell(ref: str, value: object) -> str:
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def row(number: int, values: Iterable[object]) -> str:
    cells = "".join(cell(f"{get_column_letter(c)}{number}", v) for c, v in enumerate(values, start=1) if v != "")
    return f'<row r="{number}">{cells}</row>'


def sheet_xml(rows: Iterable[str], dimension: str = "", head: str = "") -> bytes:
    """A worksheet part; ``dimension`` as the file declares it ("A1:XFD1048576"), whatever it holds."""
    declared = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{head}'
        f'<worksheet xmlns="{MAIN}">{declared}<sheetData>{"".join(rows)}</sheetData></worksheet>'
    ).encode()


def workbook(
    sheet: bytes,
    *,
    shared_strings: bytes | None = None,
    styles: bytes | None = None,
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    """An .xlsx package of one visible sheet "Résultats" (and the optional parts given)."""
    overrides = [("/xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml")]
    overrides.append(("/xl/worksheets/sheet1.xml", SHEET_TYPE))
    relations = [("rId1", f"{REL}/worksheet", "worksheets/sheet1.xml")]
    parts = {"xl/worksheets/sheet1.xml": sheet}
    if shared_strings is not None:
        overrides.append(
            ("/xl/sharedStrings.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml")
        )
        relations.append(("rId2", f"{REL}/sharedStrings", "sharedStrings.xml"))
        parts["xl/sharedStrings.xml"] = shared_strings
    if styles is not None:
        overrides.append(("/xl/styles.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"))
        relations.append(("rId3", f"{REL}/styles", "styles.xml"))
        parts["xl/styles.xml"] = styles
    types = "".join(f'<Override PartName="{name}" ContentType="{kind}"/>' for name, kind in overrides)
    rels = "".join(f'<Relationship Id="{i}" Type="{t}" Target="{target}"/>' for i, t, target in relations)
    members = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            f'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>{types}</Types>'
        ).encode(),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PACKAGE_REL}"><Relationship Id="rId1" '
            f'Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ).encode(),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
            '<sheet name="Résultats" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ).encode(),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PACKAGE_REL}">{rels}</Relationships>'
        ).encode(),
        **parts,
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def data_rows(count: int, first: int = 2) -> Iterable[str]:
    """Rows a results table could hold, each naming a discipline that does not exist (cells written
    without their reference, as a spreadsheet program may: each is the next column)."""
    for n in range(first, first + count):
        yield (
            f'<row r="{n}"><c t="inlineStr"><is><t>Sport {n}</t></is></c><c t="inlineStr"><is><t>nope-{n}</t></is>'
            '</c><c><v>0</v></c><c t="inlineStr"><is><t>final</t></is></c><c t="inlineStr"><is><t>Mines Nancy</t>'
            "</is></c></row>"
        )


# --- the files ------------------------------------------------------------------------------------


def declared_huge() -> bytes:
    """A few rows, but a <dimension> of the whole sheet: 1,048,576 rows by 16,384 columns."""
    return workbook(sheet_xml([row(1, HEADER), *data_rows(3)], dimension="A1:XFD1048576"))


def last_row() -> bytes:
    """The header, then one cell on the sheet's very last row (1,048,576)."""
    return workbook(sheet_xml([row(1, HEADER), row(1_048_576, ["x"])], dimension="A1:H1048576"))


def many_rows(count: int = 262_000) -> bytes:
    """A results table of ``count`` rows (about 2 MB for 262,000): every row a problem to report."""
    return workbook(sheet_xml([row(1, HEADER), *data_rows(count)]))


def wide_row(cells: int = 400_000) -> bytes:
    """One row of ``cells`` numbers (no reference: each is the next column): 400,000 unpack to 7.5 MB."""
    return workbook(
        sheet_xml([row(1, HEADER), "<row>" + "".join(f"<c><v>{n}</v></c>" for n in range(cells)) + "</row>"])
    )


def empty_rows(count: int = 200_000) -> bytes:
    """The header, then ``count`` empty rows."""
    return workbook(sheet_xml([row(1, HEADER), "<row/>" * count]))


def zip_bomb(chunks: int = 64) -> bytes:
    """A sheet part of ``chunks`` times 16 MB of spaces, honestly declared (64: 1 GiB deflated into 1 MB)."""
    out = io.BytesIO()
    base = zipfile.ZipFile(io.BytesIO(workbook(sheet_xml([row(1, HEADER)]))))
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in base.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                archive.writestr(info.filename, base.read(info.filename))
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            chunk = b" " * (16 * 1024 * 1024)
            for _ in range(chunks):
                part.write(chunk)
    return out.getvalue()


def lying_sizes(megabytes: int = 200) -> bytes:
    """A sheet part that unpacks to ``megabytes`` MB while the zip says 2 KB (its CRC is the real data's)."""
    big = sheet_xml([row(1, HEADER), " " * (megabytes * 1024 * 1024) + row(2, ["x"])])
    return _patch_size(workbook(big), b"xl/worksheets/sheet1.xml", 2048)


def _patch_size(data: bytes, name: bytes, size: int) -> bytes:
    """``data`` with the unpacked size of the part ``name`` replaced by ``size``, in its local header
    and in the central directory."""
    patched = bytearray(data)
    for signature, name_length_at, size_at, name_at in ((b"PK\x03\x04", 26, 22, 30), (b"PK\x01\x02", 28, 24, 46)):
        at = patched.find(signature)
        while at != -1:
            length = struct.unpack_from("<H", patched, at + name_length_at)[0]
            if patched[at + name_at : at + name_at + length] == name:
                struct.pack_into("<I", patched, at + size_at, size)
            at = patched.find(signature, at + 4)
    return bytes(patched)


def shared_strings_bomb(count: int = 1_800_000) -> bytes:
    """A shared strings table of ``count`` texts (1,800,000: 36 MB unpacked, under 5 MB packed)."""
    strings = "".join(f"<si><t>{n}</t></si>" for n in range(count))
    table = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}" count="{count}" uniqueCount="{count}">'
    return workbook(sheet_xml([row(1, HEADER)]), shared_strings=(table + strings + "</sst>").encode())


def styles_bomb(count: int = 100_000) -> bytes:
    """A style sheet of ``count`` cell formats (a "style bloat" file; 100,000: 6 MB unpacked)."""
    xfs = "".join(f'<xf numFmtId="{n % 50}" fontId="0" fillId="0" borderId="0" xfId="0"/>' for n in range(count))
    styles = (
        f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{MAIN}"><fonts count="1"><font/></fonts>'
        '<fills count="1"><fill><patternFill/></fill></fills><borders count="1"><border/></borders>'
        f'<cellStyleXfs count="1"><xf/></cellStyleXfs><cellXfs count="{count}">{xfs}</cellXfs>{NORMAL}</styleSheet>'
    ).encode()
    return workbook(sheet_xml([row(1, HEADER)]), styles=styles)


def entity_bomb() -> bytes:
    """A sheet whose XML declares entities that expand a billion times (billion laughs)."""
    entities = '<!ENTITY a0 "laugh">' + "".join(f'<!ENTITY a{k} "{f"&a{k - 1};" * 10}">' for k in range(1, 10))
    laughs = '<row r="2"><c r="A2" t="inlineStr"><is><t>&a9;</t></is></c></row>'
    return workbook(sheet_xml([row(1, HEADER), laughs], head=f"<!DOCTYPE worksheet [{entities}]>"))


def truncated_sheet() -> bytes:
    """A valid zip whose sheet XML stops in the middle of a row."""
    whole = sheet_xml([row(1, HEADER), *data_rows(40)])
    return workbook(whole[: len(whole) // 2])


def workbook_named(name: str) -> tuple[str, bytes]:
    """A real results workbook under another name (.ods: a workbook is not an OpenDocument file)."""
    return name, workbook(sheet_xml([row(1, HEADER), *data_rows(2)]))


def newline_csv() -> bytes:
    """Nothing but line ends, just under 5 MB: 5 million empty rows."""
    return b"\n" * (FIVE_MB - 1024)


def semicolon_csv() -> bytes:
    """One line of 5 million empty fields."""
    return b";" * (FIVE_MB - 1024)


def long_field_csv(length: int = 200_000) -> bytes:
    """A header, then a row whose school cell holds ``length`` characters (over csv's 131,072 limit)."""
    return ("Discipline;Code;Version;État;1\nNatation;swimming-open;0;définitif;" + "x" * length + "\n").encode()


def many_rows_csv(count: int = 80_000) -> bytes:
    """A header and ``count`` rows naming disciplines that do not exist (80,000: about 4.9 MB)."""
    lines = ["Discipline;Code;Version;État;1;2"]
    lines += [f"Sport {n};nope-{n};0;définitif;Mines Nancy;IMT Mines Albi" for n in range(count)]
    return "\n".join(lines).encode()


# --- the worst files within every bound: read to the end ------------------------------------------

GRID_ROWS = (MAX_CELLS - len(HEADER)) // 60  # full rows of 60 cells under the cell bound, with the header


def grid_at_limits(text: int = 340) -> bytes:
    """The header and GRID_ROWS rows of 60 inline texts of ``text`` characters: just under the cell
    bound, and (340 characters) just under the 8 MB of a part; every row a problem to report."""
    filler = "x" * (text - 12)
    body = (
        f'<row r="{r}">'
        + "".join(f'<c t="inlineStr"><is><t>{r:05}-{c:02}-{filler}</t></is></c>' for c in range(60))
        + "</row>"
        for r in range(2, GRID_ROWS + 2)
    )
    return workbook(sheet_xml([row(1, HEADER), *body]))


def strings_at_limits(text: int = 300) -> bytes:
    """Every bound nearly reached at once: shared texts of ``text`` characters just under their bound,
    cell formats just under the bound of a part, and GRID_ROWS rows of 60 cells pointing at the texts."""
    strings, styles = MAX_SHARED_STRINGS - 10, MAX_PART_ELEMENTS - 100
    shared = "".join(f"<si><t>{n:06}{'y' * (text - 6)}</t></si>" for n in range(strings))
    table = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}">{shared}</sst>'
    xfs = "".join(f'<xf numFmtId="{n % 50}" fontId="0" fillId="0" borderId="0" xfId="0"/>' for n in range(styles))
    style_sheet = (
        f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{MAIN}"><fonts count="1"><font/></fonts>'
        '<fills count="1"><fill><patternFill/></fill></fills><borders count="1"><border/></borders>'
        f'<cellStyleXfs count="1"><xf/></cellStyleXfs><cellXfs count="{styles}">{xfs}</cellXfs>{NORMAL}</styleSheet>'
    )
    header = "".join(f'<c t="inlineStr"><is><t>{escape(h)}</t></is></c>' for h in HEADER)
    body = (
        f'<row r="{r}">'
        + "".join(f'<c t="s" s="{c}"><v>{(r * 60 + c) % strings}</v></c>' for c in range(60))
        + "</row>"
        for r in range(2, GRID_ROWS + 2)
    )
    return workbook(
        sheet_xml([f'<row r="1">{header}</row>', *body]),
        shared_strings=table.encode(),
        styles=style_sheet.encode(),
    )
