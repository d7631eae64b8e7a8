"""``flask --app opopmart search ...``: rebuild, apply the queue, inspect."""

from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import AppGroup

from .backend import IndexBusy, current_backend

search_cli = AppGroup("search", help="The product search index.")


@search_cli.command("reindex")
@click.option("--if-missing", is_flag=True,
              help="Only when there is no index yet (or it was built by an older analyzer).")
def reindex_command(if_missing: bool) -> None:
    """Rebuild the index from the database into a fresh directory, then swap it in.

    Searches keep using the old index until the new one is complete; changes made
    meanwhile are applied right after the swap.
    """
    from .indexer import reindex

    backend = current_backend()
    if if_missing and backend.exists() and _current_format(backend):
        click.echo("Search index present; not rebuilt.")
        return
    started = time.perf_counter()
    bar = None

    def total(count: int) -> None:
        nonlocal bar
        bar = click.progressbar(length=count, label="Indexing products", show_pos=True)
        bar.__enter__()

    def progress(step: int) -> None:
        if bar is not None:
            bar.update(step)

    try:
        count = reindex(current_app._get_current_object(), progress=progress, total=total)
    except IndexBusy as exc:
        raise click.ClickException(f"search index busy: {exc}") from None
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    click.echo(f"Search index rebuilt: {count} products in {time.perf_counter() - started:.1f} s.")


def _current_format(backend) -> bool:
    """False when the index was built by an older analyzer (or layout): rebuild it."""
    store = getattr(backend, "store", None)
    if store is not None:
        return store.is_current_format()
    check = getattr(backend, "is_current_format", None)
    return check() if check is not None else True


@search_cli.command("drain")
def drain_command() -> None:
    """Apply every queued change now (after a failure, or from cron as a safety net)."""
    from .indexer import apply_pending, queue_length

    applied = apply_pending(current_app._get_current_object(), max_batches=None)
    left = queue_length()
    click.echo(f"{applied} queued change(s) applied; {left} left.")
    if left:
        raise SystemExit(1)


@search_cli.command("status")
def status_command() -> None:
    """Where the index is, what it holds and how many changes wait in the queue."""
    from .indexer import queue_length

    for key, value in current_backend().status().items():
        click.echo(f"{key}: {value}")
    click.echo(f"queued changes: {queue_length()}")
