"""The records as the pages, the API and the workbook show them, over a small history (the records
engine itself: tests/unit/test_records.py)."""

import pytest

from tests.helpers import check_api, text


@pytest.fixture
def small_history(app, make_school, make_discipline, make_edition, official):
    """Editions 1 and 2 finished (2 won jointly), 3 live with every school level, 4 planned.

    The schools are created in an order that is not their names' order, and one name starts with
    an accented capital: ranks they share must come out by name, not by id.
    """
    from cartel.extensions import db
    from cartel.models import EditionStatus

    ales, albi, ponts = (
        make_school("ales", "IMT Mines Alès"),
        make_school("albi", "IMT Mines Albi"),
        make_school("ponts", "École des Ponts"),
    )
    first = make_edition(2000, 1, host=ales, schools=[ales, albi])
    official(first, ales, 1, 100)
    official(first, albi, 2, 80)
    second = make_edition(2001, 2, host=ponts, schools=[ales, albi, ponts])
    official(second, ales, 1, 90)
    official(second, ponts, 1, 90)
    official(second, albi, 3, 70)
    make_edition(
        2002, 3, status=EditionStatus.LIVE, schools=[ales, albi, ponts], disciplines=[make_discipline("chess")]
    )
    make_edition(2003, 4, host=albi, status=EditionStatus.PLANNED, schools=[albi])
    db.session.commit()


def page_text(client, url):

    return text(client.get(url))


def test_records_page_names_every_co_holder_of_the_current_streak(small_history, client):
    page = page_text(client, "/records")
    current = page.split("En cours :")[1].split("Podium dans toutes")[0]
    assert current.strip() == "IMT Mines Alès : 2 d'affilée (2000–2001); École des Ponts : 1 d'affilée (2001–2001)"


def test_records_page_counts_exactly_from_edition_1(small_history, client):
    titles = page_text(client, "/records").split("Titres par école")[1].split("« Au moins »")[0]
    assert "IMT Mines Alès 2 École des Ponts 1" in titles
    assert "au moins" not in titles


def test_roll_of_honour_and_school_pages_show_live_and_planned_editions(small_history, client):
    roll = page_text(client, "/records").split("Palmarès")[-1]
    assert "2003 à venir IMT Mines Albi 2002 en cours — 2001 École des Ponts , IMT Mines Alès École des Ponts" in roll
    assert "non connu" not in roll
    albi = page_text(client, "/schools/albi")
    assert "2003 à venir — — — 2002 en cours 1 0 0/0/0 2001 3 70 —" in albi


def test_equal_ranks_are_listed_by_school_name(small_history, client):
    assert "1 École des Ponts 90 1 IMT Mines Alès 90" in page_text(client, "/editions/2001")
    # a live edition with no result yet: no ranking of zeros where every school shares the 1st rank
    assert "Aucun résultat pour l'instant" in page_text(client, "/editions/2002")


def test_api_and_workbook_name_every_co_holder_and_the_edition_states(small_history, client):
    import io

    import openpyxl

    answer = check_api(client, "/api/records")
    assert [(s["school"], s["length"], s["at_least"]) for s in answer["current_streaks"]] == [
        ("ales", 2, False),
        ("ponts", 1, False),
    ]
    assert [(p["year"], p["status"], p["winners"]) for p in answer["palmares"]] == [
        (2003, "planned", []),
        (2002, "live", []),
        (2001, "finished", ["ponts", "ales"]),
        (2000, "finished", ["ales"]),
    ]
    assert [(t["school"], t["count"], t["at_least"]) for t in answer["titles"]] == [
        ("ales", 2, False),
        ("ponts", 1, False),
    ]
    book = openpyxl.load_workbook(io.BytesIO(client.get("/records/export.xlsx").get_data()))
    rows = list(book["Palmarès"].iter_rows(min_row=5, values_only=True))
    assert (2003, 4, "IMT Mines Albi", "à venir", None) in rows
    assert (2002, 3, None, "en cours", None) in rows
    assert (2001, 2, "École des Ponts", "École des Ponts, IMT Mines Alès", 90) in rows
    records = list(book["Records"].iter_rows(min_row=5, values_only=True))
    current = [r[1:] for r in records if r[0] == "Série de victoires en cours"]
    assert current == [(2, "IMT Mines Alès", "2000–2001"), (1, "École des Ponts", "2001–2001")]
    assert ("IMT Mines Alès", 2, "exactement") in list(book["Titres"].iter_rows(min_row=5, values_only=True))
