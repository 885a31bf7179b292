"""Backups: `flask backup FILE` then `flask restore FILE` into an empty database gives the same pages,
API answers and rows (audit log included); a backup sees one moment; a refused restore changes nothing."""

from __future__ import annotations

import json
import shutil

import pytest
import sqlalchemy as sa

from cartel import create_app
from cartel.core.clock import utcnow
from cartel.extensions import db
from cartel.models import AuditEntry, HistoryRevision, LoginThrottle, School
from cartel.write import backup, backup_check
from tests.helpers import EDITION_URLS, HISTORY_URLS, POSTGRES_URL, config_for, login, podium_form

URLS = [*EDITION_URLS, *HISTORY_URLS, "/editions/2026/export.xlsx"]


def answers(app) -> dict[str, tuple[int, str | None, bytes]]:
    client = app.test_client()
    found = {}
    for url in URLS:
        response = client.get(url)
        body = response.data if not url.endswith(".xlsx") else b""  # a workbook holds its time of export
        found[url] = (response.status_code, response.headers.get("ETag"), body)
    return found


def tables(app) -> dict:
    with app.app_context():
        return backup.dump(db.engine, utcnow())["tables"]


def empty_database(app, tmp_path, template_database):
    """A migrated database with no data: a fresh copy of the template (SQLite) or the test database emptied."""
    db.session.remove()
    if not POSTGRES_URL:
        copy = tmp_path / "restored.sqlite3"
        shutil.copy(template_database, copy)
        return create_app(config_for(f"sqlite:///{copy}"))
    names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    with db.engine.begin() as conn:
        conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        conn.execute(sa.insert(HistoryRevision).values(id=HistoryRevision.ROW_ID, revision=1))
    return create_app(config_for(POSTGRES_URL))


@pytest.fixture
def busy(app, client, make_user, live, adjust):
    """An edition with results, a correction, a penalty and accounts: what an event day leaves."""
    make_user("orga@example.org")
    login(client, "orga@example.org")
    assert client.post("/saisie/handball-men", data=podium_form("ales", "albi", "nancy")).status_code == 303
    assert (
        client.post("/saisie/handball-men", data=podium_form("albi", "ales", version=1, submission_id="s2")).status_code
        == 303
    )
    assert (
        client.post(
            "/saisie/football-women",
            data=podium_form(("nancy", "douai"), "ales", state="provisional", submission_id="s3"),
        ).status_code
        == 303
    )
    assert (
        client.post("/saisie/adjustments", data={"school": "albi", "points": "-2.5", "reason": "retard"}).status_code
        == 303
    )
    client.post("/logout")
    return app


def test_backup_then_restore_gives_the_same_pages_api_and_rows(busy, runner, tmp_path, template_database):
    before_answers, before_rows = answers(busy), tables(busy)
    assert len(before_rows["audit_entry"]["rows"]) >= 4, [r[5:8] for r in before_rows["audit_entry"]["rows"]]
    file = tmp_path / "cartel.json"
    result = runner.invoke(args=["backup", str(file)])
    assert result.exit_code == 0 and "Backup written" in result.output, result.output
    document = json.loads(file.read_text())
    assert document["format"] == "cartel-backup" and document["format_version"] == 1 and document["schema_revision"]

    restored = empty_database(busy, tmp_path, template_database)
    with restored.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(School)) == 0
        db.session.remove()
        result = restored.test_cli_runner().invoke(args=["restore", str(file)])
        assert result.exit_code == 0 and "Restored" in result.output, result.output
        db.session.remove()
    assert answers(restored) == before_answers
    assert tables(restored) == before_rows
    with restored.app_context():  # and the app goes on: ids continue after the restored ones
        client = restored.test_client()
        login(client, "orga@example.org")
        assert client.post("/saisie/swimming-open", data=podium_form("douai", submission_id="s4")).status_code == 303
        db.session.remove()
        db.engine.dispose()


