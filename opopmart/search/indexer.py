"""Keeping the index current: the queue, applying it after commit, and rebuilds.

1. ``enqueue`` (called by ``catalogue.services.refresh_products``, the one place that
   recomputes whether a product is public) inserts a ``search_queue`` row per affected
   product in the same transaction as the change: one INSERT ... SELECT.
2. After the commit, ``apply_pending`` (a SQLAlchemy ``after_commit`` hook) takes the
   backend's writer (one across threads and processes, waited on with a timeout), and
   only then reads the queued rows and the products' current state from the database,
   writes the documents (or removes the products no longer public), commits the index,
   and, still holding the writer, deletes exactly the rows it read (by id; ids are
   never reused) in a short transaction of its own.

Reading after taking the writer is what keeps the order right: a change committed
while another writer works keeps its row and is applied by the next writer, which
reads the newer state. A failure (lock timeout, full disk, unwritable directory)
is logged and leaves the rows for the next commit, ``flask search drain`` or
``flask search reindex``: the change is never lost and the request never fails for
it. Until applied, a queued product is left out of every search (results, counts,
suggestions), so a product that was just hidden can never show through a stale index.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection

from flask import Flask, current_app
from sqlalchemy import delete, event, func, insert, literal, select
from sqlalchemy.orm import Session

from ..catalogue.models import Product
from ..core.timeutil import utcnow
from ..extensions import db
from .backend import IndexBusy, current_backend
from .documents import all_documents, count_public, documents_for
from .models import SearchQueueEntry

log = logging.getLogger("opopmart.search")

PENDING = "opopmart.search_pending"
BATCH = 500


def enqueue(session: Session, product_ids: Collection[int] | None = None,
            producer_ids: Collection[int] | None = None) -> None:
    """Queue the products (given, or all of the producers') for the index, in the
    caller's transaction."""
    rows = select(Product.id, literal(utcnow(), SearchQueueEntry.enqueued_at.type))
    if product_ids is not None:
        rows = rows.where(Product.id.in_(list(product_ids)))
    if producer_ids is not None:
        rows = rows.where(Product.producer_id.in_(list(producer_ids)))
    session.execute(
        insert(SearchQueueEntry).from_select(["product_id", "enqueued_at"], rows)
    )
    session.info[PENDING] = True


def pending_product_ids(session: Session | None = None) -> frozenset[int]:
    """Products with a change the index does not have yet."""
    session = session or db.session
    return frozenset(session.execute(select(SearchQueueEntry.product_id).distinct()).scalars())


def queue_length(session: Session | None = None) -> int:
    session = session or db.session
    return session.execute(select(func.count()).select_from(SearchQueueEntry)).scalar_one()


def apply_pending(app: Flask | None = None, *, max_batches: int | None = 20) -> int:
    """Apply queued changes to the index; returns how many queue rows were applied.

    Never raises: whatever fails is logged and stays queued.
    """
    app = app or current_app._get_current_object()
    applied = 0
    try:
        backend = current_backend(app)
        if not backend.exists():
            return 0  # nothing to apply to: `flask search reindex` will include them
        batches = 0
        while max_batches is None or batches < max_batches:
            batches += 1
            done = _apply_batch(backend)
            applied += done
            if done < BATCH:
                break
    except IndexBusy as exc:
        log.info("search index busy (%s); the changes stay queued", exc)
    except Exception:
        log.exception("search indexing failed; the changes stay queued and are retried")
    return applied


def _apply_batch(backend) -> int:
    engine = db.engine
    with backend.writer() as writer:
        # Read only now that this process holds the writer (see module docstring).
        with engine.connect() as conn:
            rows = conn.execute(
                select(SearchQueueEntry.id, SearchQueueEntry.product_id)
                .order_by(SearchQueueEntry.id).limit(BATCH)
            ).all()
            if not rows:
                return 0
            product_ids = {r[1] for r in rows}
            documents = documents_for(conn, product_ids)
        writer.remove(product_ids - documents.keys())
        writer.index(documents.values())
        writer.commit()
        # Still holding the writer: no other writer can have read these rows.
        row_ids = [r[0] for r in rows]
        with engine.begin() as conn:
            for start in range(0, len(row_ids), 500):
                conn.execute(delete(SearchQueueEntry)
                             .where(SearchQueueEntry.id.in_(row_ids[start:start + 500])))
    return len(rows)


def reindex(app: Flask | None = None, progress: Callable[[int], None] | None = None,
            total: Callable[[int], None] | None = None) -> int:
    """Rebuild the whole index from the database and make it live at once.

    While it runs, other writers leave their changes queued; the queue rows the
    rebuild has seen are deleted, the later ones applied right after the swap.
    """
    app = app or current_app._get_current_object()
    backend = current_backend(app)
    engine = db.engine
    with backend.exclusive():
        with engine.connect() as conn:
            last_seen = conn.execute(select(func.max(SearchQueueEntry.id))).scalar()
            if total is not None:
                total(count_public(conn))
            count = backend.rebuild(all_documents(conn), progress)
        if last_seen is not None:
            with engine.begin() as conn:
                conn.execute(delete(SearchQueueEntry).where(SearchQueueEntry.id <= last_seen))
    apply_pending(app, max_batches=None)
    return count


_hooked = False


def register_queue_hook() -> None:
    """Apply the queue after every commit that queued something (once per process).

    A flag left by a rolled-back transaction only costs one look at an empty queue.
    """
    global _hooked
    if _hooked:
        return
    _hooked = True

    @event.listens_for(db.session, "after_commit")
    def _apply_after_commit(session) -> None:
        if not session.info.pop(PENDING, False):
            return
        try:
            app = current_app._get_current_object()
        except RuntimeError:
            return  # no app: the rows wait for the next commit or `flask search drain`
        if app.config.get("SEARCH_APPLY_AFTER_COMMIT", True):
            apply_pending(app)
