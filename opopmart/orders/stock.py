"""Stock held by orders: taken at placement, given back when an order ends unshipped.

Each variant is touched with one conditional UPDATE (``stock >= qty``), in ascending
variant id, so two checkouts over the same variants queue behind each other instead of
deadlocking (PostgreSQL) and no interleaving can take stock below zero; the CHECK on
``product_variants.stock`` is the last line of defence.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import update
from sqlalchemy.orm import Session

from ..catalogue.models import ProductVariant


class OutOfStock(Exception):
    """Raised with the variant ids that could not be reserved; the caller rolls back."""

    def __init__(self, variant_ids: list[int]):
        super().__init__(f"not enough stock for variants {variant_ids}")
        self.variant_ids = variant_ids


def _by_variant(lines: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    wanted: dict[int, int] = defaultdict(int)
    for variant_id, quantity in lines:
        if quantity <= 0:
            raise ValueError("quantities are positive")
        wanted[variant_id] += quantity
    return sorted(wanted.items())


def reserve(session: Session, lines: Iterable[tuple[int, int]]) -> None:
    """Take ``quantity`` of each ``variant_id``, all or nothing (raise OutOfStock).

    Only active variants can be taken. On OutOfStock some rows may already be
    decremented in this transaction: the caller must roll back, as for any error.
    """
    short: list[int] = []
    for variant_id, quantity in _by_variant(lines):
        result = session.execute(
            update(ProductVariant)
            .where(
                ProductVariant.id == variant_id,
                ProductVariant.is_active.is_(True),
                ProductVariant.stock >= quantity,
            )
            .values(stock=ProductVariant.stock - quantity)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            short.append(variant_id)
    if short:
        raise OutOfStock(short)
    _after_stock_change(session, [vid for vid, _ in _by_variant(lines)])


def release(session: Session, lines: Iterable[tuple[int, int]]) -> None:
    """Put quantities back (a variant deleted since has nothing to return to)."""
    pairs = _by_variant(lines)
    for variant_id, quantity in pairs:
        session.execute(
            update(ProductVariant)
            .where(ProductVariant.id == variant_id)
            .values(stock=ProductVariant.stock + quantity)
            .execution_options(synchronize_session=False)
        )
    _after_stock_change(session, [vid for vid, _ in pairs])


def _after_stock_change(session: Session, variant_ids: list[int]) -> None:
    """Loaded variants must show the new stock; listings and search follow in_stock."""
    from sqlalchemy import select

    from ..catalogue.services import refresh_products

    if not variant_ids:
        return
    for obj in list(session.identity_map.values()):
        if isinstance(obj, ProductVariant) and obj.id in variant_ids:
            session.expire(obj, ["stock"])
    product_ids = set(
        session.scalars(
            select(ProductVariant.product_id).where(ProductVariant.id.in_(variant_ids))
        )
    )
    refresh_products(session, product_ids=product_ids)
