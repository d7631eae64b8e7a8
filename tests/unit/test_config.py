"""opopmart.config: what the environment may and may not start."""

from __future__ import annotations

import os
import stat

import pytest

from opopmart import create_app
from opopmart.config import (
    ConfigError,
    DevelopmentConfig,
    ProductionConfig,
    TestConfig,
    config_from_env,
)

ENV_VARS = ("SECRET_KEY", "DATABASE_URL", "MEDIA_ROOT", "MAX_CONTENT_LENGTH", "OPOPMART_ENV")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)


# --- production secret key -----------------------------------------------------------


def test_given_production_without_secret_key_when_resolved_then_config_error(tmp_path):
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        ProductionConfig().resolve(str(tmp_path))


@pytest.mark.parametrize("length", [0, 1, 16, 31])
def test_given_production_with_short_secret_key_when_resolved_then_config_error(monkeypatch, tmp_path, length):
    monkeypatch.setenv("SECRET_KEY", "k" * length)
    with pytest.raises(ConfigError, match="at least 32"):
        ProductionConfig().resolve(str(tmp_path))


@pytest.mark.parametrize("length", [32, 40, 64])
def test_given_production_with_long_enough_secret_key_when_resolved_then_used(monkeypatch, tmp_path, length):
    key = "s" * length
    monkeypatch.setenv("SECRET_KEY", key)
    config = ProductionConfig()
    config.resolve(str(tmp_path))
    assert config.SECRET_KEY == key
    assert not (tmp_path / "secret_key").exists()


def test_production_cookies_are_secure():
    assert ProductionConfig.SESSION_COOKIE_SECURE is True
    assert ProductionConfig.REMEMBER_COOKIE_SECURE is True
    assert ProductionConfig.PREFERRED_URL_SCHEME == "https"


# --- development secret key file -----------------------------------------------------


def test_given_development_without_secret_key_when_resolved_then_key_file_made_once(tmp_path):
    instance = tmp_path / "instance"  # does not exist yet
    first = DevelopmentConfig()
    first.resolve(str(instance))
    key_file = instance / "secret_key"
    assert key_file.is_file()
    assert first.SECRET_KEY == key_file.read_text()
    assert len(first.SECRET_KEY) >= 32
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600

    second = DevelopmentConfig()
    second.resolve(str(instance))
    assert second.SECRET_KEY == first.SECRET_KEY
    assert key_file.read_text() == first.SECRET_KEY


def test_given_an_existing_key_file_with_newline_when_resolved_then_stripped(tmp_path):
    (tmp_path / "secret_key").write_text("my-development-key\n")
    config = DevelopmentConfig()
    config.resolve(str(tmp_path))
    assert config.SECRET_KEY == "my-development-key"


def test_given_development_with_secret_key_env_when_resolved_then_env_wins_and_no_file(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    config = DevelopmentConfig()
    config.resolve(str(tmp_path))
    assert config.SECRET_KEY == "from-the-environment"
    assert not (tmp_path / "secret_key").exists()


def test_given_two_instance_folders_then_different_generated_keys(tmp_path):
    a, b = DevelopmentConfig(), DevelopmentConfig()
    a.resolve(str(tmp_path / "a"))
    b.resolve(str(tmp_path / "b"))
    assert a.SECRET_KEY != b.SECRET_KEY


def test_test_config_has_a_fixed_key_and_writes_no_file(tmp_path):
    config = TestConfig()
    config.resolve(str(tmp_path))
    assert config.SECRET_KEY == "test-secret-key-not-for-production"
    assert not (tmp_path / "secret_key").exists()


# --- database URL --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgres://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
        ("postgresql://u:p@h:5432/db", "postgresql+psycopg://u:p@h:5432/db"),
        ("postgresql+psycopg://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
        ("sqlite:////var/lib/opopmart/opopmart.db", "sqlite:////var/lib/opopmart/opopmart.db"),
    ],
)
def test_given_database_url_when_resolved_then_psycopg3_dialect(monkeypatch, tmp_path, url, expected):
    monkeypatch.setenv("DATABASE_URL", url)
    config = DevelopmentConfig()
    config.resolve(str(tmp_path))
    assert config.SQLALCHEMY_DATABASE_URI == expected


def test_given_no_database_url_when_resolved_then_sqlite_in_the_instance_folder(tmp_path):
    config = DevelopmentConfig()
    config.resolve(str(tmp_path))
    assert config.SQLALCHEMY_DATABASE_URI == f"sqlite:///{tmp_path}/opopmart.db"


def test_given_empty_database_url_when_resolved_then_default_sqlite(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "")
    config = DevelopmentConfig()
    config.resolve(str(tmp_path))
    assert config.SQLALCHEMY_DATABASE_URI == f"sqlite:///{tmp_path}/opopmart.db"


# --- media root and upload limit -----------------------------------------------------


def test_given_no_media_root_when_resolved_then_media_under_instance(tmp_path):
    config = DevelopmentConfig()
    config.resolve(str(tmp_path))
    assert config.MEDIA_ROOT == str(tmp_path / "media")
    assert config.MAX_CONTENT_LENGTH == 16 * 1024 * 1024


def test_given_media_root_and_upload_limit_env_when_resolved_then_used(monkeypatch, tmp_path):
    monkeypatch.setenv("MEDIA_ROOT", "/srv/media")
    monkeypatch.setenv("MAX_CONTENT_LENGTH", "1048576")
    config = DevelopmentConfig()
    config.resolve(str(tmp_path))
    assert config.MEDIA_ROOT == "/srv/media"
    assert config.MAX_CONTENT_LENGTH == 1048576


def test_given_non_numeric_upload_limit_when_resolved_then_config_error(monkeypatch, tmp_path):
    monkeypatch.setenv("MAX_CONTENT_LENGTH", "16MB")
    with pytest.raises(ConfigError, match="MAX_CONTENT_LENGTH must be a whole number, got '16MB'"):
        DevelopmentConfig().resolve(str(tmp_path))


# --- choosing the configuration ------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, DevelopmentConfig),
        ("development", DevelopmentConfig),
        ("testing", TestConfig),
        ("production", ProductionConfig),
        ("  Production ", ProductionConfig),
    ],
)
def test_given_opopmart_env_when_chosen_then_matching_config(monkeypatch, value, expected):
    if value is not None:
        monkeypatch.setenv("OPOPMART_ENV", value)
    config = config_from_env()
    assert type(config) is expected


@pytest.mark.parametrize("value", ["bogus", "prod", "", "dev"])
def test_given_unknown_opopmart_env_when_chosen_then_config_error(monkeypatch, value):
    monkeypatch.setenv("OPOPMART_ENV", value)
    with pytest.raises(ConfigError, match="OPOPMART_ENV must be one of development, testing, production"):
        config_from_env()


def test_given_production_env_without_secret_key_when_app_created_then_config_error(monkeypatch, tmp_path):
    monkeypatch.setenv("OPOPMART_ENV", "production")
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app(None, {"INSTANCE_PATH": str(tmp_path)})
    assert not (tmp_path / "secret_key").exists()


def test_passwords_use_full_strength_scrypt_outside_tests():
    from opopmart.config import DevelopmentConfig, ProductionConfig, TestConfig

    assert DevelopmentConfig.PASSWORD_HASH_METHOD == "scrypt:32768:8:1"
    assert ProductionConfig.PASSWORD_HASH_METHOD == "scrypt:32768:8:1"
    assert TestConfig.PASSWORD_HASH_METHOD == "scrypt:1024:8:1"
