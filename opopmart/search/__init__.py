"""Product search: an Indonesian analyzer, a Whoosh index kept current through a queue
table, ranking and facet counts over document sets, the /cari page and typeahead.

See backend.py (the interface a second backend implements), indexer.py (how the
index follows the catalogue) and engine.py (how queries are answered).
"""

from __future__ import annotations

from flask import Flask


def register_search(app: Flask) -> None:
    from .cli import search_cli
    from .indexer import register_queue_hook

    register_queue_hook()
    app.cli.add_command(search_cli)
