"""Settings read from the environment (prefix CARTEL_)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the checkout: templates/, static/, migrations/, seeds/


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
    if not value.isdecimal() or len(value) > 4 or not 0 <= int(value) <= 3600:
        raise ConfigError(f"{name} must be a number of seconds between 0 and 3600, not {value!r}")
    return int(value)


ENVIRONMENTS = ("development", "production")
MIN_SECRET_BYTES = 32


def _development_secret(instance_path: str) -> str:
    """A key made once and kept in instance/, so that every worker signs sessions alike."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".secret_key.{os.getpid()}")
        draft.write_text(secrets.token_hex(32), encoding="ascii")
        draft.chmod(0o600)
        try:
            os.link(draft, path)  # atomic: of several workers starting at once, the first one wins
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text(encoding="ascii").strip()


def _whole(name: str, default: int, high: int) -> int:
    value = os.environ.get(name, str(default))
    if not value.isdecimal() or len(value) > 4 or int(value) > high:
        raise ConfigError(f"{name} must be a whole number from 0 to {high}, not {value!r}")
    return int(value)


def load_config(instance_path: str) -> dict:
    """The app's settings. In production a secret key of at least 32 bytes must be given."""
    env = os.environ.get("CARTEL_ENV", "development")
    if env not in ENVIRONMENTS:
        raise ConfigError(f"CARTEL_ENV must be one of {', '.join(ENVIRONMENTS)}, not {env!r}")
    secret = os.environ.get("CARTEL_SECRET_KEY")
    if env == "production":
        if not secret:
            raise ConfigError("CARTEL_SECRET_KEY must be set when CARTEL_ENV=production")
        if len(secret.encode()) < MIN_SECRET_BYTES:
            raise ConfigError(
                f"CARTEL_SECRET_KEY must be at least {MIN_SECRET_BYTES} bytes long in production "
                "(python -c 'import secrets; print(secrets.token_hex(32))' makes one)"
            )
    secret = secret or _development_secret(instance_path)
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
        "REMEMBER_COOKIE_SECURE": env == "production",
        # the largest request: an uploaded results file (5 MB, cartel.files.upload) and its form
        "MAX_CONTENT_LENGTH": 5 * 1024 * 1024 + 64 * 1024,
        # live pages poll their fragment this often; a reverse proxy may keep public answers this long
        "CARTEL_POLL_SECONDS": max(1, _seconds("CARTEL_POLL_SECONDS", 10)),
        "CARTEL_PROXY_MAX_AGE": _seconds("CARTEL_PROXY_MAX_AGE", 2),
        # how many reverse proxies (nginx...) stand before the app and set X-Forwarded-For/-Proto/-Host
        "CARTEL_TRUSTED_PROXIES": _whole("CARTEL_TRUSTED_PROXIES", 0, 5),
        "CARTEL_SECURE_COOKIES": env == "production",
        # a banner on every page: fictional teams and results (set by `flask demo` on its own app only)
        "CARTEL_DEMO": False,
    }
