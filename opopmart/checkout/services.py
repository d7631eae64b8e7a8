"""Cart to order: price from the database, ship per producer, reserve stock, one order.

``plan_checkout`` is what the summary page shows and ``place_order`` writes exactly that
plan again from the database, so a stale page or a tampered form can change nothing but
the choices it is allowed to make (address, courier per producer). A checkout token
issued with the summary makes a second submit of the same page find the first order.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..cart.models import Cart, CartLine
from ..cart.pricing import PricedCart, ProducerGroup, price_cart
from ..orders import stock
from ..orders.models import (
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    Shipment,
    ShipmentEvent,
    ShipmentStatus,
)
from .models import Address, Courier
from .stripe_gateway import Intent, StripeGateway

# No 0/O or 1/I: order numbers are read aloud on the phone to a producer.
_NUMBER_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


class CheckoutError(ValueError):
    """Messages per field ("cart", "address", "courier-<producer id>", "stock")."""

    def __init__(self, errors: dict[str, list]):
        super().__init__("; ".join(f"{k}: {[str(m) for m in v]}" for k, v in errors.items()))
        self.errors = errors


@dataclass
class ShipmentPlan:
    group: ProducerGroup
    courier: Courier | None
    quote: object | None  # shipping.Quote for the chosen courier
    options: list  # every shipping.Quote available for this shipment, cheapest first

    @property
    def shipping_cost(self) -> int:
        return self.quote.cost if self.quote is not None else 0


@dataclass
class CheckoutPlan:
    cart: PricedCart
    address: Address | None
    shipments: list[ShipmentPlan]

    @property
    def items_total(self) -> int:
        return self.cart.items_total

    @property
    def shipping_total(self) -> int:
        return sum(plan.shipping_cost for plan in self.shipments)

    @property
    def grand_total(self) -> int:
        return self.items_total + self.shipping_total

    @property
    def complete(self) -> bool:
        return (
            self.address is not None
            and self.cart.purchasable
            and all(plan.quote is not None for plan in self.shipments)
        )


def new_checkout_token() -> str:
    return secrets.token_urlsafe(24)


def plan_checkout(
    session: Session, *, cart: Cart | None, address: Address | None,
    couriers: Mapping[int, Courier | str | None],
) -> CheckoutPlan:
    """Price the cart and quote each producer's shipment to ``address``.

    ``couriers`` maps producer id to the chosen courier; a missing or unknown choice
    falls back to the cheapest available one, so the summary always shows a total.
    """
    from .shipping import quotes

    priced = price_cart(session, cart)
    plans: list[ShipmentPlan] = []
    for group in priced.groups:
        options = []
        if address is not None:
            options = quotes(
                session, origin_region_code=group.producer.region_code,
                dest_region_code=address.region_code, dest_province_code=address.province_code,
                weight_grams=group.weight_grams,
            )
        wanted = couriers.get(group.producer.id)
        chosen = next((q for q in options if q.courier == wanted), options[0] if options else None)
        plans.append(ShipmentPlan(group=group, courier=chosen.courier if chosen else None,
                                  quote=chosen, options=options))
    return CheckoutPlan(cart=priced, address=address, shipments=plans)


def _plan_errors(plan: CheckoutPlan) -> dict[str, list]:
    errors: dict[str, list] = {}
    if not plan.cart.groups:
        errors["cart"] = [_l("Keranjang Anda kosong.")]
    elif plan.cart.problems:
        errors["cart"] = [_l("Beberapa barang di keranjang perlu diperbaiki dulu.")]
    if plan.address is None:
        errors["address"] = [_l("Pilih alamat pengiriman.")]
    for shipment in plan.shipments:
        if plan.address is not None and shipment.quote is None:
            errors[f"courier-{shipment.group.producer.id}"] = [
                _l("Tidak ada kurir yang melayani pengiriman ini.")
            ]
    return errors


def _new_number(session: Session, now: datetime) -> str:
    while True:
        suffix = "".join(secrets.choice(_NUMBER_ALPHABET) for _ in range(6))
        number = f"OPM-{now:%y%m%d}-{suffix}"
        if session.scalar(select(Order.id).where(Order.number == number)) is None:
            return number


def existing_order(session: Session, *, user_id: int, checkout_token: str) -> Order | None:
    return session.scalar(
        select(Order).where(Order.checkout_token == checkout_token, Order.user_id == user_id)
    )


def place_order(
    session: Session, *, user_id: int, cart: Cart | None, address: Address | None,
    couriers: Mapping[int, Courier | str | None], checkout_token: str, now: datetime,
    payment_timeout: timedelta,
) -> Order:
    """Write the order, its shipments and lines, and reserve the stock; all or nothing.

    A token already used by this user returns that order unchanged (a double submit).
    On CheckoutError or OutOfStock the caller rolls back: rows may already be flushed.
    Checkout is all of the cart: the lines bought leave the cart.
    """
    previous = existing_order(session, user_id=user_id, checkout_token=checkout_token)
    if previous is not None:
        return previous
    if address is not None and address.user_id != user_id:
        address = None  # the view already 404s; never ship to another user's address
    plan = plan_checkout(session, cart=cart, address=address, couriers=couriers)
    errors = _plan_errors(plan)
    if errors:
        raise CheckoutError(errors)

    order = Order(
        number=_new_number(session, now), user_id=user_id, status=OrderStatus.PENDING_PAYMENT,
        checkout_token=checkout_token,
        recipient=address.recipient, phone=address.phone, street=address.street,
        village=address.village, district=address.district, region_code=address.region_code,
        city_name=address.city_name, province_code=address.province_code,
        postal_code=address.postal_code,
        items_total=plan.items_total, shipping_total=plan.shipping_total,
        grand_total=plan.grand_total, refunded_total=0,
        expires_at=now + payment_timeout, created_at=now, updated_at=now,
    )
    session.add(order)
    # The unique checkout token conflicts here, before any stock is touched.
    session.flush()
    for shipment_plan in plan.shipments:
        group, quote = shipment_plan.group, shipment_plan.quote
        shipment = Shipment(
            order=order, producer_id=group.producer.id, status=ShipmentStatus.PENDING_PAYMENT,
            origin_region_code=group.producer.region_code, courier=quote.courier, zone=quote.zone,
            weight_grams=group.weight_grams, billable_kg=quote.billable_kg,
            shipping_cost=quote.cost, items_subtotal=group.subtotal,
            created_at=now, updated_at=now,
        )
        session.add(shipment)
        for line in group.lines:
            session.add(OrderLine(
                order=order, shipment=shipment, product_id=line.product.id,
                variant_id=line.variant.id, product_name=line.product.name,
                variant_name=line.variant_name, sku=line.variant.sku,
                unit_price=line.unit_price, quantity=line.quantity,
                weight_grams=line.variant.weight_grams, line_total=line.line_total,
            ))
    session.flush()
    for shipment in order.shipments:
        session.add(ShipmentEvent(shipment_id=shipment.id, actor_id=user_id, from_status=None,
                                  to_status=ShipmentStatus.PENDING_PAYMENT, created_at=now))
    session.add(OrderEvent(order_id=order.id, actor_id=user_id, from_status=None,
                           to_status=OrderStatus.PENDING_PAYMENT, created_at=now))
    try:
        stock.reserve(session, [(line.variant.id, line.quantity) for line in plan.cart.lines])
    except stock.OutOfStock as exc:
        names = [line.product.name for line in plan.cart.lines if line.variant.id in exc.variant_ids]
        raise CheckoutError({"stock": [
            _l("Stok tidak cukup lagi untuk: %(names)s.", names=", ".join(names))
        ]}) from exc
    session.execute(delete(CartLine).where(CartLine.cart_id == cart.id))
    session.expire(cart, ["lines"])
    session.flush()
    return order


def start_payment(session: Session, order: Order, gateway: StripeGateway) -> Intent:
    """Create (or, for a double submit, find) the order's one PaymentIntent.

    The idempotency key is derived from the order, so Stripe answers a retried call
    with the same intent instead of a second charge.
    """
    if order.payment_intent_id:
        return gateway.retrieve_intent(order.payment_intent_id)
    intent = gateway.create_intent(
        order_number=order.number, amount_rupiah=order.grand_total,
        idempotency_key=f"opopmart-order-{order.number}",
    )
    order.payment_intent_id = intent.id
    session.flush()
    return intent
