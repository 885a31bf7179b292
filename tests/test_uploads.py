"""Uploads bounded before they are read: whatever a file declares, a sheet is read up to its row and
column limits, a zip is unpacked no further than its parts' bounds, XML parts are counted before
openpyxl builds anything, a CSV file is read line by line; every refusal is a 4xx page that says what
to send, nothing is saved, and at most 50 cell problems are listed. The files come from tests/hostile.py,
the ones bench/uploads.py times on a real server."""

from __future__ import annotations

import io
import itertools

import pytest
import sqlalchemy as sa

from cartel.extensions import db
from cartel.files import limits, upload
from cartel.files.limits import MAX_ROWS, Deadline, UploadRefused
from cartel.files.upload import read_upload
from cartel.models import AuditEntry, ProgrammeEntry
from tests import hostile


def post(client, data: bytes, name: str):
    response = client.post(
        "/saisie/import", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data"
    )
    response.request.environ["wsgi.input"].close()  # the test client spools a large body to a file
    return response


def stored():
    db.session.expire_all()
    return (
        db.session.execute(sa.select(ProgrammeEntry.version, ProgrammeEntry.result_state)).all(),
        db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)),
    )


def page_text(response) -> str:
    return " ".join(response.get_data(as_text=True).replace("&#39;", "'").replace("\u202f", " ").split())


@pytest.fixture
def rows_built(monkeypatch):
    """How many rows the reader made of the file's lines (every row it read, empty ones too)."""
    made = []

    class Counted(upload.UploadRow):
        def __init__(self, *args, **kwargs):
            made.append(1)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(upload, "UploadRow", Counted)
    return made


@pytest.fixture
def openpyxl_never_opens(monkeypatch):
    def refuse(*_args, **_kwargs):
        raise AssertionError("openpyxl opened a file that should have been refused before")

    monkeypatch.setattr(upload.openpyxl, "load_workbook", refuse)


def refusal(name: str, data: bytes) -> UploadRefused:
    with pytest.raises(UploadRefused) as caught:
        read_upload(name, data)
    return caught.value


# --- rows and columns, whatever the file declares ---------------------------------------------------


def test_a_sheet_declaring_the_whole_grid_is_read_up_to_its_last_row_only(rows_built):
    table = read_upload("declared.xlsx", hostile.declared_huge())
    assert [r.cells[1] for r in table.rows] == ["nope-2", "nope-3", "nope-4"]
    assert len(rows_built) == 4


def test_empty_rows_down_to_the_bottom_of_the_sheet_are_not_read(rows_built):
    sheet = hostile.sheet_xml(
        [hostile.row(1, hostile.HEADER), *hostile.data_rows(2), '<row r="1048576" ht="15" customHeight="1"/>'],
        dimension="A1:H1048576",
    )
    table = read_upload("empty-bottom.xlsx", hostile.workbook(sheet))
    assert len(table.rows) == 2
    assert len(rows_built) <= MAX_ROWS  # 1,048,576 before: 8 s and 700 MB


def test_a_value_on_the_last_row_of_the_sheet_refuses_the_file_before_openpyxl_opens_it(openpyxl_never_opens):
    refused = refusal("bottom.xlsx", hostile.last_row())
    assert refused.code == "too_many_rows" and refused.params["cell"] == "A1048576"


def test_the_row_limit_is_exact(rows_built):
    at_limit = hostile.workbook(hostile.sheet_xml([hostile.row(1, hostile.HEADER), *hostile.data_rows(MAX_ROWS - 1)]))
    assert len(read_upload("full.xlsx", at_limit).rows) == MAX_ROWS - 1
    over = hostile.workbook(hostile.sheet_xml([hostile.row(1, hostile.HEADER), *hostile.data_rows(MAX_ROWS)]))
    refused = refusal("over.xlsx", over)
    assert refused.code == "too_many_rows" and refused.params["cell"] == f"A{MAX_ROWS + 1}"


def test_a_value_right_of_the_column_limit_refuses_the_file(openpyxl_never_opens):
    sheet = hostile.sheet_xml([hostile.row(1, hostile.HEADER), hostile.row(2, [""] * 60 + ["stray"])])
    refused = refusal("wide.xlsx", hostile.workbook(sheet))
    assert refused.code == "too_wide" and refused.params["cell"] == "BI2"  # before: silently left out


def test_a_row_of_400_000_cells_is_refused_at_its_61st(openpyxl_never_opens):
    assert refusal("cells.xlsx", hostile.wide_row()).code == "too_wide"


def test_cells_are_counted_whatever_rows_and_columns_they_fill(openpyxl_never_opens):
    rows = limits.MAX_CELLS // 60 + 1
    grid = hostile.sheet_xml([hostile.row(r, range(60)) for r in range(1, rows + 1)])
    assert refusal("grid.xlsx", hostile.workbook(grid)).code == "too_many_cells"


def test_the_worst_files_within_every_bound_are_read_to_the_end():
    assert len(read_upload("grid.xlsx", hostile.grid_at_limits()).rows) == hostile.GRID_ROWS
    assert len(read_upload("strings.xlsx", hostile.strings_at_limits()).rows) == hostile.GRID_ROWS


def test_a_long_cell_is_refused_with_its_reference():
    sheet = hostile.sheet_xml([hostile.row(1, hostile.HEADER), hostile.row(2, ["Natation", "x" * 5000])])
    refused = refusal("long.xlsx", hostile.workbook(sheet))
    assert refused.code == "long_cell" and refused.params == {"sheet": "Résultats", "cell": "B2"}


