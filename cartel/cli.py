"""Command-line tools: flask --app cartel seed ..."""
from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from cartel import ROOT
from cartel.extensions import db
from cartel.models import Role, School
from cartel.operations import Actor
from cartel.accounts import UserError, create_user
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
        user = create_user(email, password, Role(role), Actor())
    except UserError as error:
        raise click.ClickException(str(error))
    click.echo(f"Account {user.email} created ({user.role.value}).")