def test_a_backup_sees_one_moment_while_the_app_writes(busy, monkeypatch):
    """A write committed while the backup is being read is either wholly in it or not at all."""
    real = backup._tables()
    school_first = [t for t in real if t.name == "school"] + [t for t in real if t.name != "school"]

    class WriteAfterFirstTable(list):
        def __iter__(self):
            for k, table in enumerate(list.__iter__(self)):
                yield table
                if k == 0:  # the backup has read the schools: another connection now adds one, with its audit
                    with db.engine.begin() as other:
                        other.execute(
                            sa.insert(School).values(slug="late", name="Late School", short_name="Late", country="FR")
                        )
                        other.execute(
                            sa.insert(AuditEntry).values(
                                at=utcnow(), action="school.create", entity="school", entity_key="late", after={}
                            )
                        )

    monkeypatch.setattr(backup, "_tables", lambda: WriteAfterFirstTable(school_first))
    document = backup.dump(db.engine, utcnow())
    assert "late" not in [row[1] for row in document["tables"]["school"]["rows"]]
    assert "late" not in json.dumps(document["tables"]["audit_entry"])
    assert db.session.scalar(sa.select(School.id).filter_by(slug="late")) is not None  # the write did happen


def test_a_restore_that_cannot_be_done_changes_nothing(busy, runner, tmp_path, template_database):
    file = tmp_path / "cartel.json"
    runner.invoke(args=["backup", str(file)])
    result = runner.invoke(args=["restore", str(file)])  # into the very database it came from
    assert result.exit_code == 1 and "the database is not empty" in result.output

    document = json.loads(file.read_text())
    restored = empty_database(busy, tmp_path, template_database)
    with restored.app_context():
        cli = restored.test_cli_runner()
        broken = dict(document, tables=dict(document["tables"]))
        audit = broken["tables"]["audit_entry"]
        broken["tables"]["audit_entry"] = dict(audit, rows=[*audit["rows"], audit["rows"][0]])  # a duplicate id, last
        for name, content, message in [
            ("other.json", dict(document, schema_revision="0123abcd"), "schema revision 0123abcd"),
            ("old.json", dict(document, format_version=0), "backup format version 0"),
            ("not-json.json", None, "not a Cartel backup"),
        ]:
            path = tmp_path / name
            path.write_text(json.dumps(content) if content else "{oops")
            result = cli.invoke(args=["restore", str(path)])
            assert result.exit_code == 1 and message in result.output and "Nothing was restored" in result.output
        path = tmp_path / "broken.json"
        path.write_text(json.dumps(broken))
        result = cli.invoke(args=["restore", str(path)])
        assert result.exit_code == 1 and f"table audit_entry, row {len(audit['rows']) + 1}: id " in result.output
        db.session.remove()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(School)) == 0  # all or nothing
        db.session.remove()
        assert cli.invoke(args=["restore", str(file)]).exit_code == 0  # and the good one still goes in
        db.session.remove()
        db.engine.dispose()


