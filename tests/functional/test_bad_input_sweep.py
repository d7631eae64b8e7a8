"""Bad input everywhere: no 500, and nothing a visitor typed is ever echoed unescaped.

Nothing here lists routes or forms by hand, so new ones are swept as soon as they exist:

- the routes are the app's own ``url_map`` (read when the tests are collected); the roles
  that may open each page, and the sample data that fills its path, come from the access
  matrix (tests/functional/test_access_matrix.py) and its world;
- every page is fetched as each role the matrix lets in, its ``<form>``s are parsed and
  submitted (their method and action) once per bad value, every field set to that value
  at once, with the form's own valid CSRF token; the query parameters a page's GET forms
  and links use are sent with each bad value the same way, and so (once per route) are
  those its package's code reads that no link shows yet (``halaman`` before a 2nd page);
- each path argument of every route is replaced by each bad value (a 404 or a 400);
- no HTML page holds the script or image payload unescaped, ``{{7*7}}`` never comes back
  as 49, and no CSV download starts a cell with the spreadsheet formula;
- at the end, every row of every table still loads through the ORM and the database's
  own constraint checks pass.

One test per route, as each role that reaches it: xdist spreads them. A form, or a link's
query parameter, swept once in this run (as any role, on any worker) is not swept again:
the header's search form and language links are on every page, and a row's form on every
row; what a field accepts does not depend on who sends it. Every failure is collected and
reported at once, with the route, role, fields and value.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import io
import os
import re
import tempfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import NamedTuple
from urllib.parse import parse_qsl, quote, unquote, urljoin, urlsplit

import pytest
from sqlalchemy import select, text
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from opopmart import create_app
from opopmart.accounts.models import User
from opopmart.cart.models import Cart, CartLine
from opopmart.config import TestConfig
from opopmart.extensions import db
from tests.conftest import run_folder, snapshot_world
from tests.functional.test_access_matrix import MATRIX, ROLES, TO_LOGIN, build_world, log_in

BAD_VALUES = [
    "", " ", "x" * 10000, "-1", "0", "1e309", "99999999999999999999999",
    "2147483648",  # one past an INTEGER column on PostgreSQL
    "abc", "3.5", "😀ñ\u202e", "\x00",
    "²",  # str.isdigit() says yes, int() says no
    "<script>alert('xss')</script>", "\"><img src=x onerror=alert(1)>",
    "' OR 1=1 --", "Robert'); DROP TABLE users;--", "{{7*7}}", "../../etc/passwd",
    "=cmd|' /C calc'!A0",
]
# What must never reach a page as markup.
RAW_PAYLOADS = ("<script>alert('xss')</script>", "<img src=x onerror=alert(1)>")
TEMPLATE_PAYLOAD, TEMPLATE_BASELINE = "{{7*7}}", "abc"
ECHOED = {value for value in BAD_VALUES if any(p in value for p in RAW_PAYLOADS)} | {
    TEMPLATE_PAYLOAD, TEMPLATE_BASELINE}
# On PostgreSQL the sweep looks for what the database does with a value (types, lengths,
# NUL, quotes): the escaping, template and spreadsheet payloads test the app alone, and are
# swept on SQLite (the first pass of `make test`).
APP_ONLY_VALUES = ECHOED - {TEMPLATE_BASELINE} | {"../../etc/passwd", "=cmd|' /C calc'!A0"}
if os.environ.get("TEST_DATABASE_URL"):
    BAD_VALUES = [value for value in BAD_VALUES if value not in APP_ONLY_VALUES]
# What file inputs get instead of text: a small file that is no image, and an empty one.
BAD_FILES = [(b"bukan gambar, hanya teks\n", "catatan.jpg"), (b"", "kosong.pdf")]
NOT_SWEPT_PATHS = ("/static/", "/media/")


# --- The routes, read from the app itself when the tests are collected ---------------------

def _app_rules() -> dict[str, list[tuple[str, frozenset[str], tuple[str, ...]]]]:
    """endpoint -> [(rule, methods, argument names)] of a throwaway app's url_map."""
    with tempfile.TemporaryDirectory() as instance:
        app = create_app(TestConfig, {"SQLALCHEMY_DATABASE_URI": "sqlite://", "INSTANCE_PATH": instance,
                                      "SEARCH_INDEX_DIR": f"{instance}/search"})
        rules: dict[str, list] = {}
        for rule in app.url_map.iter_rules():
            methods = frozenset(rule.methods - {"HEAD", "OPTIONS"})
            rules.setdefault(rule.endpoint, []).append((rule.rule, methods, tuple(rule.arguments)))
        return rules


