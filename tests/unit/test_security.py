"""Configuration that refuses unsafe settings, read without an app (headers, proxies and cookies:
tests/test_security.py)."""

from __future__ import annotations

import pytest

from cartel.config import ConfigError, load_config


@pytest.mark.parametrize("env", ["prod", "Production", "staging", ""])
def test_unknown_environments_are_refused(monkeypatch, tmp_path, env):
    monkeypatch.setenv("CARTEL_ENV", env)
    with pytest.raises(ConfigError, match="CARTEL_ENV must be one of development, production"):
        load_config(str(tmp_path))


def test_production_needs_a_long_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("CARTEL_ENV", "production")
    monkeypatch.delenv("CARTEL_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="must be set"):
        load_config(str(tmp_path))
    monkeypatch.setenv("CARTEL_SECRET_KEY", "x")
    with pytest.raises(ConfigError, match="at least 32 bytes"):
        load_config(str(tmp_path))
    monkeypatch.setenv("CARTEL_SECRET_KEY", "k" * 32)
    config = load_config(str(tmp_path))
    assert config["SESSION_COOKIE_SECURE"] and config["CARTEL_SECURE_COOKIES"]
    assert not (tmp_path / "secret_key").exists()


def test_development_key_is_made_once_and_shared_by_every_worker(monkeypatch, tmp_path):
    monkeypatch.delenv("CARTEL_ENV", raising=False)
    monkeypatch.delenv("CARTEL_SECRET_KEY", raising=False)
    first, second = load_config(str(tmp_path)), load_config(str(tmp_path))
    assert first["SECRET_KEY"] == second["SECRET_KEY"] and len(first["SECRET_KEY"]) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert list(tmp_path.iterdir()) == [tmp_path / "secret_key"]  # no draft left behind