# --- parts of the zip ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "maker, code",
    [
        (lambda: hostile.zip_bomb(chunks=1), "bomb"),  # 16 MB declared, over the 8 MB of a part
        (lambda: hostile.lying_sizes(megabytes=20), "damaged"),  # never unpacked past the 2 KB declared
        (lambda: hostile.shared_strings_bomb(limits.MAX_SHARED_STRINGS + 1), "bomb"),
        (lambda: hostile.styles_bomb(limits.MAX_PART_ELEMENTS), "bomb"),
        (hostile.empty_rows, "bomb"),
        (hostile.entity_bomb, "bomb"),
        (hostile.truncated_sheet, "damaged"),  # before: a 500 (ParseError while reading the rows)
    ],
)
def test_hostile_parts_are_refused_before_openpyxl_opens_the_file(openpyxl_never_opens, maker, code):
    data = maker()
    assert len(data) <= limits.MAX_BYTES
    assert refusal("hostile.xlsx", data).code == code


def test_a_part_is_never_unpacked_past_its_declared_size(monkeypatch):
    unpacked = []
    original = hostile.zipfile.ZipExtFile.read

    def read(self, n=-1):
        data = original(self, n)
        unpacked.append(len(data))
        return data

    monkeypatch.setattr(hostile.zipfile.ZipExtFile, "read", read)
    assert refusal("lying.xlsx", hostile.lying_sizes(megabytes=20)).code == "damaged"
    assert sum(unpacked) < 64 * 1024  # the 20 MB it holds stay packed


def test_reading_stops_when_the_time_is_up():
    ticks = itertools.count(step=10.0)  # each look at the clock: 10 s later
    with pytest.raises(UploadRefused) as caught:
        read_upload("slow.xlsx", hostile.many_rows(50), Deadline(5, clock=lambda: next(ticks)))
    assert caught.value.code == "too_slow"


# --- CSV ----------------------------------------------------------------------------------------------


def test_five_million_empty_lines_are_not_all_read(rows_built):
    assert refusal("blank.csv", hostile.newline_csv()).code == "no_header"
    assert len(rows_built) <= MAX_ROWS  # 5 million rows before: +850 MB


def test_a_csv_with_rows_past_the_limit_is_refused():
    refused = refusal("long.csv", hostile.many_rows_csv(MAX_ROWS))
    assert refused.code == "too_many_rows" and "cell" not in refused.params
    assert len(read_upload("fits.csv", hostile.many_rows_csv(MAX_ROWS - 1) + b"\r\n;;\r\n\r\n").rows) == MAX_ROWS - 1


@pytest.mark.parametrize(
    "data, code",
    [
        (hostile.long_field_csv(), "long_line"),  # over csv's 131,072 characters: a 500 before
        (hostile.long_field_csv(2000), "long_cell"),
        (hostile.semicolon_csv(), "too_many_cells"),
        (b"Discipline;Code;Version\n" + b"a\0b\n", "not_text"),
    ],
)
def test_hostile_csv_files_are_refused(data, code):
    assert refusal("hostile.csv", data).code == code


# --- names and contents together ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, data, code",
    [
        (*hostile.workbook_named("results.ods"), "type"),  # before: read as a workbook
        (*hostile.workbook_named("results.csv"), "csv_holds_workbook"),
        (*hostile.workbook_named("results"), "type"),
        ("results.xlsx", hostile.many_rows_csv(3), "xlsx_holds_text"),
        ("results.XLSX", b"\x89PNG\r\n\x1a\n" + bytes(100), "not_a_workbook"),
    ],
)
def test_a_file_is_judged_by_its_name_and_its_content_together(name, data, code):
    assert refusal(name, data).code == code


# --- the page -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, maker, message",
    [
        (
            "bottom.xlsx",
            hostile.last_row,
            "Le fichier contient une valeur en A1048576, sous les 1 000 premières lignes",
        ),
        ("rows.xlsx", lambda: hostile.many_rows(1200), "valeur en A1001, sous les 1 000 premières lignes lues"),
        ("cut.xlsx", hostile.truncated_sheet, "Le classeur est endommagé ou incomplet"),
        ("strings.xlsx", lambda: hostile.shared_strings_bomb(40_000), "anormalement gros une fois décompressé"),
        ("field.csv", hostile.long_field_csv, "La ligne 2 contient un champ bien trop long"),
        ("blank.csv", hostile.newline_csv, "Aucun tableau de résultats trouvé"),
        (
            "results.ods",
            lambda: hostile.workbook_named("x")[1],
            "Le fichier est un « .ods » : envoyez le modèle en .xlsx",
        ),
        ("results.csv", lambda: hostile.workbook_named("x")[1], "porte l'extension .csv mais contient un classeur"),
        (
            "wide.csv",
            lambda: b"Code;Version" + b";" * 70 + b"x\n",
            "Le fichier contient une valeur en BT1, à droite de la colonne BH",
        ),
    ],
)
def test_every_refusal_is_a_page_in_french_and_nothing_is_saved(organiser, name, maker, message):
    before = stored()
    response = post(organiser, maker(), name)
    assert response.status_code == 422
    assert message in page_text(response)
    assert len(response.get_data()) < 20_000
    assert stored() == before


def test_the_refusal_is_in_english_for_an_english_reader(organiser):
    organiser.set_cookie("cartel_lang", "en")
    response = post(organiser, hostile.last_row(), "bottom.xlsx")
    assert response.status_code == 422
    assert "The file holds a value in A1048576, below the first 1,000 rows that are read" in page_text(response)


def test_at_most_fifty_problems_are_listed_then_how_many_more(organiser):
    before = stored()
    response = post(organiser, hostile.many_rows(300), "problems.xlsx")
    assert response.status_code == 422
    page = page_text(response)
    assert "300 problèmes : rien n'a été importé." in page
    assert page.count("n'est pas une discipline du programme de cette édition") == 50
    assert "… et 250 autres problèmes." in page
    assert stored() == before
