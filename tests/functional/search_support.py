"""Helpers for the search tests: the backend parameter, building the index, reading pages.

Every search test takes ``search_backend``, which runs it once per backend the test
database can carry (``SEARCH_BACKENDS``): Whoosh on SQLite; Whoosh and PostgreSQL
full-text search when the tests run on PostgreSQL (TEST_DATABASE_URL).
"""

from __future__ import annotations

import os
import re
from html import unescape

import pytest
from sqlalchemy import text

from opopmart.extensions import db
from opopmart.search.backend import backends_for, current_backend
from opopmart.search.indexer import reindex

# The backends of this test run: the parametrisation follows the database in use.
SEARCH_BACKENDS = backends_for(os.environ.get("TEST_DATABASE_URL") or "sqlite://")

CARD_NAME = re.compile(r'<span class="card-name">(.*?)</span>', re.S)
TAG = re.compile(r"<[^>]+>")
FACET_SECTION = re.compile(r'<section class="facet facet-(\w+)">(.*?)</section>', re.S)
FACET_OPTION = re.compile(r'<a href="[^"]*"(?: aria-current="true" class="facet-selected")?>(.*?) '
                          r'<span class="count">([\d.]+)</span>', re.S)


@pytest.fixture(params=SEARCH_BACKENDS)
def search_backend(request, app):
    app.config["SEARCH_BACKEND"] = request.param
    return request.param


def build_index(app) -> int:
    return reindex(app)


def backend(app):
    return current_backend(app)


def html_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def card_names(response) -> list[str]:
    return [unescape(TAG.sub("", n)) for n in CARD_NAME.findall(html_of(response))]


def card_name_html(response) -> list[str]:
    return CARD_NAME.findall(html_of(response))


def result_count(response) -> int:
    match = re.search(r'data-testid="result-count">([\d.]+) produk', html_of(response))
    assert match, "result count missing"
    return int(match.group(1).replace(".", ""))


def facets(response) -> dict[str, dict[str, int]]:
    """{group: {label: count}} as the facet panel shows them."""
    out = {}
    for group, body in FACET_SECTION.findall(html_of(response)):
        out[group] = {unescape(TAG.sub("", label)).strip(): int(count.replace(".", ""))
                      for label, count in FACET_OPTION.findall(body)}
    return out


def did_you_mean(response) -> str | None:
    match = re.search(r'data-testid="did-you-mean">.*?<a href="([^"]*)">([^<]*)</a>', html_of(response), re.S)
    return unescape(match.group(2)) if match else None


class broken_index_writes:
    """Make every write to the index fail for real (not a stand-in for our code), then
    repair it. Running as root, permissions would not stop a write: for Whoosh a plain
    file takes the name of the writer's scratch directory, so setting up any writer
    fails with an OSError. For PostgreSQL (whose tests connect as a superuser, whom
    REVOKE would not stop either) a trigger refuses every statement that writes
    search_documents, as a full disk or a lost table would: the writer's transaction
    fails and rolls back."""

    def __init__(self, app):
        self.app = app
        self.broken = False

    def __enter__(self):
        if self.app.config["SEARCH_BACKEND"] == "whoosh":
            directory = backend(self.app).store.current_dir()
            self.blocker = directory / "MAIN.tmp"
            assert not self.blocker.exists()
            self.blocker.write_text("not a directory")
        elif self.app.config["SEARCH_BACKEND"] == "postgres":
            with db.engine.begin() as conn:
                conn.execute(text(
                    "CREATE FUNCTION test_refuse_search_writes() RETURNS trigger LANGUAGE plpgsql AS "
                    "$$ BEGIN RAISE EXCEPTION 'search_documents cannot be written (test)'; END $$"))
                conn.execute(text(
                    "CREATE TRIGGER test_refuse_search_writes BEFORE INSERT OR UPDATE OR DELETE "
                    "ON search_documents FOR EACH STATEMENT EXECUTE FUNCTION test_refuse_search_writes()"))
        else:  # pragma: no cover - each backend adds its own way to fail
            raise NotImplementedError(self.app.config["SEARCH_BACKEND"])
        self.broken = True
        return self

    def repair(self) -> None:
        if self.app.config["SEARCH_BACKEND"] == "whoosh":
            self.blocker.unlink()
        else:
            with db.engine.begin() as conn:
                conn.execute(text("DROP TRIGGER test_refuse_search_writes ON search_documents"))
                conn.execute(text("DROP FUNCTION test_refuse_search_writes()"))
        self.broken = False

    def __exit__(self, *exc):
        if self.broken:
            self.repair()
