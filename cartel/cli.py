"""Command-line tools: flask --app cartel seed ..."""
from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from cartel import ROOT
from cartel.extensions import db
from cartel.models import School
from cartel.seeding import SeedError, load_seeds


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
        load_seeds(directory)
    except SeedError as error:
        for problem in error.problems:
            click.echo(problem, err=True)
        raise click.ClickException(f"{len(error.problems)} problem(s) in {directory}: nothing was loaded.")
    click.echo(f"Seeds loaded from {directory}.")
