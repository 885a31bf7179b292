"""Settings read from the environment (prefix CARTEL_)."""
from __future__ import annotations

import os
import secrets
from pathlib import Path


class ConfigError(RuntimeError):
    """The environment does not allow the app to start safely."""


def _database_url(instance_path: str) -> str:
    url = os.environ.get("CARTEL_DATABASE_URL")
    if url:
        if url.startswith("postgresql://"):  # use psycopg 3, the driver we install
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        return url
    return "sqlite:///" + str(Path(instance_path) / "cartel.sqlite3")


def _seconds(name: str, default: int) -> int:
    value = os.environ.get(name, str(default))
    if not value.isdigit() or not 0 <= int(value) <= 3600:
        raise ConfigError(f"{name} must be a number of seconds between 0 and 3600, not {value!r}")
    return int(value)


def load_config(instance_path: str) -> dict:
    """The app's settings. Outside development a secret key must be given."""
    env = os.environ.get("CARTEL_ENV", "development")
    secret = os.environ.get("CARTEL_SECRET_KEY")
    if not secret:
        if env == "production":
            raise ConfigError("CARTEL_SECRET_KEY must be set when CARTEL_ENV=production")
        secret = secrets.token_hex(32)  # development: a fresh key per process
    database = _database_url(instance_path)
    return {
        "CARTEL_ENV": env,
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": database,
        # a server connection may drop between requests; a file opened by this process may not
        "SQLALCHEMY_ENGINE_OPTIONS": {} if database.startswith("sqlite") else {"pool_pre_ping": True},
        "BABEL_DEFAULT_LOCALE": "fr",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Paris",
        "CARTEL_LANGUAGES": ("fr", "en"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env == "production",
        # the largest request: an uploaded results file (5 MB, cartel.upload) and its form
        "MAX_CONTENT_LENGTH": 5 * 1024 * 1024 + 64 * 1024,
        # live pages poll their fragment this often; a reverse proxy may keep public answers this long
        "CARTEL_POLL_SECONDS": max(1, _seconds("CARTEL_POLL_SECONDS", 10)),
        "CARTEL_PROXY_MAX_AGE": _seconds("CARTEL_PROXY_MAX_AGE", 2),
    }
