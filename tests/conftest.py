"""Test fixtures: every test gets its own freshly migrated database.

The schema is migrated once per run into a template (a SQLite file, or a PostgreSQL
template database when TEST_DATABASE_URL names a server); each test then starts from a
copy, so tests commit for real, run concurrently against the same database, and never
see each other's rows.
"""

from __future__ import annotations

import itertools
import os
import shutil
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import fields, is_dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import NamedTuple

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import make_url

from flask.testing import FlaskClient
from jinja2 import BytecodeCache

from opopmart import create_app
from opopmart.config import TestConfig
from opopmart.extensions import db as _db


def _memoise_url_builders() -> None:
    """Build each URL rule's builder function once per test process, not once per app.

    Werkzeug compiles two small Python functions for every route each time an app is
    created: with ~90 routes that is most of ``create_app``'s time (0.2 s of 0.21 s),
    paid again by every test. The function depends only on the rule's parsed parts and
    defaults (it reads converters from the rule it is bound to), so rules that parse
    the same share one. Test-only: a server builds its app once.
    """
    from werkzeug.routing.rules import Rule

    original = Rule._compile_builder
    built: dict = {}

    def compile_builder(self, append_unknown: bool = True):
        defaults = tuple(sorted((k, repr(v)) for k, v in (self.defaults or {}).items()))
        key = (tuple(self._trace), defaults, append_unknown)
        if key not in built:
            built[key] = original(self, append_unknown)
        return built[key]

    Rule._compile_builder = compile_builder


_memoise_url_builders()


def _share_compiled_statements() -> None:
    """Compile each SQL statement once per test process, not once per test.

    SQLAlchemy caches compiled statements per engine, keyed by the engine's dialect
    object, and every test's app makes a new engine: each test compiled every statement
    it ran again (a fifth of a typical test's time). Engines of one kind of database
    share the first initialised dialect (it holds nothing about one database: the server
    version and what it supports, the same for every test database) and its cache.
    Connections are still made and set up by each engine's own pool and listeners.
    Test-only: a server makes its engine once.
    """
    from flask_sqlalchemy.extension import SQLAlchemy

    original = SQLAlchemy._make_engine
    shared: dict = {}

    def make_engine(self, bind_key, options, app):
        engine = original(self, bind_key, options, app)
        kind = (engine.dialect.name, engine.dialect.driver)
        first = shared.get(kind)
        if first is None or first.dialect.server_version_info is None:
            shared[kind] = engine  # its dialect is initialised by its first connection
        else:
            engine.dialect = first.dialect
            engine._compiled_cache = first._compiled_cache
        return engine

    SQLAlchemy._make_engine = make_engine


_share_compiled_statements()


class _SharedTemplateCode(BytecodeCache):
    """Compiled templates shared by every app of a test process.

    Each test builds a new app, whose Jinja environment would otherwise lex, parse and
    compile every template it renders again: most of a short test's time. Buckets are
    keyed by template name and checked against the source's checksum, so an edited
    template is still compiled afresh.
    """

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


TEMPLATE_CODE = _SharedTemplateCode()


def _upgrade(url: str, instance: Path) -> None:
    from flask_migrate import upgrade

    app = create_app(TestConfig, {"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": str(instance)})
    with app.app_context():
        upgrade()
        _db.engine.dispose()


class SqliteDatabases:
    def __init__(self, root: Path):
        self.template = root / "template.db"
        _upgrade(f"sqlite:///{self.template}", root / "instance")

    def new(self, directory: Path, template: str | None = None) -> str:
        """A copy of the migrated template (or of ``template``, a world's database)."""
        target = directory / "test.db"
        shutil.copyfile(make_url(template).database if template else self.template, target)
        return f"sqlite:///{target}"

    def drop(self, url: str) -> None:
        pass


