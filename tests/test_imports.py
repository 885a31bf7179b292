"""Bulk entry from a spreadsheet: template, checks with sheet/cell/reason, nothing half-saved,
one audited transaction, hostile files refused before parsing, round trip through a copy."""

from __future__ import annotations

import io
import random
import shutil
import subprocess
import zipfile

import openpyxl
import pytest
import sqlalchemy as sa

from cartel.extensions import db
from cartel.models import (
    AuditEntry,
    Edition,
    EditionStatus,
    Participation,
    PointsScheme,
    ProgrammeEntry,
)
from cartel.read.standings import build_standing, load_editions
from cartel.words.typography import french
from cartel.write import imports
from tests.helpers import INJECTION, POSTGRES_URL, login


@pytest.fixture
def organiser(edition, client, make_user):
    make_user("orga@example.org")
    login(client, "orga@example.org")
    return client


def template(client) -> openpyxl.Workbook:
    response = client.get("/saisie/import/template.xlsx")
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(response.get_data()))


def rows_by_code(ws) -> dict[str, int]:
    return {ws.cell(row=r, column=2).value: r for r in range(6, ws.max_row + 1) if ws.cell(row=r, column=2).value}


def upload(client, wb_or_bytes, name="results.xlsx"):
    if isinstance(wb_or_bytes, openpyxl.Workbook):
        out = io.BytesIO()
        wb_or_bytes.save(out)
        data = out.getvalue()
    else:
        data = wb_or_bytes
    response = client.post(
        "/saisie/import", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data"
    )
    response.request.environ["wsgi.input"].close()  # the test client spools a large body to a file
    return response


def state_of_db():
    db.session.expire_all()
    return (
        db.session.execute(
            sa.select(ProgrammeEntry.discipline_id, ProgrammeEntry.version, ProgrammeEntry.result_state).order_by(
                ProgrammeEntry.id
            )
        ).all(),
        db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)),
    )


def test_template_holds_the_programme_with_versions_lists_and_current_results(organiser):
    wb = template(organiser)
    ws = wb["Résultats"]
    assert [ws.cell(row=5, column=c).value for c in range(1, 9)] == [
        "Discipline",
        "Code",
        "Version",
        "État",
        "1",
        "2",
        "3",
        "4",
    ]
    codes = rows_by_code(ws)
    assert set(codes) == {"handball-men", "football-women", "swimming-open"}
    hb = codes["handball-men"]
    assert ws.cell(row=hb, column=3).value == 1 and ws.cell(row=hb, column=4).value == "définitif"
    assert ws.cell(row=hb, column=5).value == "IMT Mines Alès / IMT Mines Albi / Mines Nancy"
    assert ws.cell(row=hb, column=8).value == INJECTION and ws.cell(row=hb, column=8).data_type == "s"
    assert ws.column_dimensions["B"].hidden and ws.column_dimensions["C"].hidden
    lists = [dv for dv in ws.data_validations.dataValidation]
    assert any(dv.formula1.startswith("'Écoles'!$A$1:$A$4") for dv in lists)
    assert any(dv.formula1 == '"provisoire,définitif"' for dv in lists)
    assert wb["Écoles"].sheet_state == "hidden"


def test_preview_then_apply_in_one_audited_transaction(organiser):
    wb = template(organiser)
    ws = wb["Résultats"]
    swim = rows_by_code(ws)["swimming-open"]
    ws.cell(row=swim, column=4, value="provisoire")
    ws.cell(row=swim, column=5, value="Mines Nancy")
    ws.cell(row=swim, column=6, value="ales + albi")  # short names and codes work too, joint team
    before = state_of_db()
    public = organiser.application.test_client().get("/editions/2026").headers["ETag"]
    response = upload(organiser, wb)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert (
        "1 discipline va changer" in page and "1. Mines Nancy" in page and "2. IMT Mines Alès + IMT Mines Albi" in page
    )
    assert state_of_db() == before  # a preview writes nothing
    token = page.split('name="changes" type="hidden" value="')[1].split('"')[0]
    response = organiser.post("/saisie/import/apply", data={"changes": token})
    assert response.status_code == 303
    assert organiser.application.test_client().get("/editions/2026").headers["ETag"] != public  # the public sees it
    audit = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert audit.action == "result.import" and audit.after["places"] == [[1, ["nancy"]], [2, ["ales", "albi"]]]
    assert organiser.post("/saisie/import/apply", data={"changes": token}).status_code == 303  # replayed: refused
    assert state_of_db()[1] == before[1] + 1
    assert organiser.post("/saisie/import/apply", data={"changes": token[:-3] + "xyz"}).status_code == 400