def refused(cli, path, document) -> str:
    """What `flask restore` says of ``document`` (or of raw text); it must be a refusal in words."""
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    result = cli.invoke(args=["restore", str(path)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.exception
    assert "Nothing was restored." in result.output and "Traceback" not in result.output
    return " ".join(result.output.split())


def altered(document, table, row, column, value):
    """A copy of ``document`` with one value changed (``row`` counted from 1, as the messages do)."""
    copy = json.loads(json.dumps(document))
    content = copy["tables"][table]
    content["rows"][row - 1][content["columns"].index(column)] = value
    return copy


def test_a_damaged_backup_is_refused_in_words_saying_where_and_nothing_is_written(
    busy, runner, tmp_path, template_database
):
    file = tmp_path / "cartel.json"
    runner.invoke(args=["backup", str(file)])
    good = json.loads(file.read_text())
    short_row = json.loads(file.read_text())
    short_row["tables"]["school"]["rows"][1] = short_row["tables"]["school"]["rows"][1][:-1]
    no_rows = dict(good, tables={**good["tables"], "participation": {"columns": [], "rows": "none"}})
    school = good["tables"]["school"]
    missing_school = max(row[school["columns"].index("id")] for row in school["rows"]) + 1
    cases = [
        (altered(good, "edition", 1, "year", "abc"), "table edition, row 1, column year: 'abc' is not a whole number"),
        (altered(good, "edition", 1, "year", 2.5), "column year: 2.5 is not a whole number"),
        (altered(good, "edition", 1, "year", 2**40), "column year: 1099511627776 is out of range"),
        (altered(good, "edition", 1, "start_date", "2026-13-45"), "column start_date: '2026-13-45' is not a date"),
        (altered(good, "edition", 1, "status", "paused"), "column status: 'paused' is not one of"),
        (altered(good, "school", 1, "name", None), "table school, row 1, column name: empty, but required"),
        (
            altered(good, "school", 2, "country", "FRANCE"),
            "table school, row 2, column country: 6 characters, at most 2",
        ),
        (altered(good, "user", 1, "active", "yes"), "column active: 'yes' is not true or false"),
        (altered(good, "point_adjustment", 1, "points", "lots"), "column points: 'lots' is not a number"),
        (altered(good, "audit_entry", 1, "at", "yesterday"), "column at: 'yesterday' is not a date and time"),
        (altered(good, "school", 2, "slug", "ales"), "table school, row 2: slug 'ales' already in row 1"),
        (altered(good, "participation", 1, "school_id", missing_school), "refers to no row of table school"),
        (short_row, "table school, row 2: 7 values expected"),
        (no_rows, "table participation: no list of rows"),
        (dict(good, tables=[]), "the backup has no tables"),
        ("[" * 100_000, "nested too deep"),
    ]
    restored = empty_database(busy, tmp_path, template_database)
    with restored.app_context():
        cli = restored.test_cli_runner()
        for k, (document, message) in enumerate(cases):
            said = refused(cli, tmp_path / f"damaged-{k}.json", document)
            assert message in said, (message, said)
        db.session.remove()
        assert all(not content["rows"] for name, content in tables(restored).items() if name != "history_revision")
        assert cli.invoke(args=["restore", str(file)]).exit_code == 0  # the good one still goes in
        db.session.remove()
        db.engine.dispose()


def test_what_the_checks_miss_the_database_refuses_in_words_and_nothing_stays(
    busy, runner, tmp_path, template_database, monkeypatch
):
    file = tmp_path / "cartel.json"
    runner.invoke(args=["backup", str(file)])
    document = json.loads(file.read_text())
    restored = empty_database(busy, tmp_path, template_database)
    monkeypatch.setattr(backup_check, "_check_keys", lambda *args: None)  # as if a rule were not known to them
    audit = document["tables"]["audit_entry"]
    document["tables"]["audit_entry"] = dict(audit, rows=[*audit["rows"], audit["rows"][0]])  # a duplicate id, last
    with restored.app_context():
        said = refused(restored.test_cli_runner(), tmp_path / "twice.json", document)
        assert "table audit_entry: the database refused a row (" in said
        db.session.remove()
        assert all(not content["rows"] for name, content in tables(restored).items() if name != "history_revision")
        db.engine.dispose()


def test_failed_logins_are_neither_backed_up_nor_restored(busy, client, runner, tmp_path, template_database):
    for i in range(3):
        assert login(client, f"nobody{i}@example.org", "wrong password").status_code == 401
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginThrottle)) >= 4
    file = tmp_path / "cartel.json"
    runner.invoke(args=["backup", str(file)])
    document = json.loads(file.read_text())
    assert "login_throttle" not in document["tables"]
    assert "nobody" not in file.read_text()
    # a backup made before holds them: they are left out
    document["tables"]["login_throttle"] = {
        "columns": ["key", "failures", "last_at"],
        "rows": [["address:203.0.113.9", 3, "2026-05-01T10:00:00"]],
    }
    file.write_text(json.dumps(document))
    restored = empty_database(busy, tmp_path, template_database)
    with restored.app_context():
        client = restored.test_client()
        assert login(client, "nobody@example.org", "wrong password").status_code == 401  # a try before the restore
        db.session.remove()
        result = restored.test_cli_runner().invoke(args=["restore", str(file)])
        assert result.exit_code == 0, result.output  # not "the database is not empty"
        db.session.remove()
        keys = db.session.scalars(sa.select(LoginThrottle.key)).all()
        assert "address:203.0.113.9" not in keys
        db.session.remove()
        db.engine.dispose()