class PostgresDatabases:
    """CREATE DATABASE ... TEMPLATE is a file copy on the server: fast and isolated.

    Creating and dropping still cost a few hundred milliseconds per test, so one
    background thread per worker keeps the next test's database ready and drops used
    ones while tests run. Only that thread talks to the server about databases, so a
    copy never races another connection to the template.
    """

    def __init__(self, base_url: str, root: Path):
        self.base = make_url(base_url).set(drivername="postgresql+psycopg")
        self.admin = create_engine(self.base.set(database="postgres"), isolation_level="AUTOCOMMIT")
        self.template_name = f"opop_tpl_{uuid.uuid4().hex[:8]}"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{self.template_name}"'))
        _upgrade(self.base.set(database=self.template_name).render_as_string(hide_password=False),
                 root / "instance")
        self.counter = itertools.count()
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pg-databases")
        # The next copy of each template (the migrated one, and each world's), made ahead.
        self.ready = {self.template_name: self.worker.submit(self._create, self.template_name)}

    def _create(self, template: str) -> str:
        name = f"{self.template_name}_{next(self.counter)}"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
        return name

    def _drop(self, name: str) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def new(self, directory: Path, template: str | None = None) -> str:
        """A copy of the migrated template (or of ``template``, a world's database)."""
        source = make_url(template).database if template else self.template_name
        ready = self.ready.pop(source, None) or self.worker.submit(self._create, source)
        name = ready.result()
        self.ready[source] = self.worker.submit(self._create, source)
        return self.base.set(database=name).render_as_string(hide_password=False)

    def drop(self, url: str) -> None:
        self.worker.submit(self._drop, make_url(url).database)

    def close(self) -> None:
        for ready in self.ready.values():
            self.worker.submit(self._drop, ready.result())
        self.worker.shutdown(wait=True)
        self._drop(self.template_name)
        self.admin.dispose()


def run_folder(tmp_path_factory, name: str) -> Path:
    """A folder that every xdist worker of this run shares (each worker's own basetemp
    is .../pytest-N/popen-gwK; the run's folder is its parent)."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent
    folder = root / name
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture(scope="session", autouse=True)
def demo_picture_cache(tmp_path_factory):
    """The demo's pictures are drawn once per run, then copied (drawing them is most of
    a demo load, and several tests load the demo)."""
    folder = run_folder(tmp_path_factory, "demo-pictures")
    os.environ["DEMO_PICTURE_CACHE"] = str(folder)
    return folder


@pytest.fixture(scope="session")
def databases(tmp_path_factory):
    root = tmp_path_factory.mktemp("db-template")
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        dbs = PostgresDatabases(url, root)
        yield dbs
        dbs.close()
    else:
        yield SqliteDatabases(root)


class FreshContextClient(FlaskClient):
    """Each request gets its own app context, as under a real server.

    The ``app`` fixture keeps an app context open for the test's own queries; without
    this, every request would reuse it and share ``g`` (the chosen language, the
    logged-in user) with the requests before it.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def localstripe_port() -> int:
    """Each xdist worker has its own localstripe, so webhooks never cross workers."""
    return _free_port()


@pytest.fixture(scope="session")
def localstripe(localstripe_port):
    """A real localstripe server on 127.0.0.1, started once per worker on first use."""
    import subprocess
    import sys
    import time
    import urllib.request

    root = Path(__file__).resolve().parent.parent
    proc = subprocess.Popen(
        [sys.executable, str(root / "tools" / "localstripe_local.py"), str(localstripe_port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "LOCALSTRIPE_WEBHOOK_DELAY": "0.2"},
    )
    url = f"http://127.0.0.1:{localstripe_port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            urllib.request.urlopen(url + "/v1/balance", timeout=1)
            break
        except urllib.error.HTTPError:
            break  # it answers: up
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError("localstripe did not start") from None
            time.sleep(0.1)
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def app(request, databases, world_snapshots, tmp_path, localstripe_port):
    # A test that asks for a snapshot world starts from a copy of that world's database.
    url = databases.new(tmp_path, template=world_snapshots.template_for(request))
    app = create_app(
        TestConfig,
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "MEDIA_ROOT": str(tmp_path / "media"),
            "DOCUMENT_ROOT": str(tmp_path / "documents"),
            "SEARCH_INDEX_DIR": str(tmp_path / "search"),
            "LOCALSTRIPE_URL": f"http://127.0.0.1:{localstripe_port}",
        },
    )
    app.test_client_class = FreshContextClient
    app.jinja_env.bytecode_cache = TEMPLATE_CODE
    ctx = app.app_context()
    ctx.push()
    yield app
    _db.session.remove()
    _db.engine.dispose()
    ctx.pop()
    databases.drop(url)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def session(app):
    return _db.session


# --- Worlds built once per worker, copied for each test ------------------------------------

class _Ref(NamedTuple):
    cls: type
    identity: tuple


class _Frozen(NamedTuple):
    cls: type
    values: dict