@pytest.mark.parametrize(
    "edit, cell, message",
    [
        (
            lambda ws, r: ws.cell(row=r["swimming-open"], column=5, value="Nobody School"),
            "E{swimming-open}",
            "École inconnue « Nobody School ».",
        ),
        (
            lambda ws, r: (
                ws.cell(row=r["swimming-open"], column=5, value="Mines Nancy"),
                ws.cell(row=r["swimming-open"], column=6, value="Mines Nancy"),
            ),
            "F{swimming-open}",
            "Mines Nancy est déjà placé (place 1).",
        ),
        (
            lambda ws, r: ws.cell(row=r["handball-men"], column=6, value="IMT Mines Alès"),
            "F{handball-men}",
            "La place 2 est couverte par un ex aequo au-dessus.",
        ),
        (
            lambda ws, r: (
                ws.cell(row=r["swimming-open"], column=4, value="définitif"),
                ws.cell(row=r["swimming-open"], column=6, value="Mines Nancy"),
            ),
            "E{swimming-open}",
            "Cette place est vide alors qu'une place suivante est remplie.",
        ),
        (
            lambda ws, r: (
                ws.cell(row=r["swimming-open"], column=4, value="définitif"),
                ws.cell(row=r["swimming-open"], column=5, value="Mines Nancy / IMT Mines Albi"),
                ws.cell(row=r["swimming-open"], column=7, value="IMT Mines Albi"),
            ),
            "G{swimming-open}",
            "IMT Mines Albi est déjà placé (place 1).",  # where it already is: its place, shared in a tie
        ),
        (
            lambda ws, r: (
                ws.cell(row=r["swimming-open"], column=4, value="définitif"),
                ws.cell(row=r["swimming-open"], column=5, value="Mines Nancy"),
                ws.cell(row=r["swimming-open"], column=8, value="IMT Mines Albi"),
            ),
            "G{swimming-open}",  # and F: every empty place above a filled one
            "Cette place est vide alors qu'une place suivante est remplie.",
        ),
        (
            lambda ws, r: ws.cell(row=r["swimming-open"], column=4, value="définitif"),
            "E{swimming-open}",
            "Choisissez au moins le vainqueur.",
        ),
        (
            lambda ws, r: ws.cell(row=r["swimming-open"], column=2, value="chess-open"),
            "B{swimming-open}",
            "« chess-open » n'est pas une discipline du programme de cette édition.",
        ),
        (
            lambda ws, r: ws.cell(row=r["handball-men"], column=3, value=0),
            "A{handball-men}",
            "Ce résultat a été modifié par quelqu'un d'autre depuis le téléchargement du modèle : téléchargez-le à nouveau.",  # noqa: E501
        ),
        (
            lambda ws, r: (
                ws.cell(row=r["swimming-open"], column=5, value="Mines Nancy"),
                ws.cell(row=r["swimming-open"], column=4, value="bientôt"),
            ),
            "D{swimming-open}",
            "« bientôt » n'est pas un état : écrivez provisoire ou définitif.",  # the wrong value quoted back
        ),
        (
            lambda ws, r: ws.cell(row=r["handball-men"], column=3, value="²"),
            "C{handball-men}",
            "La version manque : téléchargez à nouveau le modèle.",
        ),
    ],
)
def test_every_problem_is_reported_with_its_cell_and_nothing_changes(organiser, edit, cell, message):
    wb = template(organiser)
    ws = wb["Résultats"]
    rows = rows_by_code(ws)
    # a valid change elsewhere must not be applied either (ws.cell(..., value=None) would leave a cell as it is)
    ws.cell(row=rows["football-women"], column=5, value="IMT Mines Alès")
    ws.cell(row=rows["football-women"], column=6).value = None
    edit(ws, rows)
    before = state_of_db()
    response = upload(organiser, wb)
    assert response.status_code == 422
    page = " ".join(response.get_data(as_text=True).split())
    expected_cell = cell.format(**rows)
    discipline = "Handball masculin" if "{handball-men}" in cell else "Swimming"  # the row's, named
    said = (
        f"<td>Résultats</td><td>{expected_cell}</td><td>{discipline}</td><td>{message.replace(chr(39), '&#39;')}</td>"
    )
    assert said in page, page[-3000:]
    assert "rien n'a été importé" in page.replace("&#39;", "'")
    assert state_of_db() == before


