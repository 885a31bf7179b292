"""Cartel: results, rankings and records of the Cartel des Mines."""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter

from cartel import database, models  # noqa: F401  (models register their tables)
from cartel.commands import demo
from cartel.commands.cli import backup_command, export_group, import_group, restore_command, seed_command, user_group
from cartel.config import ROOT, load_config
from cartel.extensions import csrf, db, migrate
from cartel.read import http_cache
from cartel.web import assets, errors, security
from cartel.web.admin import bp as admin_bp
from cartel.web.api import bp as api_bp
from cartel.web.auth import bp as auth_bp
from cartel.web.auth import login_manager_setup
from cartel.web.entry import bp as entry_bp
from cartel.web.entry.offline import bp as offline_bp
from cartel.web.entry.views import links_bp
from cartel.web.public import bp as public_bp
from cartel.words import i18n

__all__ = ["ROOT", "create_app"]


def create_app(test_config: dict | None = None) -> Flask:
    """The application factory: settings, then extensions, blueprints, error pages and commands."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.from_mapping(load_config(app.instance_path))
    if test_config:
        app.config.from_mapping(test_config)
    register_extensions(app)
    register_converters(app)
    register_blueprints(app)
    errors.register(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    with app.app_context():
        database.configure(db.engine)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    i18n.init_app(app)
    login_manager_setup(app)
    http_cache.init_app(app)
    security.init_app(app)
    assets.init_app(app)


class BoundedInt(IntegerConverter):
    """Numbers in URLs fit the database's integers: a larger one is a 404, never an overflow."""

    def __init__(self, map, fixed_digits=0, min=None, max=2**31 - 1, signed=False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def register_converters(app: Flask) -> None:
    app.url_map.converters["int"] = BoundedInt


def register_blueprints(app: Flask) -> None:
    for blueprint in (public_bp, api_bp, auth_bp, entry_bp, offline_bp, links_bp, admin_bp):
        app.register_blueprint(blueprint)


def register_commands(app: Flask) -> None:
    for command in (seed_command, user_group, export_group, import_group, backup_command, restore_command):
        app.cli.add_command(command)
    app.cli.add_command(demo.command(create_app))