RULES = _app_rules()
MATRIX_ROWS = {(endpoint, method): (template, expected)
               for endpoint, method, template, _form, expected in reversed(MATRIX)}


def _page_roles(endpoint: str) -> list[str]:
    """The roles that the matrix says open the page (200); every role for a route the
    matrix does not know yet (the test then sweeps it wherever it answers 200)."""
    if (endpoint, "GET") in MATRIX_ROWS:
        expected = MATRIX_ROWS[endpoint, "GET"][1]
        return [role for role in ROLES if expected[role] == 200]
    if any("GET" in methods for _, methods, _ in RULES[endpoint]) and endpoint not in {
            e for e, _ in MATRIX_ROWS}:
        return list(ROLES)
    return []


def _path_role(endpoint: str) -> str:
    """Who gets furthest into the route: the first role the matrix lets through, else the
    first it answers 404 (the owner-scoped lookup ran); admin for a route it does not know."""
    for method in ("GET", "POST"):
        if (endpoint, method) in MATRIX_ROWS:
            expected = MATRIX_ROWS[endpoint, method][1]
            through = [role for role in ROLES if expected[role] not in (403, 404)
                       and not (role == "anonymous" and expected[role] is TO_LOGIN)]
            looked_up = [role for role in ROLES if expected[role] == 404]
            return (through + looked_up + ["anonymous"])[0]
    return "admin"


def _cases():
    """(endpoint, [(role, sweep its page, sweep its path arguments)]) for every route
    that some role can reach."""
    cases = []
    for endpoint in sorted(RULES):
        has_args = any(args for _, _, args in RULES[endpoint])
        roles = _page_roles(endpoint)
        path_role = _path_role(endpoint) if has_args else None
        plan = [(role, role in roles, role == path_role) for role in ROLES
                if role in roles or role == path_role]
        if plan:
            cases.append(pytest.param(endpoint, plan, id=endpoint))
    return cases


# --- Pages: forms and links ----------------------------------------------------------------

@dataclass
class Form:
    method: str
    action: str
    multipart: bool
    form_id: str | None
    fields: list[tuple[str, str]] = field(default_factory=list)  # (name, kind: text|file)
    csrf: str | None = None


