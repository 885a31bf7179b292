"""Characters that XML 1.0 forbids, typed once in a name or a reason, never break a workbook: every
workbook (edition, history, import template) leaves them out, for every visitor."""

from __future__ import annotations

import io

import openpyxl
import pytest
import sqlalchemy as sa

from cartel.extensions import db
from cartel.files.excel import Column, Sheet, build_workbook, xml_text
from cartel.models import PointAdjustment, School
from tests.helpers import login

CONTROL = "\x01"  # one of the characters openpyxl refuses (IllegalCharacterError)


def cells(data: bytes) -> list[str]:
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    return [str(c.value) for ws in workbook.worksheets for row in ws.iter_rows() for c in row if c.value is not None]


def download(client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return cells(response.get_data())


def rename(slug: str, name: str) -> None:
    db.session.scalar(sa.select(School).filter_by(slug=slug)).name = name
    db.session.commit()


def test_a_control_character_in_a_penalty_reason_or_a_school_name_leaves_the_edition_workbook_whole(edition, client):
    db.session.scalar(sa.select(PointAdjustment)).reason = f"late{CONTROL}"
    rename("nancy", f"Mines{CONTROL}\x1fNancy")
    texts = download(client, "/editions/2026/export.xlsx")
    assert "late" in texts and "MinesNancy" in texts
    assert not any(CONTROL in t for t in texts)
    assert client.get("/editions/2026/ranking.csv").status_code == 200


def test_a_control_character_in_a_school_name_leaves_the_history_workbook_whole(seeded, client):
    rename("imt-mines-ales", f"IMT Mines{CONTROL} Alès")
    texts = download(client, "/records/export.xlsx")
    assert "IMT Mines Alès" in texts and not any(CONTROL in t for t in texts)
    assert "IMT Mines Alès" in download(client, "/editions/2023/export.xlsx")


def test_a_control_character_in_a_school_name_leaves_the_import_template_whole(edition, client, make_user):
    rename("albi", f"IMT Mines{CONTROL} Albi\x0b")
    make_user("orga@example.org")
    login(client, "orga@example.org")
    texts = download(client, "/saisie/import/template.xlsx")
    assert "IMT Mines Albi" in texts  # in the hidden list of schools
    assert any("IMT Mines Albi" in t for t in texts if "/" in t)  # and in the shared first place of handball


@pytest.mark.parametrize(
    "text, clean",
    [
        ("late\x01", "late"),
        ("a\x00b\x08c\x0b\x0c\x0e\x1fd", "abcd"),
        ("tab\tline\nreturn\r", "tab\tline\nreturn\r"),  # allowed by XML
        ("lone \ud800 surrogate", "lone  surrogate"),
        ("not characters \ufffe\uffff", "not characters "),
        ("Émile 🏅 \x7f\x85", "Émile 🏅 \x7f\x85"),  # allowed (discouraged, not forbidden)
    ],
)
def test_xml_text_leaves_out_what_xml_forbids(text, clean):
    assert xml_text(text) == clean


def test_every_text_of_a_workbook_is_cleaned(app):
    with app.test_request_context():
        data = build_workbook(
            [
                Sheet(
                    f"Sheet{CONTROL}",
                    (Column(f"Title{CONTROL}"),),
                    ((f"=x{CONTROL}",), ("\ud800ok",)),
                    (f"T{CONTROL}",),
                )
            ],
            f"Book{CONTROL}",
        )
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    ws = workbook["Sheet"]
    assert workbook.properties.title == "Book"
    assert [c.value for row in ws.iter_rows() for c in row if c.value] == ["T", "Title", "=x", "ok"]
    assert ws["A4"].data_type == "s"  # still text, never a formula
