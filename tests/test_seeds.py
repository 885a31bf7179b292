"""The seeds: the real history of CARTEL.md, loaded idempotently, refused whole when bad."""

import csv
import datetime as dt
import io
import shutil

import pytest
import sqlalchemy as sa

from cartel.extensions import db
from cartel.models import (
    Edition,
    EditionStatus,
    OfficialStanding,
    Placement,
    PointsScheme,
    ProgrammeEntry,
    School,
)
from cartel.read import standings
from cartel.write.seeding import SeedError, load_seeds
from cartel.write.unit import unit_of_work
from tests.helpers import SEEDS


def counts():
    return {
        model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (School, Edition, Placement, OfficialStanding)
    }


def test_seed_command_loads_the_real_history(runner, app):
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    assert counts() == {"School": 12, "Edition": 12, "Placement": 20, "OfficialStanding": 5}
    ales_2023 = db.session.scalar(sa.select(OfficialStanding).join(Edition).where(Edition.year == 2023))
    assert (ales_2023.school.slug, ales_2023.rank, ales_2023.points) == ("imt-mines-ales", 1, 325)


def edition(year):
    return db.session.scalar(sa.select(Edition).filter_by(year=year))


def test_2026_took_place_on_its_dates_and_its_winner_stays_unknown(runner, app):
    assert runner.invoke(args=["seed"]).exit_code == 0
    e2026 = edition(2026)
    assert (e2026.number, e2026.host.slug, e2026.status) == (51, "mines-nancy", EditionStatus.FINISHED)
    assert (e2026.start_date, e2026.end_date) == (dt.date(2026, 4, 16), dt.date(2026, 4, 18))
    assert "Hexa-Da/App_Cartel_Nancy" in e2026.source
    # nothing invented: no standing, no placing, no programme, no points scheme
    for model in (OfficialStanding, Placement, ProgrammeEntry, PointsScheme):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(model).filter_by(edition_id=e2026.id)) == 0
    history = standings.load_history()
    (s2026,) = [s for s in history.standings if s.edition.year == 2026]
    assert s2026.rows == () and standings.edition_history(s2026).winners == ()
    palmares = {p.year: p for p in history.records().palmares}
    assert palmares[2026].winners == () and palmares[2026].winner_points is None
    assert {p.school.slug for p in e2026.participations} == {
        "mines-nancy",
        "mines-saint-etienne",
        "ecole-des-ponts",
        "imt-mines-ales",
        "imt-nord-europe",
        "imt-atlantique",
        "telecom-paris",
    }


def test_2016_and_2008_hosts(runner, app):
    assert runner.invoke(args=["seed"]).exit_code == 0
    e2016, e2008 = edition(2016), edition(2008)
    assert (e2016.host.slug, e2016.status, e2016.number) == ("mines-paris", EditionStatus.FINISHED, None)
    assert "EMINES news" in e2016.source and (e2016.start_date, e2016.end_date) == (None, None)
    assert (e2008.host.slug, e2008.status, e2008.number) == ("mines-nancy", EditionStatus.FINISHED, None)
    assert "Wikimonde" in e2008.source and (e2008.start_date, e2008.end_date) == (None, None)
    hosted = standings.load_history().records().editions_hosted
    by_slug = {db.session.get(School, school).slug: years for school, years in hosted.items()}
    assert by_slug["mines-paris"] == [2016, 2025] and by_slug["mines-nancy"] == [2008, 2026]


def test_2027_is_planned_and_says_its_source_is_weak(runner, app):
    assert runner.invoke(args=["seed"]).exit_code == 0
    e2027 = edition(2027)
    assert (e2027.number, e2027.host.slug, e2027.status) == (52, "imt-nord-europe", EditionStatus.PLANNED)
    assert (e2027.start_date, e2027.end_date) == (dt.date(2027, 4, 22), dt.date(2027, 4, 25))
    assert e2027.source.startswith("Weak source: announced in one sponsorship text only")
    # the only weakly sourced edition, and every other edition names its source
    assert [e.year for e in db.session.scalars(sa.select(Edition)) if e.source.startswith("Weak source")] == [2027]
    assert all(e.source.startswith("CARTEL.md") for e in db.session.scalars(sa.select(Edition)) if e.year != 2027)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Placement).filter_by(edition_id=e2027.id)) == 0