class PageParser(HTMLParser):
    """Every form (with its fields, hidden ones and named buttons included) and link."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.links: list[str] = []
        self._open: Form | None = None
        self._outside: list[tuple[str, str, str, str | None]] = []  # fields with form="id"

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            self._open = Form(method=(a.get("method") or "get").upper(), action=a.get("action", ""),
                              multipart="multipart" in a.get("enctype", ""), form_id=a.get("id"))
            self.forms.append(self._open)
        elif tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag in ("input", "select", "textarea", "button") and a.get("name"):
            kind = a.get("type", "").lower()
            if tag == "input" and kind in ("reset", "image"):
                return
            name, value = a["name"], a.get("value", "")
            entry = (name, "file" if kind == "file" else "text")
            if a.get("form"):
                self._outside.append((a["form"], *entry, value))
            elif self._open is not None:
                self._add(self._open, *entry, value)

    def handle_endtag(self, tag):
        if tag == "form":
            self._open = None

    @staticmethod
    def _add(form: Form, name: str, kind: str, value: str) -> None:
        if name == "csrf_token":
            form.csrf = value
        elif (name, kind) not in form.fields:
            form.fields.append((name, kind))

    def close(self):
        super().close()
        by_id = {form.form_id: form for form in self.forms if form.form_id}
        for form_id, name, kind, value in self._outside:
            if form_id in by_id:
                self._add(by_id[form_id], name, kind, value)


def _same_site(url: str) -> bool:
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc or parts.netloc == "localhost"


# --- One sweep: its requests, its checks, its failures -------------------------------------

_TOKENS = re.compile(r'(name="csrf_token" (?:type="hidden" )?value="[^"]*"|nonce="[^"]*")')
_FORMULA = re.compile(r'(?:^|[,;\r\n"])=cmd\|')  # the spreadsheet payload, as a cell's start
_FORTY_NINE = re.compile(r"(?<![\w.,:/%+-])49(?![\w.,:%])")


def _forty_nines(html: str) -> int:
    return len(_FORTY_NINE.findall(_TOKENS.sub("", html)))


class Sweep:
    def __init__(self, client, endpoint: str, role: str, claims: Path) -> None:
        self.client, self.endpoint, self.role, self.claims = client, endpoint, role, claims
        self.adapter = client.application.url_map.bind("localhost")
        self._csrf: str | None = None
        self.failures: list[str] = []
        self.requests = 0
        self._baseline: dict[str, int] = {}

    def claim(self, key: tuple) -> bool:
        """True for the first test of this run (on any xdist worker) to sweep ``key``."""
        name = hashlib.sha1(repr(key).encode(), usedforsecurity=False).hexdigest()
        try:
            os.close(os.open(self.claims / name, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            return False
        return True

    def fail(self, where: str, what: str, value: str, problem: str) -> None:
        self.failures.append(f"{self.endpoint} as {self.role}: {where} {what} = {value[:40]!r}: {problem}")

    def send(self, method: str, url: str, where: str, what: str, value: str, **kwargs):
        """One request, checked. For the values whose echo is looked for, a 3xx to this
        site is followed once and checked too (a flashed message shows there)."""
        response = self._open(method, url, where, what, value, **kwargs)
        if response is not None and 300 <= response.status_code < 400 and value in ECHOED:
            location = response.headers.get("Location", "")
            if location and _same_site(location):
                self._open("GET", location, where, f"{what} -> {urlsplit(location).path}", value)
        return response

    def _open(self, method, url, where, what, value, **kwargs):
        self.requests += 1
        try:
            response = self.client.open(url, method=method, **kwargs)
        except Exception as exc:  # noqa: BLE001 - an uncaught error is a 500 in production
            self.fail(where, what, value, f"500 ({type(exc).__name__}: {str(exc)[:160]})")
            return None
        body = response.get_data(as_text=True) if response.mimetype in ("text/html", "text/csv") else ""
        response.close()
        if response.status_code >= 500:
            self.fail(where, what, value, f"status {response.status_code}")
        if response.mimetype == "text/csv":
            if _FORMULA.search(body):
                self.fail(where, what, value, "a formula cell in a CSV download (not neutralised)")
            return response
        for payload in RAW_PAYLOADS:
            if payload in body:
                self.fail(where, what, value, f"{payload!r} echoed unescaped")
        key = f"{method} {where} {what}"
        if value == TEMPLATE_BASELINE:
            self._baseline[key] = _forty_nines(body)
        elif value == TEMPLATE_PAYLOAD and _forty_nines(body) > self._baseline.get(key, 0):
            self.fail(where, what, value, "rendered as a template (49)")
        return response

    # Forms
    def form(self, page_url: str, form: Form) -> None:
        target = urlsplit(_resolve(page_url, form.action))
        if not _same_site(form.action) or target.path.startswith(NOT_SWEPT_PATHS):
            return
        names = [name for name, _ in form.fields]
        if not names or form.method != "POST":
            return  # a button alone has no field to put a bad value in; GET forms are queries
        # The same form as another role (the header's search, a row's buttons) is swept
        # once: what a field accepts does not depend on who sends it.
        key = (form.method, self._endpoint(target.path, "POST"), tuple(sorted(names)))
        if not self.claim(key):
            return
        what = ", ".join(names)
        for index, value in enumerate(BAD_VALUES):
            data = {name: value for name, kind in form.fields if kind == "text"}
            for name, kind in form.fields:
                if kind == "file":
                    content, filename = BAD_FILES[index % len(BAD_FILES)]
                    data[name] = (io.BytesIO(content), filename)
            if form.csrf is not None:
                data["csrf_token"] = form.csrf
            self.send("POST", target.path + (f"?{target.query}" if target.query else ""),
                      f"POST form {target.path}", what, value, data=data,
                      content_type="multipart/form-data" if form.multipart else None)

    # Query parameters
    def queries(self, page_url: str, parser: PageParser, read: set[str]) -> None:
        """The query parameters that the page's GET forms and this site's links (the page's
        own URL among them) send, per target path: each bad value in all of them at once.
        A parameter swept on a path as this role before is not swept again.

        ``read`` are the parameters the route's code reads that no link on this page shows
        (a pager appears only past one page): swept on the page once, by its first role."""
        by_path: dict[str, set[str]] = {urlsplit(page_url).path: set()}
        targets = [(href, [k for k, _ in parse_qsl(urlsplit(href).query, True)])
                   for href in parser.links + [page_url]]
        targets += [(form.action, [name for name, kind in form.fields if kind == "text"])
                    for form in parser.forms if form.method == "GET"]
        for href, names in targets:
            target = urlsplit(_resolve(page_url, href))
            if _same_site(href) and names and not target.path.startswith(NOT_SWEPT_PATHS):
                by_path.setdefault(target.path, set()).update(names)
        for path, names in sorted(by_path.items()):
            endpoint = self._endpoint(path, "GET")
            fresh = sorted(name for name in names if self.claim(("GET", endpoint, name)))
            if path == urlsplit(page_url).path:
                fresh += sorted(name for name in read - names
                                if self.claim(("first role", "GET", endpoint, name)))
            if fresh:
                for value in BAD_VALUES:
                    self.send("GET", path, f"GET {path}", ", ".join(fresh), value,
                              query_string={name: value for name in fresh})

    # Path arguments
    def path_arguments(self, url: str, method: str, rule: str, arguments) -> None:
        """Each argument of ``rule`` (as filled in ``url``) replaced by every bad value.

        A URL that no route matches (``-1`` where a number goes) runs no view, only the
        404 page: that page is requested once per bad value and role, and the rest of
        such URLs are only matched against the routes."""
        rule_parts, url_parts = rule.strip("/").split("/"), urlsplit(url).path.strip("/").split("/")
        if len(rule_parts) != len(url_parts):
            return
        for position, part in enumerate(rule_parts):
            match = re.fullmatch(r"(.*)<(?:[^:<>]+:)?([a-z_]+)>(.*)", part)
            if not match or match.group(2) not in arguments:
                continue
            prefix, name, suffix = match.groups()
            for value in BAD_VALUES:
                parts = list(url_parts)
                parts[position] = prefix + quote(value, safe="") + suffix
                path = "/" + "/".join(parts)
                if not self._routes(path, method):
                    if not self.claim(("unrouted", value)):
                        continue
                data = {"csrf_token": self.csrf_token()} if method == "POST" else None
                self.send(method, path, f"{method} {rule}", f"<{name}>", value, data=data)

    def _endpoint(self, path: str, method: str) -> str:
        """The route a path goes to: a form or link is the same on every row it is on."""
        try:
            return self.adapter.match(path, method=method)[0]
        except HTTPException:
            return path

    def _routes(self, path: str, method: str) -> bool:
        try:
            self.adapter.match(unquote(path), method=method)
        except RequestRedirect:
            return True
        except HTTPException:
            return False
        return True

    def csrf_token(self) -> str:
        if self._csrf is None:
            page = self.client.get("/daftar" if self.role == "anonymous" else "/akun").get_data(as_text=True)
            self._csrf = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
        return self._csrf


_READS = re.compile(r"""(?:args|values)\s*(?:\.get(?:list)?\(\s*|\[\s*)["']([\w-]+)["']""")


def _read_params(app, endpoint: str) -> set[str]:
    """Query parameter names that the code of the route's package reads
    (``request.args.get("halaman")``, ``args.getlist("cert")``, ``request.values[...]``)."""
    module = inspect.getmodule(app.view_functions[endpoint])
    if module is None or not module.__name__.startswith("opopmart."):
        return set()
    return set(_package_reads(str(Path(module.__file__).parent)))


@functools.cache
def _package_reads(package: str) -> frozenset[str]:
    return frozenset(name for source in Path(package).glob("*.py")
                     for name in _READS.findall(source.read_text(encoding="utf-8")))


def _resolve(page_url: str, href: str) -> str:
    return urljoin("http://localhost" + page_url, href)


# --- The world: built once per worker, copied for each test -----------------------------------

def build_sweep_world(app, session):
    """The matrix's world, plus one line in every user's cart (so that checkout shows)."""
    built = build_world(app, session)
    for user in session.scalars(select(User)).all():
        cart = session.scalar(select(Cart).where(Cart.user_id == user.id))
        if cart is None:
            cart = Cart(user_id=user.id)
            session.add(cart)
            session.flush()
        if not cart.lines:
            session.add(CartLine(cart_id=cart.id, variant_id=built.variant_a, quantity=1))
    session.commit()
    return built


# Built once per worker, copied for each test (tests/conftest.py).
sweep_world = snapshot_world(build_sweep_world)


@pytest.fixture(scope="session")
def sweep_claims(tmp_path_factory) -> Path:
    """What was swept in this run, on any worker."""
    return run_folder(tmp_path_factory, "bad-input-sweep-claims")


class Target(NamedTuple):
    url: str
    method: str
    rule: str
    arguments: tuple[str, ...]
    from_matrix: bool  # the matrix's own URL for the route, so the page must answer 200


def _fill(app, world, endpoint: str) -> list[Target]:
    """Each rule and method of ``endpoint``, filled with the matrix's sample data: its own
    URL where it has one, else arguments named as in other rows of the matrix (a
    ``product_id`` is product A's id ...). A rule whose arguments nothing names is left out."""
    adapter = app.url_map.bind("localhost")
    known, by_name = _sample_urls(adapter, world)
    filled = []
    for rule, methods, arguments in RULES[endpoint]:
        for method in sorted(methods):
            url = known.get((endpoint, method))
            if url is not None and _matches(adapter, urlsplit(url).path, endpoint, method, rule):
                filled.append(Target(url, method, rule, arguments, True))
            elif all(name in by_name for name in arguments):
                filled.append(Target(_build(rule, by_name), method, rule, arguments, False))
    return filled


_SAMPLES: dict[int, tuple[dict, dict]] = {}


def _sample_urls(adapter, world) -> tuple[dict[tuple[str, str], str], dict[str, str]]:
    """The matrix's URL per (endpoint, method), and a value per path argument name (the
    first row that names it), for this worker's world: worked out once."""
    if id(world) not in _SAMPLES:
        known: dict[tuple[str, str], str] = {}
        by_name: dict[str, str] = {}
        for (row_endpoint, method), (template, _) in MATRIX_ROWS.items():
            known[row_endpoint, method] = template.format(**vars(world))
            try:
                _, args = adapter.match(urlsplit(known[row_endpoint, method]).path, method=method)
            except HTTPException:  # a row for a route that has gone
                continue
            for name, value in args.items():
                by_name.setdefault(name, str(value))
        _SAMPLES[id(world)] = known, by_name
    return _SAMPLES[id(world)]


def _matches(adapter, url, endpoint, method, rule) -> bool:
    try:
        matched = adapter.match(url, method=method, return_rule=True)
    except HTTPException:
        return False
    return matched[0].endpoint == endpoint and matched[0].rule == rule


def _build(rule: str, values: dict[str, str]) -> str:
    def argument(match):
        converter, name = match.group(1) or "", match.group(2)
        if converter.startswith("any("):
            return converter[4:].split(",")[0].strip().strip("'\"")
        return values[name]
    return re.sub(r"<(?:([^:<>]+):)?([a-z_]+)>", argument, rule)


# --- The test ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("endpoint", "plan"), _cases())
def test_bad_input_sweep(app, session, sweep_world, sweep_claims, endpoint, plan):
    failures, requests = [], 0
    filled = _fill(app, sweep_world, endpoint)
    for role, sweep_page, sweep_path in plan:
        # given a fresh session of each role that reaches the route, on the rich world
        # of the access matrix
        client = app.test_client()
        log_in(client, role)
        sweep = Sweep(client, endpoint, role, sweep_claims)

        # when every form, query parameter and path argument of the route gets each bad value
        if sweep_page:
            for url, method, _rule, _args, from_matrix in filled:
                if method != "GET":
                    continue
                response = client.get(url)
                page = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
                response.close()
                if from_matrix and response.status_code != 200:
                    sweep.fail("GET", url, "", f"the page itself answered {response.status_code}")
                parser = PageParser()
                parser.feed(page)
                parser.close()
                for form in parser.forms:
                    sweep.form(url, form)
                sweep.queries(url, parser, _read_params(app, endpoint))
        if sweep_path:
            swept_rules = set()
            for target in sorted(filled, key=lambda target: target.method != "GET"):
                if target.arguments and target.rule not in swept_rules:  # GET where it has one
                    swept_rules.add(target.rule)
                    sweep.path_arguments(target.url, target.method, target.rule, target.arguments)
        failures += sweep.failures
        requests += sweep.requests

    # then nothing failed, and every row still loads and passes the database's checks
    session.rollback()
    session.expire_all()
    for mapper in db.Model.registry.mappers:
        session.scalars(select(mapper.class_)).all()
    if session.get_bind().dialect.name == "sqlite":
        assert session.execute(text("PRAGMA foreign_key_check")).all() == []
        assert session.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    else:
        assert session.execute(text("SELECT conname FROM pg_constraint WHERE NOT convalidated")).all() == []
    assert failures == [], f"{len(failures)} failures in {requests} requests:\n" + "\n".join(failures)
