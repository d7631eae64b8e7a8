"""Product search: an Indonesian analyzer, an index kept current through a queue table
(Whoosh files, or PostgreSQL full-text search with SEARCH_BACKEND=postgres), ranking
and facet counts, the /cari page and typeahead.

See backend.py (the interface both backends implement), indexer.py (how the index
follows the catalogue), engine.py (how the Whoosh backend answers queries) and
postgres_backend.py (the same answers from PostgreSQL).
"""

from __future__ import annotations

from flask import Flask

# Indexes only PostgreSQL can have (GIN over a tsvector): on SQLite the migration
# leaves them out, so autogenerate there must not offer to add them.
POSTGRES_ONLY_INDEXES = frozenset({"ix_search_documents_document"})


def register_search(app: Flask) -> None:
    from .backend import check_backend
    from .cli import search_cli
    from .indexer import register_queue_hook

    check_backend(app)
    register_queue_hook()
    app.cli.add_command(search_cli)
    _skip_postgres_only_indexes(app)


def _skip_postgres_only_indexes(app: Flask) -> None:
    from sqlalchemy.engine import make_url

    migrate = app.extensions.get("migrate")
    url = app.config.get("SQLALCHEMY_DATABASE_URI") or ""
    if migrate is None or make_url(url).get_backend_name() == "postgresql":
        return
    previous = migrate.configure_args.get("include_object")

    def include_object(obj, name, type_, reflected, compare_to):
        if type_ == "index" and name in POSTGRES_ONLY_INDEXES:
            return False
        return previous(obj, name, type_, reflected, compare_to) if previous else True

    migrate.configure_args["include_object"] = include_object
