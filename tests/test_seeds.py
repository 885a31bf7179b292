"""The seeds: the real history of CARTEL.md, loaded idempotently, refused whole when bad."""

import csv
import io
import shutil

import pytest
import sqlalchemy as sa

from cartel.extensions import db
from cartel.models import Edition, OfficialStanding, Placement, School
from cartel.seeding import SeedError, load_seeds
from tests.conftest import SEEDS


def counts():
    return {
        model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (School, Edition, Placement, OfficialStanding)
    }


def test_seed_command_loads_the_real_history(runner, app):
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    assert counts() == {"School": 12, "Edition": 9, "Placement": 20, "OfficialStanding": 5}
    ales_2023 = db.session.scalar(sa.select(OfficialStanding).join(Edition).where(Edition.year == 2023))
    assert (ales_2023.school.slug, ales_2023.rank, ales_2023.points) == ("imt-mines-ales", 1, 325)


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
            "editions.csv:9: start_date must be a date as YYYY-MM-DD, not '2025-24-04'",
        ),
        (
            "schools.csv",
            lambda t: t + "eurecom,Other,x,,FR,,\n",
            "schools.csv:14: duplicate slug 'eurecom' (first at line 13)",
        ),
        ("participants.csv", lambda t: t + "2023,mines-nancy\n", "participants.csv:13: wrong number of fields"),
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
    with pytest.raises(SeedError) as error:
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
