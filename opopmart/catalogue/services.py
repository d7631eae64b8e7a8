"""Changes to the catalogue. Services flush; the request (or CLI command) commits once."""

from __future__ import annotations

import functools

from collections.abc import Collection

from sqlalchemy import and_, exists, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql import ColumnElement

from ..core.models import bump_version
from ..core.timeutil import today_jakarta, utcnow
from .models import (
    PRODUCER_WORKFLOW,
    PRODUCT_WORKFLOW,
    Certification,
    Producer,
    ProducerEvent,
    ProducerStatus,
    Product,
    ProductEvent,
    ProductImage,
    ProductStatus,
    ProductVariant,
    product_certifications,
)


def certificate_is_public(day=None) -> ColumnElement[bool]:
    """A certificate the public may rely on: checked by a curator and not expired."""
    day = day or today_jakarta()
    return and_(
        Certification.verified.is_(True),
        (Certification.expires_on.is_(None)) | (Certification.expires_on >= day),
    )


LISTING_COLUMNS = ("min_price", "max_price", "in_stock", "cover_image", "is_listed")


def listing_values(day=None) -> dict[str, ColumnElement]:
    """SQL expressions for every listing-projection column of ``products``.

    Kept as one UPDATE so the projection can never be computed two different ways.
    ``lapses_on`` is an input here, kept by ``refresh_products`` and the daily lapse check.
    """
    return _listing_values(day or today_jakarta())


@functools.lru_cache(maxsize=4)
def _listing_values(day) -> dict[str, ColumnElement]:
    """Built once per day: the expressions are immutable, and building them was a fifth
    of every product change's time."""
    active = and_(ProductVariant.product_id == Product.id, ProductVariant.is_active.is_(True))
    min_price = select(func.min(ProductVariant.price)).where(active).scalar_subquery()
    values = {
        "min_price": min_price,
        "max_price": select(func.max(ProductVariant.price)).where(active).scalar_subquery(),
        "in_stock": exists().where(active, ProductVariant.stock > 0),
        "cover_image": select(ProductImage.key)
        .where(ProductImage.product_id == Product.id)
        .order_by(ProductImage.position, ProductImage.id)
        .limit(1)
        .scalar_subquery(),
        "is_listed": and_(
            Product.status == ProductStatus.PUBLISHED,
            exists().where(Producer.id == Product.producer_id, Producer.verified.is_(True)),
            exists().where(active),
            Product.lapses_on.is_(None) | (Product.lapses_on >= day),
        ),
    }
    assert tuple(values) == LISTING_COLUMNS
    return values


def refresh_products(
    session: Session,
    product_ids: Collection[int] | None = None,
    producer_ids: Collection[int] | None = None,
) -> None:
    """Recompute the listing projection of the given products (or all of a producer's).

    Named products also get their certificate lapse date recomputed: every change to a
    product's certificates, category or halal claim refreshes the product by id.
    """
    if product_ids:
        _store_lapse_dates(session, product_ids)
    stmt = update(Product).values(**listing_values()).execution_options(synchronize_session=False)
    if product_ids is not None:
        stmt = stmt.where(Product.id.in_(list(product_ids)))
    if producer_ids is not None:
        stmt = stmt.where(Product.producer_id.in_(list(producer_ids)))
    session.flush()
    session.execute(stmt)
    # The search index follows is_listed: queue the same products, applied after commit.
    from ..search.indexer import enqueue

    enqueue(session, product_ids, producer_ids)
    # Objects already loaded must not keep showing the old projection.
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Product) and (
            (product_ids is not None and obj.id in product_ids)
            or (producer_ids is not None and obj.producer_id in producer_ids)
        ):
            session.expire(obj, [*LISTING_COLUMNS, "lapses_on"])
    bump_version(session)


def _store_lapse_dates(session: Session, product_ids: Collection[int]) -> None:
    from .requirements import lapse_dates

    session.flush()
    rows = [{"id": pid, "lapses_on": lapses_on}
            for pid, lapses_on in lapse_dates(session, product_ids).items()]
    if rows:
        # ORM bulk UPDATE by primary key: one executemany.
        session.execute(update(Product), rows)