def test_loading_twice_changes_nothing(runner, app):
    runner.invoke(args=["seed"])
    before = counts()
    snapshot = [(p.id, p.place) for p in db.session.scalars(sa.select(Placement).order_by(Placement.id))]
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    assert counts() == before
    assert [(p.id, p.place) for p in db.session.scalars(sa.select(Placement).order_by(Placement.id))] == snapshot


def test_if_empty_skips_a_database_that_has_data(runner, app):
    runner.invoke(args=["seed"])
    result = runner.invoke(args=["seed", "--if-empty"])
    assert "not loaded" in result.output


def broken_copy(tmp_path, name, transform):
    target = tmp_path / "seeds"
    shutil.copytree(SEEDS, target)
    path = target / name
    path.write_text(transform(path.read_text(encoding="utf-8")), encoding="utf-8")
    return target


@pytest.mark.parametrize(
    "name, transform, expected",
    [
        (
            "placements.csv",
            lambda t: t.replace("2023,athletics,1,imt-mines-ales", "2023,athletics,1,imt-mines-alez"),
            "placements.csv:8: unknown school 'imt-mines-alez'",
        ),
        (
            "placements.csv",
            lambda t: t + "2023,athletics,2,imt-mines-ales,dup\n",
            "placements.csv:22: imt-mines-ales is already placed in athletics 2023 (at placements.csv:8)",
        ),
        (
            "standings.csv",
            lambda t: t + "2023,mines-nancy,second,,x\n",
            "standings.csv:7: rank must be a whole number, not 'second'",
        ),
        (
            "editions.csv",
            lambda t: t.replace("2025,50,mines-paris,2025-04-24", "2025,50,mines-paris,2025-24-04"),
            "editions.csv:11: start_date must be a date as YYYY-MM-DD, not '2025-24-04'",
        ),
        (
            "schools.csv",
            lambda t: t + "eurecom,Other,x,,FR,,\n",
            "schools.csv:14: duplicate slug 'eurecom' (first at line 13)",
        ),
        ("participants.csv", lambda t: t + "2023,mines-nancy\n", "participants.csv:17: wrong number of fields"),
        (
            "placements.csv",
            lambda t: (
                t
                + "2023,athletics,1,mines-nancy,x\n2023,athletics,2,mines-albi,x\n".replace(
                    "mines-albi", "imt-mines-albi"
                )
            ),
            "placements.csv: athletics 2023: place 2 cannot follow a tie covering it",
        ),
    ],
)
def test_bad_file_names_file_line_and_reason_and_loads_nothing(app, tmp_path, name, transform, expected):
    directory = broken_copy(tmp_path, name, transform)
    with pytest.raises(SeedError) as error, unit_of_work():
        load_seeds(directory)
    assert expected in error.value.problems
    assert counts() == {"School": 0, "Edition": 0, "Placement": 0, "OfficialStanding": 0}


def test_bad_seed_command_exits_non_zero(runner, app, tmp_path):
    directory = broken_copy(tmp_path, "schools.csv", lambda t: t.replace("Alès,FR", "Alès,France"))
    result = runner.invoke(args=["seed", str(directory)])
    assert result.exit_code != 0
    assert "schools.csv:2: country must be a two-letter code, not 'France'" in result.output
    assert "nothing was loaded" in result.output


def test_seed_files_saved_by_excel_load_too(runner, app, tmp_path):
    """A BOM and semicolons (what a French Excel writes for "CSV UTF-8") are read like the plain files."""
    copy = tmp_path / "seeds"
    shutil.copytree(SEEDS, copy)
    schools = copy / "schools.csv"
    text = schools.read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(rows)
    schools.write_bytes(b"\xef\xbb\xbf" + out.getvalue().encode("utf-8"))
    result = runner.invoke(args=["seed", str(copy)])
    assert result.exit_code == 0, result.output
    assert "IMT Mines Alès" in {s.name for s in db.session.scalars(sa.select(School))}


def test_the_weakly_sourced_2027_edition_says_so_on_its_page(seeded, client):
    page = client.get("/editions/2027").get_data(as_text=True)
    assert "Une seule source, fragile, annonce cette édition" in page
    assert "Une seule source, fragile" not in client.get("/editions/2026").get_data(as_text=True)
