"""Orders for tests, placed through the real services: cart lines, an address, place_order.

The cart is filled with CartLine rows directly (the cart's own services have their own
tests); pricing, shipping, stock reservation and the order rows are the app's.
"""

from __future__ import annotations

from datetime import timedelta

from opopmart.cart.models import Cart, CartLine
from opopmart.checkout.models import Address
from opopmart.checkout.services import new_checkout_token, place_order, start_payment
from opopmart.checkout.stripe_gateway import gateway
from opopmart.core.timeutil import utcnow


def address(session, user, *, region_code: str | None = "35.07", city_name: str = "Kab. Malang",
            province_code: str = "35", **fields) -> Address:
    row = Address(
        user_id=user.id, label=fields.pop("label", "Rumah"), recipient=fields.pop("recipient", user.name),
        phone=fields.pop("phone", "+6281234567890"), street=fields.pop("street", "Jl. Melati 12"),
        village=fields.pop("village", "Sumbersari"), district=fields.pop("district", "Lowokwaru"),
        region_code=region_code, city_name=city_name, province_code=province_code,
        postal_code=fields.pop("postal_code", "65145"), is_default=True, **fields,
    )
    session.add(row)
    session.flush()
    return row


def fill_cart(session, user, items) -> Cart:
    """``items``: (variant, quantity) pairs put in ``user``'s cart."""
    cart = session.query(Cart).filter_by(user_id=user.id).one_or_none()
    if cart is None:
        cart = Cart(user_id=user.id)
        session.add(cart)
        session.flush()
    for variant, quantity in items:
        session.add(CartLine(cart_id=cart.id, variant_id=variant.id, quantity=quantity))
    session.flush()
    return cart


def placed_order(session, user, items, *, to: Address | None = None, couriers=None,
                 now=None, timeout=timedelta(minutes=60)):
    """A pending order for ``items`` (stock reserved), committed, without a PaymentIntent."""
    cart = fill_cart(session, user, items)
    order = place_order(
        session, user_id=user.id, cart=cart, address=to or address(session, user),
        couriers=couriers or {}, checkout_token=new_checkout_token(), now=now or utcnow(),
        payment_timeout=timeout,
    )
    session.commit()
    return order


def order_with_intent(app, session, user, items, **kwargs):
    """A pending order with its PaymentIntent on localstripe (use the ``localstripe`` fixture)."""
    order = placed_order(session, user, items, **kwargs)
    intent = start_payment(session, order, gateway(app))
    session.commit()
    return order, intent