def change_product_status(
    session: Session,
    product: Product,
    target: ProductStatus,
    *,
    actor_id: int | None,
    note: str = "",
) -> ProductEvent:
    """Move a product along PRODUCT_WORKFLOW and record who did it; else IllegalTransition."""
    current = product.status
    PRODUCT_WORKFLOW.require(current, target)
    product.status = target
    if target is ProductStatus.PUBLISHED and product.published_at is None:
        product.published_at = utcnow()
    event = ProductEvent(
        product_id=product.id, actor_id=actor_id, from_status=current, to_status=target, note=note
    )
    session.add(event)
    session.flush()
    refresh_products(session, product_ids=[product.id])
    return event


class StatusChanged(Exception):
    """The row's status changed since this request read it (someone else acted first)."""


def change_producer_status(
    session: Session,
    producer: Producer,
    target: ProducerStatus,
    *,
    actor_id: int | None,
    reason: str = "",
) -> ProducerEvent:
    """Move a producer along PRODUCER_WORKFLOW (else IllegalTransition) and record who did
    it and why. The one writer of ``status``: it keeps ``verified``, the projection the
    catalogue reads, equal to ``status == verified``, and refreshes the producer's products.

    The UPDATE only matches the status this request read, so of two curators deciding at
    once exactly one wins; the other gets StatusChanged and writes nothing.
    """
    current = producer.status
    PRODUCER_WORKFLOW.require(current, target)
    verified = target is ProducerStatus.VERIFIED
    now = utcnow()
    values = {"status": target, "verified": verified, "verified_at": now if verified else None,
              "updated_at": now}
    session.flush()
    result = session.execute(
        update(Producer)
        .where(Producer.id == producer.id, Producer.status == current)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise StatusChanged(f"producer {producer.id} is no longer {current.value}")
    for key, value in values.items():
        set_committed_value(producer, key, value)
    event = ProducerEvent(producer_id=producer.id, actor_id=actor_id, from_status=current,
                          to_status=target, reason=reason)
    session.add(event)
    session.flush()
    refresh_products(session, producer_ids=[producer.id])
    return event


def set_producer_verified(session: Session, producer: Producer, verified: bool) -> ProducerEvent | None:
    """Verify (or suspend) a producer with no curator named: fixtures and the demo loader.

    Goes through change_producer_status, so the status, the events and the listing
    projection agree. Returns the last event written; asking for the state the producer
    is already in writes nothing and returns None.
    """
    event = None
    if verified:
        if producer.status is ProducerStatus.REFUSED:
            event = change_producer_status(session, producer, ProducerStatus.PENDING, actor_id=None)
        if producer.status is ProducerStatus.PENDING:
            event = change_producer_status(session, producer, ProducerStatus.VERIFIED, actor_id=None)
    elif producer.status is ProducerStatus.VERIFIED:
        event = change_producer_status(session, producer, ProducerStatus.REFUSED, actor_id=None)
    return event


def readable_certificate(session: Session, *, user, certification_id: int) -> Certification | None:
    """The certificate if ``user`` may read its documents: a member of its producer, a
    curator or an admin. Anyone else gets None, exactly as for an id that does not exist."""
    from ..accounts.models import ProducerMember

    cert = session.get(Certification, certification_id)
    if cert is None or not getattr(user, "is_authenticated", False):
        return None
    if user.has_role("curator") or user.has_role("admin"):
        return cert
    member = session.execute(
        select(ProducerMember.user_id).where(
            ProducerMember.user_id == user.id, ProducerMember.producer_id == cert.producer_id)
    ).first()
    return cert if member is not None else None


def attach_certification(session: Session, product: Product, certification: Certification) -> None:
    if certification.producer_id != product.producer_id:
        raise ValueError("a product can only carry its own producer's certificates")
    session.execute(
        product_certifications.insert().values(
            product_id=product.id, certification_id=certification.id
        )
    )
