"""Configuration read from the environment.

Three shapes: development (the default, embedded SQLite and localstripe), testing,
and production (``OPOPMART_ENV=production``), which refuses to start on defaults
that would be unsafe in front of real shoppers.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path


class ConfigError(RuntimeError):
    """Raised at start-up when the environment cannot make a safe app."""


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from exc


class Config:
    ENV_NAME = "development"
    TESTING = False
    DEBUG = False

    # Filled in by resolve(): they depend on the instance folder.
    SQLALCHEMY_DATABASE_URI: str | None = None
    SECRET_KEY: str | None = None
    MEDIA_ROOT: str | None = None
    # Certificate scans: never under MEDIA_ROOT, which /media serves to anyone.
    DOCUMENT_ROOT: str | None = None

    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    SQLITE_BUSY_TIMEOUT_MS = 5000

    BABEL_DEFAULT_LOCALE = "id"
    BABEL_DEFAULT_TIMEZONE = "Asia/Jakarta"
    LANGUAGES = ("id", "en")

    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    WTF_CSRF_TIME_LIMIT = None

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    REMEMBER_COOKIE_DURATION = timedelta(days=30)

    # Rate limits, as (attempts, window in seconds), counted in the database (core.ratelimit).
    RATELIMIT_LOGIN_PER_EMAIL = (10, 15 * 60)
    RATELIMIT_LOGIN_PER_IP = (30, 15 * 60)
    RATELIMIT_REGISTER_PER_IP = (5, 60 * 60)

    # scrypt N:r:p; lowering it anywhere but in tests weakens every stored password.
    PASSWORD_HASH_METHOD = "scrypt:32768:8:1"

    CATALOGUE_PAGE_SIZE = 24
    # How long a worker may reuse a rendered count or navigation tree before asking
    # the database whether the catalogue changed. 0 asks on every request.
    CATALOGUE_VERSION_TTL_SECONDS = 1.0
    # How often each worker looks for products whose certificates just lapsed (0: only
    # `flask curation check-expiry` does it).
    LAPSE_CHECK_INTERVAL_SECONDS = 3600
    # Rendered public pages kept per worker (0 turns page caching off, e.g. to measure).
    PAGE_CACHE_SIZE = 256

    # Search (opopmart.search): the backend, where the Whoosh index lives (filled in by
    # resolve(): instance/search), and how long a writer waits for the index lock.
    SEARCH_BACKEND = "whoosh"
    SEARCH_INDEX_DIR: str | None = None
    SEARCH_LOCK_TIMEOUT = 5.0
    # Answers kept per worker and index generation (0 turns it off, e.g. to measure).
    SEARCH_RESULT_CACHE_SIZE = 512

    # Email (notifications.mail). Without MAIL_SERVER, emails are written to the
    # ``opopmart.mail`` log instead of being sent. SITE_URL (e.g. https://opopmart.id)
    # lets an email link to the page it is about.
    MAIL_SERVER: str | None = None
    MAIL_PORT = 587
    MAIL_USE_TLS = True
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_FROM = "OPOP Mart <noreply@localhost>"
    SITE_URL: str | None = None

    # Payments. With STRIPE_SECRET_KEY unset, every Stripe call goes to localstripe at
    # LOCALSTRIPE_URL (started by `make run` and by the tests); the webhook secret then
    # defaults to one derived from SECRET_KEY, and `flask payments register-webhook`
    # tells localstripe where to send signed events.
    STRIPE_SECRET_KEY: str | None = None
    STRIPE_PUBLISHABLE_KEY: str | None = None
    STRIPE_WEBHOOK_SECRET: str | None = None
    LOCALSTRIPE_URL = "http://127.0.0.1:8420"
    # An order waits this long for its payment before `flask orders expire` releases it.
    ORDER_PAYMENT_TIMEOUT_MINUTES = 60

    def resolve(self, instance_path: str) -> None:
        """Fill in what depends on the environment and the instance folder."""
        instance = Path(instance_path)
        self.SQLALCHEMY_DATABASE_URI = self._database_url(instance)
        self.SECRET_KEY = self._secret_key(instance)
        self.MEDIA_ROOT = os.environ.get("MEDIA_ROOT") or str(instance / "media")
        self.DOCUMENT_ROOT = os.environ.get("DOCUMENT_ROOT") or str(instance / "documents")
        self.MAX_CONTENT_LENGTH = _env_int("MAX_CONTENT_LENGTH", self.MAX_CONTENT_LENGTH)
        self.PAGE_CACHE_SIZE = _env_int("PAGE_CACHE_SIZE", self.PAGE_CACHE_SIZE)
        self.SEARCH_BACKEND = os.environ.get("SEARCH_BACKEND") or self.SEARCH_BACKEND
        self.SEARCH_INDEX_DIR = os.environ.get("SEARCH_INDEX_DIR") or str(instance / "search")
        # A folder where `demo load` keeps the pictures it draws, to copy them next time
        # (tests and benches load the demo again and again); unset: always drawn.
        self.DEMO_PICTURE_CACHE = os.environ.get("DEMO_PICTURE_CACHE") or None
        self._mail_settings()
        self._payment_settings()

    def _mail_settings(self) -> None:
        self.MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
        self.MAIL_PORT = _env_int("MAIL_PORT", self.MAIL_PORT)
        self.MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", self.MAIL_USE_TLS)
        self.MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
        self.MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
        self.MAIL_FROM = os.environ.get("MAIL_FROM") or self.MAIL_FROM
        self.SITE_URL = os.environ.get("SITE_URL") or None

    def _payment_settings(self) -> None:
        self.STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY") or None
        self.STRIPE_PUBLISHABLE_KEY = os.environ.get("STRIPE_PUBLISHABLE_KEY") or None
        self.STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET") or None
        self.LOCALSTRIPE_URL = os.environ.get("LOCALSTRIPE_URL") or self.LOCALSTRIPE_URL
        self.ORDER_PAYMENT_TIMEOUT_MINUTES = _env_int(
            "ORDER_PAYMENT_TIMEOUT_MINUTES", self.ORDER_PAYMENT_TIMEOUT_MINUTES
        )
        if self.STRIPE_SECRET_KEY and not self.STRIPE_WEBHOOK_SECRET:
            raise ConfigError("STRIPE_SECRET_KEY needs STRIPE_WEBHOOK_SECRET (whsec_...) as well")
        if not self.STRIPE_WEBHOOK_SECRET:
            import hashlib

            digest = hashlib.sha256(f"localstripe-webhook:{self.SECRET_KEY}".encode()).hexdigest()
            self.STRIPE_WEBHOOK_SECRET = f"whsec_{digest[:32]}"

    def _database_url(self, instance: Path) -> str:
        url = os.environ.get("DATABASE_URL")
        if url:
            # Heroku-style URLs name the dialect "postgres"; SQLAlchemy wants psycopg 3.
            if url.startswith("postgres://"):
                url = "postgresql+psycopg://" + url[len("postgres://"):]
            elif url.startswith("postgresql://"):
                url = "postgresql+psycopg://" + url[len("postgresql://"):]
            return url
        return f"sqlite:///{instance / 'opopmart.db'}"

    def _secret_key(self, instance: Path) -> str:
        key = os.environ.get("SECRET_KEY")
        if key:
            return key
        # Development keeps one random key per checkout so sessions survive restarts.
        key_file = instance / "secret_key"
        if key_file.exists():
            return key_file.read_text().strip()
        instance.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(key)
        return key


class DevelopmentConfig(Config):
    ENV_NAME = "development"


class TestConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    # Still scrypt, at a work factor that makes fixture users cheap.
    PASSWORD_HASH_METHOD = "scrypt:1024:8:1"
    WTF_CSRF_ENABLED = True
    CATALOGUE_VERSION_TTL_SECONDS = 0.0
    LAPSE_CHECK_INTERVAL_SECONDS = 0  # tests that need it turn it on

    def _mail_settings(self) -> None:
        pass  # tests never mail a server from the environment; they set MAIL_* themselves

    def _payment_settings(self) -> None:
        # Tests talk to their own localstripe (LOCALSTRIPE_URL set by the fixture), never
        # to a Stripe account a developer's environment happens to name.
        self.STRIPE_WEBHOOK_SECRET = "whsec_test_opopmart"

    def _secret_key(self, instance: Path) -> str:
        return os.environ.get("SECRET_KEY") or "test-secret-key-not-for-production"


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"

    def _secret_key(self, instance: Path) -> str:
        key = os.environ.get("SECRET_KEY", "")
        if len(key) < 32:
            raise ConfigError(
                "OPOPMART_ENV=production needs SECRET_KEY set to at least 32 random characters"
            )
        return key


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestConfig,
    "production": ProductionConfig,
}


def config_from_env() -> Config:
    name = os.environ.get("OPOPMART_ENV", "development").strip().lower()
    try:
        return CONFIGS[name]()
    except KeyError as exc:
        raise ConfigError(
            f"OPOPMART_ENV must be one of {', '.join(CONFIGS)}, got {name!r}"
        ) from exc
