"""Changes to the catalogue. Services flush; the request (or CLI command) commits once."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import and_, exists, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from ..core.models import bump_version
from ..core.timeutil import today_jakarta, utcnow
from .models import (
    PRODUCT_WORKFLOW,
    Certification,
    Producer,
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


def listing_values() -> dict[str, ColumnElement]:
    """SQL expressions for every listing-projection column of ``products``.

    Kept as one UPDATE so the projection can never be computed two different ways.
    """
    active = and_(ProductVariant.product_id == Product.id, ProductVariant.is_active.is_(True))
    min_price = select(func.min(ProductVariant.price)).where(active).scalar_subquery()
    return {
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
        ),
    }


def refresh_products(
    session: Session,
    product_ids: Collection[int] | None = None,
    producer_ids: Collection[int] | None = None,
) -> None:
    """Recompute the listing projection of the given products (or all of a producer's)."""
    stmt = update(Product).values(**listing_values()).execution_options(synchronize_session=False)
    if product_ids is not None:
        stmt = stmt.where(Product.id.in_(list(product_ids)))
    if producer_ids is not None:
        stmt = stmt.where(Product.producer_id.in_(list(producer_ids)))
    session.flush()
    session.execute(stmt)
    # Objects already loaded must not keep showing the old projection.
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Product) and (
            (product_ids is not None and obj.id in product_ids)
            or (producer_ids is not None and obj.producer_id in producer_ids)
        ):
            session.expire(obj, list(listing_values()))
    bump_version(session)


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


def set_producer_verified(session: Session, producer: Producer, verified: bool) -> None:
    """Verification gates every product of the producer at once."""
    producer.verified = verified
    producer.verified_at = utcnow() if verified else None
    session.flush()
    refresh_products(session, producer_ids=[producer.id])


def attach_certification(session: Session, product: Product, certification: Certification) -> None:
    if certification.producer_id != product.producer_id:
        raise ValueError("a product can only carry its own producer's certificates")
    session.execute(
        product_certifications.insert().values(
            product_id=product.id, certification_id=certification.id
        )
    )
