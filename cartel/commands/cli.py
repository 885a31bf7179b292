"""Command-line tools: flask --app cartel seed ..."""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import refresh

from cartel.config import ROOT
from cartel.core.clock import utcnow
from cartel.extensions import db
from cartel.files.upload import UploadRefused, read_upload
from cartel.models import Edition, EditionStatus, Role, School
from cartel.read import exports, published, revisions
from cartel.read.tournaments import tournament_views
from cartel.write import backup, imports
from cartel.write.accounts import UserError, create_user
from cartel.write.audit import Actor
from cartel.write.results import VersionConflict
from cartel.write.seeding import SeedError, load_seeds
from cartel.write.unit import unit_of_work


@click.command("seed")
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--if-empty", is_flag=True, help="Load only into a database that has no school yet.")
@with_appcontext
def seed_command(directory: Path | None, if_empty: bool) -> None:
    """Load the seed files of DIRECTORY (default: seeds/) in one transaction."""
    directory = directory or ROOT / "seeds"
    if if_empty and db.session.scalar(sa.select(School.id).limit(1)) is not None:
        click.echo("Database already holds data: seeds not loaded.")
        return
    try:
        with unit_of_work():
            load_seeds(directory)
    except SeedError as error:
        for problem in error.problems:
            click.echo(problem, err=True)
        raise click.ClickException(f"{len(error.problems)} problem(s) in {directory}: nothing was loaded.") from None
    click.echo(f"Seeds loaded from {directory}.")


@click.group("user")
def user_group() -> None:
    """Manage accounts."""


@user_group.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.ORGANISER.value, show_default=True)
@with_appcontext
def create_user_command(email: str, role: str) -> None:
    """Create an account; the password is asked for at the prompt (never on the command line)."""
    password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        with unit_of_work():
            user = create_user(email, password, Role(role), Actor())
    except UserError as error:
        raise click.ClickException(str(error)) from None
    scope = (
        "may enter every discipline"
        if user.is_admin
        else "may enter the whole programme, penalties included; limit it to some disciplines at /admin/users"
    )
    click.echo(f"Account {user.email} created ({user.role.value}): {scope}.")


@click.group("export")
def export_group() -> None:
    """Write workbooks of an edition or of the whole history."""


def _write(output: Path, body: bytes) -> None:
    output.write_bytes(body)
    click.echo(f"Written: {output} ({len(body) // 1024 + 1} KB).")


@export_group.command("edition")
@click.argument("year", type=int)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="FILE.xlsx for the workbook, FILE.csv for the ranking alone.",
)
@click.option("--lang", type=click.Choice(["fr", "en"]), default="fr", show_default=True)
@with_appcontext
def export_edition_command(year: int, output: Path, lang: str) -> None:
    """An edition's workbook (ranking, results, podiums, penalties) or its ranking as CSV."""
    found = revisions.edition_revision(year) if 0 < year < 10_000 else None
    if found is None:
        raise click.ClickException(f"No edition in {year}.")
    with current_app.test_request_context(query_string={"lang": lang}):
        refresh()  # a locale an earlier command chose in this app context is not kept
        view = published.edition_view(*found)
        now = utcnow()
        body = (
            exports.ranking_csv(view)
            if output.suffix.lower() == ".csv"
            else exports.edition_workbook(view, now, tournament_views(*found))
        )
    _write(output, body)


@export_group.command("history")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--lang", type=click.Choice(["fr", "en"]), default="fr", show_default=True)
@with_appcontext
def export_history_command(output: Path, lang: str) -> None:
    """The history workbook: roll of honour, titles, records, each school's results."""
    revision = revisions.history_revision()
    with current_app.test_request_context(query_string={"lang": lang}):
        refresh()  # a locale an earlier command chose in this app context is not kept
        body = exports.history_workbook(published.history(revision), published.records(revision), utcnow())
    _write(output, body)


@click.group("import")
def import_group() -> None:
    """Bulk entry from a spreadsheet."""


@import_group.command("results")
@click.argument("year", type=int)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and show what would change; write nothing.")
@click.option("--lang", type=click.Choice(["fr", "en"]), default="fr", show_default=True)
@with_appcontext
def import_results_command(year: int, file: Path, dry_run: bool, lang: str) -> None:
    """Import a filled template (.xlsx) or CSV into the live edition of YEAR (audited as "system")."""
    edition = db.session.scalar(sa.select(Edition).filter_by(year=year)) if 0 < year < 10_000 else None
    if edition is None or edition.status is not EditionStatus.LIVE:
        raise click.ClickException(f"No live edition in {year}.")
    with current_app.test_request_context(query_string={"lang": lang}):
        refresh()  # a locale an earlier command chose in this app context is not kept
        try:
            table = read_upload(file.name, file.read_bytes())
        except UploadRefused as error:
            raise click.ClickException(
                f"{file}: refused ({error.code}{': ' + error.detail if error.detail else ''})."
            ) from None
        changes, problems = imports.check(edition, table)
        for problem in problems:
            click.echo(f"{file}: {problem.sheet}!{problem.cell}: {problem.message}", err=True)
        if problems:
            raise click.ClickException(f"{len(problems)} problem(s): nothing was imported.") from None
        for change in changes:
            after = "; ".join(f"{t.place}. {' + '.join(t.schools)}" for t in change.after)
            click.echo(f"{change.entry.discipline.slug}: {after} ({change.state.value})")
        if dry_run:
            click.echo(f"Dry run: {len(changes)} discipline(s) would change; nothing written.")
            return
        try:
            with unit_of_work():
                count = imports.apply(edition, changes, Actor())
        except VersionConflict:
            raise click.ClickException("A result changed meanwhile: nothing was imported.") from None
    click.echo(f"{count} result(s) imported.")


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@with_appcontext
def backup_command(file: Path) -> None:
    """Write everything (audit log included) to FILE as one JSON document, while the app serves.

    The file is written beside FILE then renamed, so FILE is never a half-written backup."""
    partial = file.with_name(file.name + ".partial")
    with partial.open("w", encoding="utf-8") as out:
        counts = backup.write(db.engine, out, utcnow())
    partial.replace(file)
    click.echo(f"Backup written to {file}: {sum(counts.values())} rows in {len(counts)} tables.")


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def restore_command(file: Path) -> None:
    """Load the backup FILE into this (empty, migrated) database: all of it or nothing."""
    try:
        with file.open(encoding="utf-8") as source:
            document = backup.read(source)
        counts = backup.restore(db.engine, document)
    except backup.BackupError as error:
        raise click.ClickException(f"{file}: {error}. Nothing was restored.") from None
    except OSError as error:
        raise click.ClickException(
            f"{file}: cannot be read ({error.strerror or error}). Nothing was restored."
        ) from None
    except sa.exc.DBAPIError as error:
        reason = str(error.orig).strip().splitlines()[0] if error.orig else type(error).__name__
        raise click.ClickException(f"the database cannot be used ({reason}). Nothing was restored.") from None
    click.echo(f"Restored from {file}: {sum(counts.values())} rows in {len(counts)} tables.")