def test_a_school_not_taking_part_is_said_as_on_the_entry_form(organiser, make_school):
    make_school("eurecom", "EURECOM")
    db.session.commit()
    wb = template(organiser)
    ws = wb["Résultats"]
    swim = rows_by_code(ws)["swimming-open"]
    ws.cell(row=swim, column=4, value="définitif")
    ws.cell(row=swim, column=5, value="eurecom")
    ws.cell(row=swim, column=6, value="Mines Nancy")
    before = state_of_db()
    response = upload(organiser, wb)
    assert response.status_code == 422
    page = " ".join(response.get_data(as_text=True).split())
    assert (
        f"<td>Résultats</td><td>E{swim}</td><td>Swimming</td><td>eurecom ne participe pas à cette édition.</td>" in page
    )
    assert page.count("<tr><td>Résultats</td>") == 1  # its place is not also said to be empty
    assert state_of_db() == before


def test_a_csv_as_excel_writes_it(organiser):
    for bom, sep in [(b"\xef\xbb\xbf", ";"), (b"", ",")]:
        lines = [
            sep.join(["Discipline", "Code", "Version", "État", "1", "2", "3", "4"]),
            sep.join(["Natation", "swimming-open", "0", "définitif", "Mines Nancy", "IMT Mines Albi", "", ""]),
        ]
        response = upload(organiser, bom + "\r\n".join(lines).encode("utf-8"), "results.csv")
        assert response.status_code == 200, response.get_data(as_text=True)[-2000:]
        assert "1. Mines Nancy" in response.get_data(as_text=True)


def zip_with(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


BLOCK = random.Random(7).randbytes(20 * 1024)  # repeated within deflate's window: compresses ~50 times


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("big.xlsx", b"PK\x03\x04" + b"0" * (5 * 1024 * 1024), "Le fichier dépasse 5 Mo."),  # 413
        (
            "old.xls",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"0" * 100,
            "Le classeur est chiffré ou au vieux format .xls",
        ),
        ("macros.xlsm", zip_with({"[Content_Types].xml": b"<Types/>"}), "Les classeurs avec macros sont refusés"),
        (
            "hidden-macros.xlsx",
            zip_with(
                {"[Content_Types].xml": b"<Types/>", "xl/worksheets/sheet1.xml": b"<x/>", "xl/vbaProject.bin": b"\0"}
            ),
            "Les classeurs avec macros sont refusés",
        ),
        (
            "bomb.xlsx",
            zip_with({"[Content_Types].xml": b"<Types/>", "xl/worksheets/sheet1.xml": b"\0" * (60 * 1024 * 1024)}),
            "Le classeur est anormalement gros une fois décompressé",
        ),
        (
            "parts.xlsx",
            zip_with(
                {"[Content_Types].xml": b"<Types/>", **{f"xl/worksheets/sheet{k}.xml": BLOCK * 50 for k in range(55)}}
            ),
            "Le classeur est anormalement gros une fois décompressé",
        ),  # 55 MB, each part compressed ~50 times only
        ("junk.xlsx", b"PK\x03\x04 not really", "Le fichier n'est pas un classeur .xlsx lisible."),
        ("notes.txt", b"hello", "Le fichier est un « .txt » : envoyez le modèle en .xlsx"),
        ("latin1.csv", "Discipline;Code;Version\nNatation;swimming-open;0;é".encode("latin-1"), "n'est pas en UTF-8"),
    ],
)
def test_hostile_or_wrong_files_are_refused_before_parsing(organiser, name, data, message):
    before = state_of_db()
    response = upload(organiser, data, name)
    assert response.status_code == (413 if name == "big.xlsx" else 422)
    assert french(message) in response.get_data(as_text=True).replace("&#39;", "'")
    assert state_of_db() == before


