"""Helpers for the search tests: the backend parameter, building the index, reading pages.

Every search test takes ``search_backend``, which runs it once per name in
``opopmart.search.backend.BACKENDS``: a second backend is tested by adding its name.
"""

from __future__ import annotations

import re
from html import unescape

import pytest

from opopmart.search.backend import BACKENDS, current_backend
from opopmart.search.indexer import reindex

CARD_NAME = re.compile(r'<span class="card-name">(.*?)</span>', re.S)
TAG = re.compile(r"<[^>]+>")
FACET_SECTION = re.compile(r'<section class="facet facet-(\w+)">(.*?)</section>', re.S)
FACET_OPTION = re.compile(r'<a href="[^"]*"(?: aria-current="true" class="facet-selected")?>(.*?) '
                          r'<span class="count">([\d.]+)</span>', re.S)


@pytest.fixture(params=BACKENDS)
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
    fails with an OSError."""

    def __init__(self, app):
        self.app = app

    def __enter__(self):
        if self.app.config["SEARCH_BACKEND"] == "whoosh":
            directory = backend(self.app).store.current_dir()
            self.blocker = directory / "MAIN.tmp"
            assert not self.blocker.exists()
            self.blocker.write_text("not a directory")
        else:  # pragma: no cover - each backend adds its own way to fail
            raise NotImplementedError(self.app.config["SEARCH_BACKEND"])
        return self

    def repair(self) -> None:
        self.blocker.unlink()

    def __exit__(self, *exc):
        if self.blocker.exists():
            self.repair()
