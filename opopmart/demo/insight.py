"""Demo direct sales: a few offline sales for the first demo pesantren and kopontren, so
that the studio's list and the admins' market data have something beside online orders.

Deterministic (a seeded generator, dates counted back from ``today``) and idempotent: a
producer that already has a direct sale gets none. One sale is voided with its reason, as
the correction path leaves it. Written as the system (no recording user). Flushes only.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..catalogue.models import Producer, ProducerKind, Product, ProductStatus, ProductVariant
from ..insight.models import DirectSale, SaleChannel

PRODUCERS = 8  # how many demo producers get sales
SALES_EACH = 4
DAYS_BACK = 75
BUYER_REGIONS = ("35.78", "35.73", "35.07", "35.15", "35.09", "31", "33", None)
CHANNELS = (SaleChannel.EXPO, SaleChannel.PESANTREN_STORE, SaleChannel.TRADE_MISSION,
            SaleChannel.RESELLER, SaleChannel.PESANTREN_STORE, SaleChannel.OTHER)
NOTES = {
    SaleChannel.EXPO: "Expo produk pesantren, stan bersama OPOP",
    SaleChannel.TRADE_MISSION: "Kontrak dari misi dagang",
    SaleChannel.RESELLER: "Pesanan rutin reseller",
}


def load_direct_sales(session: Session, producer_slugs: Sequence[str], *, today: date,
                      now: datetime) -> int:
    """Sales for up to PRODUCERS of ``producer_slugs`` (pesantren and kopontren, verified,
    with a published product), in that order. Returns how many rows were added."""
    rng = random.Random(7_2019)
    producers = {p.slug: p for p in session.scalars(
        select(Producer).where(Producer.slug.in_(list(producer_slugs)),
                               Producer.verified.is_(True),
                               Producer.kind.in_((ProducerKind.PESANTREN, ProducerKind.KOPONTREN))))}
    chosen = [producers[slug] for slug in producer_slugs if slug in producers][:PRODUCERS]
    if not chosen:
        return 0
    have = set(session.scalars(
        select(DirectSale.producer_id).where(DirectSale.producer_id.in_([p.id for p in chosen]))
        .group_by(DirectSale.producer_id)))
    added = 0
    for n, producer in enumerate(chosen):
        if producer.id in have:
            continue
        offers = session.execute(
            select(Product.id, Product.name, func.min(ProductVariant.price))
            .join(ProductVariant, ProductVariant.product_id == Product.id)
            .where(Product.producer_id == producer.id, Product.status == ProductStatus.PUBLISHED)
            .group_by(Product.id, Product.name).order_by(Product.id)
        ).all()
        if not offers:
            continue
        for k in range(SALES_EACH):
            product_id, name, price = offers[(n + k) % len(offers)]
            channel = CHANNELS[(n + k) % len(CHANNELS)]
            quantity = rng.choice((12, 24, 30, 50, 100, 250))
            sale = DirectSale(
                producer_id=producer.id, sold_on=today - timedelta(days=rng.randrange(1, DAYS_BACK)),
                channel=channel, product_id=product_id, commodity=name[:160], quantity=quantity,
                unit="pcs", value=int(price) * quantity, buyer_region_code=rng.choice(BUYER_REGIONS),
                note=NOTES.get(channel, ""), recorded_by_id=None, created_at=now, void_reason="",
            )
            if n == 0 and k == SALES_EACH - 1:
                # The correction path, shown once: a sale typed twice, voided with its reason.
                sale.voided_at = now
                sale.void_reason = "Tercatat dua kali"
            session.add(sale)
            added += 1
    session.flush()
    return added