def test_only_organisers_import(edition, client, make_user):
    assert client.get("/saisie/import").status_code == 302  # to the login page
    from cartel.models import Discipline

    handball = db.session.scalar(sa.select(Discipline).filter_by(slug="handball-men"))
    make_user("limited@example.org", disciplines=[handball])
    login(client, "limited@example.org")
    wb = template(client)
    ws = wb["Résultats"]
    ws.cell(row=rows_by_code(ws)["swimming-open"], column=5, value="Mines Nancy")
    response = upload(client, wb)
    assert response.status_code == 422
    assert "Votre compte ne peut pas saisir cette discipline." in response.get_data(as_text=True)


def copy_of(edition: Edition, year: int) -> Edition:
    """An empty copy of an edition: same schools, programme and scheme, no result."""
    copy = Edition(year=year, number=None, status=EditionStatus.LIVE)
    copy.participations = [Participation(school_id=p.school_id) for p in edition.participations]
    copy.programme = [
        ProgrammeEntry(discipline_id=e.discipline_id, weight=e.weight, version=0) for e in edition.programme
    ]
    copy.scheme = PointsScheme(
        place_points=list(edition.scheme.place_points),
        tie_rule=edition.scheme.tie_rule,
        tie_breaks=list(edition.scheme.tie_breaks),
    )
    db.session.add(copy)
    db.session.commit()
    return copy


def placement_ranking(year: int):
    editions, schools = load_editions(Edition.year == year)
    standing = build_standing(editions[0], schools)
    return sorted((r.school.slug, r.points - r.adjustment_points, r.medals) for r in standing.rows)


def test_round_trip_through_an_empty_copy_gives_the_same_ranking(edition, runner, tmp_path):
    original = db.session.scalar(sa.select(Edition).filter_by(year=2026))
    copy = copy_of(original, 2027)
    with edition.test_request_context():
        filled = openpyxl.load_workbook(io.BytesIO(imports.template_workbook(original, None)))
        empty = openpyxl.load_workbook(io.BytesIO(imports.template_workbook(copy, None)))
    source, target = filled["Résultats"], empty["Résultats"]
    source_rows, target_rows = rows_by_code(source), rows_by_code(target)
    for code, r in source_rows.items():
        for column in range(4, source.max_column + 1):  # state and places, not the versions
            copied = target.cell(row=target_rows[code], column=column, value=source.cell(row=r, column=column).value)
            copied.data_type = source.cell(row=r, column=column).data_type  # text stays text, as in a spreadsheet
    path = tmp_path / "copy.xlsx"
    empty.save(path)
    result = runner.invoke(args=["import", "results", "2027", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "nothing written" in result.output and placement_ranking(2027) != placement_ranking(2026)
    result = runner.invoke(args=["import", "results", "2027", str(path)])
    assert result.exit_code == 0, result.output
    assert placement_ranking(2027) == placement_ranking(2026)
    again = runner.invoke(args=["import", "results", "2027", str(path)])
    assert again.exit_code != 0 and "modifié par quelqu'un d'autre" in again.output  # stale versions


@pytest.mark.skipif(POSTGRES_URL is not None, reason="the file format does not depend on the database")
def test_a_template_saved_by_libreoffice_imports(organiser, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is missing: make test installs Debian's libreoffice-calc-nogui"
    wb = template(organiser)
    ws = wb["Résultats"]
    swim = rows_by_code(ws)["swimming-open"]
    ws.cell(row=swim, column=4, value="définitif")
    ws.cell(row=swim, column=5, value="IMT Mines Albi")
    (tmp_path / "in").mkdir()
    wb.save(tmp_path / "in" / "template.xlsx")
    subprocess.run(
        [
            soffice,
            "--headless",
            "--norestore",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--convert-to",
            "xlsx:Calc MS Excel 2007 XML",
            "--outdir",
            str(tmp_path / "out"),
            str(tmp_path / "in" / "template.xlsx"),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    saved = (tmp_path / "out" / "template.xlsx").read_bytes()
    response = upload(organiser, saved)
    assert response.status_code == 200, response.get_data(as_text=True)[-2000:]
    assert "1. IMT Mines Albi" in response.get_data(as_text=True)


def test_a_request_too_large_is_stopped_before_it_is_read(organiser):
    response = upload(organiser, b"PK\x03\x04" + b"0" * (6 * 1024 * 1024))
    assert response.status_code == 413
    assert "fichiers jusqu'à 5 Mo" in response.get_data(as_text=True).replace("&#39;", "'")