def _freeze(value):
    """``value`` with every mapped object in it replaced by its class and primary key."""
    if isinstance(value, _db.Model):
        return _Ref(type(value), sa_inspect(value).identity)
    if is_dataclass(value) and not isinstance(value, type):
        return _Frozen(type(value), {f.name: _freeze(getattr(value, f.name)) for f in fields(value)})
    if isinstance(value, SimpleNamespace):
        return _Frozen(SimpleNamespace, {k: _freeze(v) for k, v in vars(value).items()})
    if isinstance(value, dict):
        return {k: _freeze(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return type(value)(_freeze(v) for v in value)
    return value


def _thaw(value, session):
    if isinstance(value, _Ref):
        return session.get(value.cls, value.identity)
    if isinstance(value, _Frozen):
        return value.cls(**{k: _thaw(v, session) for k, v in value.values.items()})
    if isinstance(value, dict):
        return {k: _thaw(v, session) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return type(value)(_thaw(v, session) for v in value)
    return value


class WorldSnapshots:
    """Each world (a builder that takes ``(app, session)`` and returns the objects the
    tests use) is built once per worker into its own database and folders. A test that
    asks for it gets an app on a copy of that database (``app`` looks at the fixtures
    the test asks for), copies of the folders, and the world's objects loaded in its
    own session.

    A copy is a file copy on SQLite and CREATE DATABASE ... TEMPLATE on PostgreSQL
    (made ahead, while the previous test runs), where building a world through the
    services took up to a second a test. Only for worlds whose state is all in the
    database and the app's folders: nothing in localstripe that a test then changes, no
    ``app.config`` set by the builder.
    """

    FOLDERS = ("MEDIA_ROOT", "DOCUMENT_ROOT", "SEARCH_INDEX_DIR")

    def __init__(self, databases, root: Path, localstripe_port: int):
        self.databases, self.root, self.localstripe_port = databases, root, localstripe_port
        self.built: dict[str, tuple[str, dict, object]] = {}

    @staticmethod
    def _asked(request):
        """The snapshot fixture among those the test asks for, if any."""
        for defs in request.node._fixtureinfo.name2fixturedefs.values():
            spec = getattr(defs[-1].func, "world_snapshot", None)
            if spec is not None:
                return spec
        return None

    def template_for(self, request) -> str | None:
        spec = self._asked(request)
        if spec is None:
            return None
        key, build, needs = spec
        for name in needs:
            request.getfixturevalue(name)
        if key not in self.built:
            self._build(key, build)
        return self.built[key][0]

    def _build(self, key: str, build) -> None:
        directory = self.root / f"world-{len(self.built)}"
        directory.mkdir()
        url = self.databases.new(directory)
        app = create_app(TestConfig, {
            "SQLALCHEMY_DATABASE_URI": url,
            "INSTANCE_PATH": str(directory / "instance"),
            "MEDIA_ROOT": str(directory / "media"),
            "DOCUMENT_ROOT": str(directory / "documents"),
            "SEARCH_INDEX_DIR": str(directory / "search"),
            "LOCALSTRIPE_URL": f"http://127.0.0.1:{self.localstripe_port}",
        })
        app.test_client_class = FreshContextClient
        app.jinja_env.bytecode_cache = TEMPLATE_CODE
        with app.app_context():
            world = build(app, _db.session)
            _db.session.commit()
            frozen = _freeze(world)
            _db.session.remove()
            _db.engine.dispose()
        self.built[key] = (url, {name: app.config[name] for name in self.FOLDERS}, frozen)

    def restore(self, key: str, app, session):
        _url, folders, frozen = self.built[key]
        for name, source in folders.items():
            if Path(source).exists():
                shutil.copytree(source, app.config[name], dirs_exist_ok=True)
        return _thaw(frozen, session)


@pytest.fixture(scope="session")
def world_snapshots(databases, tmp_path_factory, localstripe_port):
    return WorldSnapshots(databases, tmp_path_factory.mktemp("worlds"), localstripe_port)


def snapshot_world(build, *, needs: tuple[str, ...] = ()):
    """A fixture giving each test a copy of the world ``build(app, session)`` makes,
    built once per worker; ``needs`` are fixtures the builder relies on (localstripe)."""
    key = f"{build.__module__}.{build.__qualname__}"

    def fixture(app, session, world_snapshots):
        return world_snapshots.restore(key, app, session)

    fixture.world_snapshot = (key, build, needs)
    fixture.__doc__ = build.__doc__
    return pytest.fixture(fixture)
