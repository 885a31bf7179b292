"""Exports: workbooks and CSV read back cell by cell against the computed ranking; text never
becomes a formula; a real spreadsheet program (LibreOffice) opens what we write."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

from cartel.extensions import db
from cartel.models import Edition, EditionStatus
from cartel.read import published, revisions
from cartel.words.typography import french
from cartel.write.audit import Actor
from cartel.write.lifecycle import change_status
from tests.helpers import INJECTION, POSTGRES_URL

SYSTEM = Actor()


def view():
    return published.edition_view(*revisions.edition_revision(2026))


def workbook(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.headers["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return openpyxl.load_workbook(io.BytesIO(response.get_data())), response.get_data()


def table(ws, header_row=5):
    rows = list(ws.iter_rows(min_row=header_row, values_only=True))
    return rows[0], [r for r in rows[1:] if any(v is not None for v in r)]


def test_edition_workbook_holds_the_computed_ranking_cell_by_cell(edition, client):
    wb, _ = workbook(client, "/editions/2026/export.xlsx")
    assert wb.sheetnames == ["Classement", "Résultats", "Podiums", "Pénalités"]
    ws = wb["Classement"]
    assert ws["A1"].value == "Cartel 2026 (51e édition)" and ws["A1"].font.bold
    assert ws["A2"].value.startswith("Exporté le ") and ws["A2"].value.endswith("(heure de Paris)")
    assert ws["A3"].value == "Classement provisoire\u202f: 1 discipline sur 3 a un résultat définitif."
    header, rows = table(ws)
    assert header == ("Rang", "École", "Points", "1res places", "2es places", "3es places", "Ajustements")
    with client.application.test_request_context():
        expected = [
            (r.rank, r.school.name, r.points, *r.medals, r.adjustment_points or None) for r in view().standing.rows
        ]
    assert len(rows) == len(expected)
    for got, want in zip(rows, expected, strict=True):
        assert got[:2] == want[:2] and got[3:6] == want[3:6]
        assert got[2] == pytest.approx(float(want[2]), abs=0.005)  # numbers, not text
        assert (got[6] is None) == (want[6] is None)
    nancy = next(r for r in rows if r[1] == "Mines Nancy")
    assert nancy[2] == 11.67  # 20/3 (3-way tie, split) + 10/2 (joint team), rounded as the pages show it
    assert ws["C6"].number_format == "0.00"
    assert all(isinstance(ws.cell(row=r, column=3).value, (int, float)) for r in range(6, 6 + len(rows)))
    # formatted as by hand: bold header, frozen header, filter, printed landscape on one page wide
    assert all(ws.cell(row=5, column=c).font.bold for c in range(1, 8))
    assert ws.freeze_panes == "A6"
    assert ws.auto_filter.ref == f"A5:G{5 + len(rows)}"
    assert ws.print_title_rows == "$5:$5"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    assert ws.column_dimensions["B"].width >= len("IMT Mines Albi")
    [chart] = ws._charts
    assert chart.series[0].val.numRef.f == f"'Classement'!$C$6:$C${5 + len(rows)}"  # points per school
    assert chart.series[0].cat.numRef.f == f"'Classement'!$B$6:$B${5 + len(rows)}"


def test_results_podiums_and_penalties_sheets(edition, client):
    wb, _ = workbook(client, "/editions/2026/export.xlsx")
    header, rows = table(wb["Résultats"])
    assert header[:4] == ("Discipline", "État", "ales\u202f: place", "ales\u202f: points")
    by_discipline = {r[0]: r for r in rows}
    assert set(by_discipline) == {"Handball masculin", "Football féminin", "Swimming"}
    columns = {name: k for k, name in enumerate(header)}
    handball = by_discipline["Handball masculin"]
    for school in ("ales", "albi", "nancy"):
        assert handball[columns[f"{school}\u202f: place"]] == 1
        assert handball[columns[f"{school}\u202f: points"]] == pytest.approx(20 / 3, abs=0.005)
    football = by_discipline["Football féminin"]
    assert football[columns["nancy\u202f: points"]] == 5 and football[columns["ales\u202f: points"]] == 6
    assert by_discipline["Swimming"][columns["ales\u202f: place"]] is None
    points_cell = wb["Résultats"].cell(row=6, column=columns["ales\u202f: points"] + 1)
    assert points_cell.number_format == "General"  # shows 10 and 6.67, never "10."
    _, podiums = table(wb["Podiums"])
    assert ("Football féminin", "provisoire", f"Mines Nancy + {INJECTION}", "IMT Mines Alès", None, None) in podiums
    _, penalties = table(wb["Pénalités"])
    assert penalties[0][:3] == ("IMT Mines Albi", -1.5, "=cmd|' /C calc'!A0")


def test_text_that_looks_like_a_formula_stays_text(edition, client):
    wb, raw = workbook(client, "/editions/2026/export.xlsx")
    names = [c for row in wb["Classement"].iter_rows() for c in row if c.value == INJECTION]
    assert names and all(c.data_type == "s" for c in names)
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        sheets = [archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
    assert not any("<f>" in xml or "<f " in xml for xml in sheets)  # no formula anywhere
    body = client.get("/editions/2026/ranking.csv").get_data().decode("utf-8-sig")
    assert "'=HYPERLINK" in body and ";=HYPERLINK" not in body


def test_ranking_csv_opens_in_a_french_or_english_excel(edition, client):
    response = client.get("/editions/2026/ranking.csv")
    name = re.fullmatch(r'attachment; filename="(.*)"', response.headers["Content-Disposition"]).group(1)
    assert re.fullmatch(r"classement-2026-provisoire-\d{4}-\d\d-\d\d-\d{4}\.csv", name), name
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    header = rows[0]  # a program reading the file finds its columns on line 1
    assert header[:3] == ["Rang", "École", "Points"]
    nancy = next(r for r in rows[1:] if r[1] == "Mines Nancy")
    assert nancy[2] == "11,67"  # 35/3 with a decimal comma
    english = list(
        csv.reader(
            io.StringIO(client.get("/editions/2026/ranking.csv?lang=en").get_data().decode("utf-8-sig")), delimiter=","
        )
    )
    assert english[0][:3] == ["Rank", "School", "Points"]
    assert next(r for r in english[1:] if r[1] == "Mines Nancy")[2] == "11.67"
    with client.get("/editions/2026/ranking.csv?lang=en") as answer:
        assert re.search(r'filename="ranking-2026-provisional-[-\d]+\.csv"', answer.headers["Content-Disposition"])


def test_every_csv_file_has_its_header_row_on_line_1(seeded, client):
    """Read as a program would (csv.DictReader): the first line is the header, every row has its columns."""
    for year in (2023, 2022, 2027):  # two with a ranking (in part, for 2022), one planned (none yet)
        body = client.get(f"/editions/{year}/ranking.csv").get_data().decode("utf-8-sig")
        reader = csv.DictReader(io.StringIO(body), delimiter=";")
        rows = list(reader)
        assert reader.fieldnames[:3] == ["Rang", "École", "Points"], year
        assert all(None not in row and row["École"] for row in rows), year  # no row longer than the header
        assert bool(rows) == (year != 2027), year


def test_english_workbook(edition, client):
    client.set_cookie("cartel_lang", "en")
    wb, _ = workbook(client, "/editions/2026/export.xlsx")
    assert wb.sheetnames == ["Ranking", "Results", "Podiums", "Penalties"]
    assert wb["Ranking"]["A3"].value == "Provisional ranking: 1 of 3 disciplines has a final result."


def test_history_workbook(seeded, client):
    wb, _ = workbook(client, "/records/export.xlsx")
    assert wb.sheetnames == ["Palmarès", "Titres", "Records", "Résultats par école"]
    header, palmares = table(wb["Palmarès"], 4)
    assert header == ("Année", "N°", "Organisateur", "Vainqueur", "Points")
    assert (2023, 48, "IMT Mines Alès", "IMT Mines Alès", 325) in palmares
    assert (2020, None, None, "annulée", None) in palmares
    _, titles = table(wb["Titres"], 4)
    assert ("IMT Mines Alès", 32, "au moins") in titles
    assert len(wb["Titres"]._charts) == 1  # titles per school, as a chart too
    _, records = table(wb["Records"], 4)
    assert ("Record de points en une édition", 325, "IMT Mines Alès", "2023") in records
    _, results = table(wb["Résultats par école"], 4)
    assert ("IMT Mines Alès", 2023, "terminée", 1, 325, 9, 4, 7) in results


def test_the_history_workbook_says_which_edition_is_live(edition, client):
    wb, _ = workbook(client, "/records/export.xlsx")
    header, results = table(wb["Résultats par école"], 4)
    assert header[:4] == ("École", "Année", "Édition", "Rang")
    assert {r[2] for r in results if r[1] == 2026} == {"en cours"}  # its ranks are not final


def test_export_links_on_the_pages(seeded, client):
    assert b'href="/editions/2023/export.xlsx"' in client.get("/editions/2023").get_data()
    assert b'href="/editions/2023/ranking.csv"' in client.get("/editions/2023").get_data()
    assert b'href="/records/export.xlsx"' in client.get("/records").get_data()
    assert b'href="/records/export.xlsx"' in client.get("/schools/imt-mines-ales").get_data()
    assert client.get("/editions/1899/export.xlsx").status_code == 404


def test_export_commands(edition, runner, tmp_path):
    out = tmp_path / "edition.xlsx"
    result = runner.invoke(args=["export", "edition", "2026", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert openpyxl.load_workbook(out).sheetnames[0] == "Classement"
    result = runner.invoke(args=["export", "edition", "2026", "-o", str(tmp_path / "r.csv"), "--lang", "en"])
    assert result.exit_code == 0 and (tmp_path / "r.csv").read_bytes().startswith(b"\xef\xbb\xbfRank,School,Points")
    result = runner.invoke(args=["export", "history", "-o", str(tmp_path / "h.xlsx")])
    assert result.exit_code == 0 and openpyxl.load_workbook(tmp_path / "h.xlsx").sheetnames[0] == "Palmarès"
    result = runner.invoke(args=["export", "edition", "1899", "-o", str(out)])
    assert result.exit_code != 0 and "No edition in 1899." in result.output


@pytest.mark.skipif(POSTGRES_URL is not None, reason="the file format does not depend on the database")
def test_libreoffice_reads_the_ranking_back(edition, client, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is missing: make test installs Debian's libreoffice-calc-nogui"
    (tmp_path / "cartel.xlsx").write_bytes(client.get("/editions/2026/export.xlsx").get_data())
    subprocess.run(
        [
            soffice,
            "--headless",
            "--norestore",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):59,34,76,1",
            "--outdir",
            str(tmp_path),
            str(tmp_path / "cartel.xlsx"),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    rows = list(csv.reader((tmp_path / "cartel.csv").read_text(encoding="utf-8").splitlines(), delimiter=";"))
    assert rows[0][0] == "Cartel 2026 (51e édition)"
    assert rows[4][:3] == ["Rang", "École", "Points"]
    with client.application.test_request_context():
        expected = [(str(r.rank), r.school.name) for r in view().standing.rows]
    assert [tuple(r[:2]) for r in rows[5 : 5 + len(expected)]] == expected
    assert INJECTION in [r[1] for r in rows]  # shown as the text it is, not evaluated


def results_by_discipline(wb) -> tuple[dict[str, int], dict[str, tuple]]:
    header, rows = table(wb["Résultats"])
    return {name: k for k, name in enumerate(header)}, {r[0]: r for r in rows}


def test_a_closed_editions_workbook_keeps_each_disciplines_points(edition, client):
    """Closing freezes the ranking's totals; each discipline's points are those totals' parts, the same
    as while the edition was live."""
    live, _ = workbook(client, "/editions/2026/export.xlsx")
    live_rows = list(live["Résultats"].iter_rows(min_row=5, values_only=True))
    change_status(db.session.scalar(sa.select(Edition).filter_by(year=2026)), EditionStatus.FINISHED, SYSTEM)
    db.session.commit()
    assert view().standing.kind == "official"  # the frozen ranking
    closed, _ = workbook(client, "/editions/2026/export.xlsx")
    assert list(closed["Résultats"].iter_rows(min_row=5, values_only=True)) == live_rows
    columns, by_discipline = results_by_discipline(closed)
    handball = by_discipline["Handball masculin"]
    third = pytest.approx(20 / 3, abs=0.005)
    assert [handball[columns[f"{s}\u202f: points"]] for s in ("ales", "albi", "nancy")] == [third] * 3
    football = by_discipline["Football féminin"]
    assert (football[columns["nancy\u202f: points"]], football[columns["ales\u202f: points"]]) == (5, 6)
    assert closed["Résultats"].cell(row=6, column=columns["ales\u202f: points"] + 1).data_type == "n"


def test_points_per_discipline_that_do_not_give_the_official_totals_are_not_known(
    app, client, make_school, make_discipline, make_edition, place, official
):
    """An edition known by its published totals only: its placements and scheme do not add up to them (a
    place beyond the podium is missing, say), so no discipline's points are invented."""
    ales, albi = make_school("ales"), make_school("albi")
    hb = make_discipline("handball")
    edition = make_edition(2019, 44, schools=[ales, albi], disciplines=[hb], place_points=(10, 6, 4))
    place(edition, hb, 1, ales)
    place(edition, hb, 2, albi)
    official(edition, ales, 1, 10)
    published = official(edition, albi, 2, 7)  # 6 by the scheme: the sources counted something the placements miss
    db.session.commit()
    wb, _ = workbook(client, "/editions/2019/export.xlsx")
    columns, by_discipline = results_by_discipline(wb)
    handball = by_discipline["Handball"]
    assert (handball[columns["ales\u202f: place"]], handball[columns["albi\u202f: place"]]) == (1, 2)
    assert (handball[columns["ales\u202f: points"]], handball[columns["albi\u202f: points"]]) == (
        "non connu",
        "non connu",
    )
    notes = [c for row in wb["Résultats"].iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert (
        french(
            "Points par discipline non connus : les places enregistrées ne redonnent pas les totaux officiels de "
            "l'édition."
        )
        in notes
    )

    published.points = Decimal(6)  # now they do: 10 and 6
    edition.revision += 1  # as every write does: the pages computed before are out of date
    db.session.commit()
    wb, _ = workbook(client, "/editions/2019/export.xlsx")
    columns, by_discipline = results_by_discipline(wb)
    handball = by_discipline["Handball"]
    assert (handball[columns["ales\u202f: points"]], handball[columns["albi\u202f: points"]]) == (10, 6)


def test_a_historical_edition_with_a_partial_official_standing_has_no_invented_points(seeded, client):
    """2023: the sources give the winner's total only; its podiums are known, its points per discipline are not."""
    wb, _ = workbook(client, "/editions/2023/export.xlsx")
    columns, by_discipline = results_by_discipline(wb)
    point_columns = [k for name, k in columns.items() if name.endswith("\u202f: points")]
    place_columns = [k for name, k in columns.items() if name.endswith("\u202f: place")]
    assert any(row[k] is not None for row in by_discipline.values() for k in place_columns)  # places are known
    values = {row[k] for row in by_discipline.values() for k in point_columns}
    assert values <= {None, "non connu"} and "non connu" in values


def test_points_per_discipline_of_an_edition_without_a_scheme_are_not_known(
    app, client, make_school, make_discipline, make_edition, place
):
    ales = make_school("ales")
    hb = make_discipline("handball")
    edition = make_edition(2018, 43, schools=[ales], disciplines=[hb], place_points=None)
    place(edition, hb, 1, ales)
    db.session.commit()
    wb, _ = workbook(client, "/editions/2018/export.xlsx")
    columns, by_discipline = results_by_discipline(wb)
    assert by_discipline["Handball"][columns["ales\u202f: place"]] == 1
    assert by_discipline["Handball"][columns["ales\u202f: points"]] == "non connu"
    notes = [c for row in wb["Résultats"].iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert french("Points par discipline non connus : l'édition n'a pas de barème de points.") in notes


def smallest_text(pdf: Path) -> list[float]:
    """Per page of ``pdf``, the smallest size (pt) at which a piece of text is drawn, as printed."""
    from pypdf import PdfReader

    sizes = []
    for page in PdfReader(pdf).pages:
        seen: list[float] = []

        def visit(text, cm, tm, font, size, seen=seen):
            if text.strip():
                seen.append(abs(size * tm[3] * cm[3]))

        page.extract_text(visitor_text=visit)
        sizes.append(min(seen) if seen else float("inf"))
    return sizes


def printed(tmp_path: Path, xlsx: Path) -> Path:
    """``xlsx`` converted to PDF by LibreOffice, as a printer would get it."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is missing: make test installs Debian's libreoffice-calc-nogui"
    subprocess.run(
        [soffice, "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/profile"]
        + ["--convert-to", "pdf", "--outdir", str(tmp_path), str(xlsx)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return xlsx.with_suffix(".pdf")


def page_texts(pdf: Path) -> list[str]:
    from pypdf import PdfReader

    return [" ".join(page.extract_text().split()) for page in PdfReader(pdf).pages]


@pytest.mark.skipif(POSTGRES_URL is not None, reason="the file format does not depend on the database")
def test_every_sheet_prints_on_a4_with_readable_text(seeded, client, tmp_path):
    """The 26-column results sheet printed at about 3 pt: now every page of every workbook, converted to
    PDF by LibreOffice as a printer would get it, has its smallest text at 7 pt or more, and says at its
    foot which workbook, sheet and page it is. 1900 has 15 schools placed in 25 disciplines: its results
    sheet is 32 columns wide, printed across pages with the title block in each page's header."""
    from tests.synthetic import add_synthetic_history

    add_synthetic_history(editions=1, disciplines=25, schools=15)
    db.session.remove()
    workbooks = {"wide": "/editions/1900/export.xlsx", "edition": "/editions/2023/export.xlsx"}
    for name, path in (*workbooks.items(), ("history", "/records/export.xlsx")):
        (tmp_path / f"{name}.xlsx").write_bytes(client.get(path).get_data())
        pdf = printed(tmp_path, tmp_path / f"{name}.xlsx")
        sizes = smallest_text(pdf)
        assert sizes and min(sizes) >= 7, (name, len(sizes), sorted(sizes)[:5])
        workbook = openpyxl.load_workbook(tmp_path / f"{name}.xlsx")
        for ws in workbook:
            assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4) and ws.print_title_rows, (name, ws.title)
        texts = page_texts(pdf)
        sheets = [ws.title for ws in workbook]
        for number, text in enumerate(texts, start=1):
            footer = [sheet for sheet in sheets if f" {sheet} {number} / {len(texts)}" in text]
            assert footer, (name, number, text[:120])
    results = [t for t in page_texts(tmp_path / "wide.pdf") if " Résultats " in t]
    assert len(results) > 1  # printed across pages, each headed by the title block and the export time
    assert all("Exporté le" in t.split("Discipline")[0] for t in results), results


@pytest.mark.skipif(POSTGRES_URL is not None, reason="the file format does not depend on the database")
def test_a_long_text_wraps_in_its_cell_and_the_sheet_still_fits_the_page_width(tmp_path):
    """A badminton score in sets ("2–1 (21–13 21–10; …)") made the matches sheet too wide to fit: it
    printed over two pages across. The long column now wraps, its rows grow, and the sheet prints one
    page wide with every score whole."""
    from cartel.files.excel import Column, Sheet, build_workbook

    score = "2–1 (21–13 21–10; 21–11 21–13; 12–21 8–21)"
    titles = ("Discipline", "Match", "Domicile", "Extérieur", "Score", "État", "Jour", "Heure", "Lieu")
    rows = tuple(
        (
            "Volley-ball masculin",
            f"Barrage {k} (places 1 à 6)",
            "Équipe Corail",
            "Équipe Améthyste",
            score,
            "terminé",
            "",
            "",
            "",
        )
        for k in range(1, 13)
    )
    sheet = Sheet("Matchs", tuple(Column(t) for t in titles), rows, title_lines=("Cartel 2099",))
    (tmp_path / "matches.xlsx").write_bytes(build_workbook([sheet]))
    ws = openpyxl.load_workbook(tmp_path / "matches.xlsx")["Matchs"]
    assert ws.page_setup.fitToWidth == 1 and all(ws.cell(r, 5).alignment.wrap_text for r in range(4, 16))
    assert all(ws.row_dimensions[r].height == 30 for r in range(4, 16))  # grown to two lines, the text's
    pdf = printed(tmp_path, tmp_path / "matches.xlsx")
    [text] = page_texts(pdf)  # one page: 12 rows, every column
    assert text.count("Équipe Améthyste") == 12 and "Lieu" in text
    assert min(smallest_text(pdf)) >= 7
    assert text.replace(" ", "").count(score.replace(" ", "")) == 12  # no score cut at the cell's edge


@pytest.mark.skipif(POSTGRES_URL is not None, reason="the file format does not depend on the database")
def test_a_sheet_printed_across_pages_carries_its_title_and_notes_on_every_page(tmp_path):
    """On the pages across, column A is the only one repeated: a title or a note written there was cut
    at its edge ("Points par discipline nc"). The table alone is printed; the title block heads every
    page and the notes go to its foot, whole. A row is never taller than Excel allows (409 pt)."""
    from cartel.files.excel import Column, Sheet, build_workbook

    note = "Points par discipline non connus : l'édition n'a pas de barème de points (Ponts & Chaussées)."
    columns = (Column("Discipline"), *(Column(f"École {k} : place et points") for k in range(1, 13)))
    rows = tuple((f"Discipline {d}", *(f"{k}e" for k in range(1, 13))) for d in range(1, 6))
    rows += (("Natation", *["x" * 1600] * 12),)  # absurdly long: the row stops at Excel's maximum
    title = ("Cartel 1990 (37e édition)", "Exporté le 01/05/2026 12:00 (heure de Paris)")
    sheet = Sheet("Résultats", columns, rows, title_lines=title, notes=(note,))
    (tmp_path / "wide.xlsx").write_bytes(build_workbook([sheet]))
    ws = openpyxl.load_workbook(tmp_path / "wide.xlsx")["Résultats"]
    assert ws.print_area == "'Résultats'!$A$4:$M$10" and ws.print_title_cols == "$A:$A"
    assert max(d.height or 0 for d in ws.row_dimensions.values()) == 409
    texts = page_texts(printed(tmp_path, tmp_path / "wide.xlsx"))
    assert len(texts) > 1
    for text in texts:
        assert text.startswith("Cartel 1990 (37e édition) — Exporté le 01/05/2026 12:00"), text[:100]
        assert " ".join(french(note).split()) in text, text[-200:]
