"""Paid orders across two producers, placed and paid through the app's own services.

Producer A (Kopontren Al Amin, Kab. Jember) sells coffee, producer B (Toko Budi) honey;
each has an owner who is logged in on a client of their own when asked. The shopper's
order is paid at localstripe with Stripe's test card, then marked paid as the webhook
would (the webhook itself is tested elsewhere).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from opopmart.catalogue.models import Product, ProductVariant
from opopmart.checkout.stripe_gateway import SandboxCard, gateway
from opopmart.core.timeutil import utcnow
from opopmart.extensions import db
from opopmart.notifications.models import Notification
from opopmart.orders import services as order_services
from opopmart.orders.models import Order, OrderEvent, Refund, Shipment, ShipmentEvent
from tests import factories as f
from tests.functional.order_support import order_with_intent
from tests.functional.seller_support import post, seller  # noqa: F401 - post is for the tests
from tests.functional.test_accounts import login, make_user


@dataclass
class Shop:
    owner: object
    producer: object
    product: Product
    variant: ProductVariant
    client: object | None


@dataclass
class Market:
    a: Shop
    b: Shop
    shopper: object
    shopper_client: object


def market(app, session, *, stock: int = 10, log_in: bool = True) -> Market:
    """Two verified shops with one published product each and a shopper."""
    category = f.category(session, "Makanan")
    shops = []
    for email, name, shop, item, price in (
        ("ani@contoh.id", "Ani Rahma", "Kopontren Al Amin", "Kopi Robusta Al Amin", 25_000),
        ("budi@contoh.id", "Budi Santoso", "Toko Budi", "Madu Hutan Budi", 60_000),
    ):
        client = app.test_client() if log_in else None
        owner, producer = seller(session, client, email=email, name=name, shop=shop)
        product = f.product(session, producer, category, item, prices=[price], stock=stock,
                            weight_grams=600)
        session.commit()
        shops.append(Shop(owner, producer, product, product.variants[0], client))
    shopper = make_user(session, email="siti@contoh.id", name="Siti Aminah")
    shopper_client = app.test_client()
    if log_in:
        login(shopper_client, email="siti@contoh.id")
    return Market(shops[0], shops[1], shopper, shopper_client)


def paid_order(app, session, shopper, items, *, pay: bool = True) -> Order:
    """An order for ``items`` ((variant, qty) pairs) with its intent paid at localstripe."""
    order, intent = order_with_intent(app, session, shopper, items)
    if pay:
        after = gateway(app).pay_with_test_card(intent.id, SandboxCard.SUCCEEDS)
        assert after.status == "succeeded"
        order_services.mark_paid(session, order, now=utcnow())
        session.commit()
    return order


def reload(model, row_id):
    db.session.expire_all()
    return db.session.get(model, row_id)


def shipment_of(order: Order, shop: Shop) -> Shipment:
    db.session.expire_all()
    order = db.session.get(Order, order.id)
    return next(s for s in order.shipments if s.producer_id == shop.producer.id)


def stock_of(variant) -> int:
    db.session.expire_all()
    return db.session.get(ProductVariant, variant.id).stock


def stripe_refunds(app, order: Order) -> list[int]:
    """The amounts (Stripe's IDR hundredths) refunded at localstripe for the order's intent."""
    client = gateway(app).client
    result = client.v1.refunds.list(params={"payment_intent": order.payment_intent_id})
    return sorted(refund["amount"] for refund in result.data)


def count(model) -> int:
    db.session.expire_all()
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


TABLES = (Order, Shipment, ShipmentEvent, OrderEvent, Refund, ProductVariant, Notification)


def snapshot() -> dict:
    """Every row of the tables fulfilment writes, as plain tuples."""
    db.session.expire_all()
    rows = {}
    for model in TABLES:
        cols = list(model.__table__.columns)
        rows[model.__tablename__] = sorted(
            tuple(r) for r in db.session.execute(select(*cols)).all())
    return rows


def notifications_of(user_id: int) -> list[tuple[str, dict]]:
    db.session.expire_all()
    return [(n.kind, n.params) for n in db.session.scalars(
        select(Notification).where(Notification.user_id == user_id).order_by(Notification.id))]


TOKEN_PAGE = "/pesanan"


def shopper_post(client, path: str, data: dict | None = None):
    """A POST with a CSRF token read from the shopper's own order list."""
    from tests.functional.test_accounts import csrf_token

    return client.post(path, data={**(data or {}), "csrf_token": csrf_token(client, TOKEN_PAGE)})

