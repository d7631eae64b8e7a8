"""A cart priced from the database: the one reading the cart page and checkout share.

Nothing the client sends is a price. Each line is priced from its variant's current
price and wholesale tiers for its quantity, and says why it cannot be bought now
(no longer for sale, out of stock, fewer than the minimum order, more than the stock).
Lines are grouped by producer because each producer ships its own part.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..catalogue.models import Producer, Product, ProductVariant
from ..catalogue.pricing import unit_price_for
from ..core.timeutil import today_jakarta
from .models import Cart, CartLine

UNAVAILABLE = _l("Produk ini sedang tidak dijual.")
OUT_OF_STOCK = _l("Stok habis.")


def below_minimum(minimum: int):
    return _l("Minimal pembelian %(n)s.", n=minimum)


def above_stock(stock: int):
    return _l("Stok tersisa %(n)s.", n=stock)


@dataclass
class PricedLine:
    line_id: int
    variant: ProductVariant
    product: Product
    quantity: int
    unit_price: int
    line_total: int
    weight_grams: int  # all units of the line
    problem: object | None = None  # a lazy message when the line cannot be bought as is

    @property
    def variant_name(self) -> str:
        return self.variant.label


@dataclass
class ProducerGroup:
    producer: Producer
    lines: list[PricedLine] = field(default_factory=list)

    @property
    def subtotal(self) -> int:
        return sum(line.line_total for line in self.lines)

    @property
    def weight_grams(self) -> int:
        return sum(line.weight_grams for line in self.lines)

    @property
    def purchasable(self) -> bool:
        return bool(self.lines) and all(line.problem is None for line in self.lines)


@dataclass
class PricedCart:
    groups: list[ProducerGroup]

    @property
    def lines(self) -> list[PricedLine]:
        return [line for group in self.groups for line in group.lines]

    @property
    def items_total(self) -> int:
        return sum(group.subtotal for group in self.groups)

    @property
    def unit_count(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def problems(self) -> list[PricedLine]:
        return [line for line in self.lines if line.problem is not None]

    @property
    def purchasable(self) -> bool:
        return bool(self.groups) and not self.problems


def for_sale(product: Product, variant: ProductVariant, day: date) -> bool:
    """Public and not lapsed today (the daily lapse check may not have run yet)."""
    return (
        product.is_listed
        and variant.is_active
        and (product.lapses_on is None or product.lapses_on >= day)
    )


def line_problem(product: Product, variant: ProductVariant, quantity: int, day: date):
    if not for_sale(product, variant, day):
        return UNAVAILABLE
    if variant.stock <= 0:
        return OUT_OF_STOCK
    if quantity < variant.min_order_qty:
        return below_minimum(variant.min_order_qty)
    if quantity > variant.stock:
        return above_stock(variant.stock)
    return None


def price_cart(session: Session, cart: Cart | None, *, day: date | None = None) -> PricedCart:
    if cart is None or cart.id is None:
        return PricedCart(groups=[])
    day = day or today_jakarta()
    rows = session.execute(
        select(CartLine, ProductVariant, Product)
        .join(ProductVariant, ProductVariant.id == CartLine.variant_id)
        .join(Product, Product.id == ProductVariant.product_id)
        .where(CartLine.cart_id == cart.id)
        .options(selectinload(ProductVariant.wholesale_tiers))
        .order_by(Product.producer_id, CartLine.id)
    ).all()
    producers = {
        p.id: p
        for p in session.scalars(
            select(Producer).where(Producer.id.in_({product.producer_id for _, _, product in rows}))
        )
    }
    groups: dict[int, ProducerGroup] = {}
    for line, variant, product in rows:
        unit = unit_price_for(variant.price, variant.wholesale_tiers, line.quantity)
        group = groups.setdefault(product.producer_id, ProducerGroup(producers[product.producer_id]))
        group.lines.append(
            PricedLine(
                line_id=line.id, variant=variant, product=product, quantity=line.quantity,
                unit_price=unit, line_total=unit * line.quantity,
                weight_grams=variant.weight_grams * line.quantity,
                problem=line_problem(product, variant, line.quantity, day),
            )
        )
    ordered = sorted(groups.values(), key=lambda g: (g.producer.name.lower(), g.producer.id))
    return PricedCart(groups=ordered)
