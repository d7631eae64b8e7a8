"""Checkout: cart to one order with a shipment per producer, stock reserved, one PaymentIntent.

Shipping follows the seeded rate table (per kg): JNE same city 9.000, Jawa Timur 11.000,
Java 17.000, outside Java 38.000; Pos 7.000 / 9.000 / 14.000 / 32.000.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from opopmart.cart.models import Cart, CartLine
from opopmart.catalogue.models import ProductStatus, ProductVariant
from opopmart.checkout.services import CheckoutError, new_checkout_token, place_order
from opopmart.core.timeutil import utcnow
from opopmart.extensions import db
from opopmart.orders.models import Order, OrderEvent, OrderLine, Shipment, ShipmentEvent, ShipmentStatus
from tests import factories as f
from tests.functional.order_support import address, fill_cart
from tests.functional.test_accounts import csrf_token, login, make_user


@pytest.fixture
def shop(session):
    """Two producers: Surabaya (35.78) and Kabupaten Malang (35.07); a buyer in Kab. Malang."""
    cat = f.category(session, "Kopi")
    surabaya = f.producer(session, "Namira Ecoprint", region_code="35.78")
    malang = f.producer(session, "Kopontren Dampit", region_code="35.07")
    kain = f.product(session, surabaya, cat, "Kain Ecoprint", prices=[150_000], stock=3, weight_grams=400)
    kopi = f.product(session, malang, cat, "Kopi Dampit", prices=[25_000], stock=50, weight_grams=260,
                     tiers=[(10, 22_000)])
    buyer = make_user(session, email="buyer@contoh.id", name="Budi")
    home = address(session, buyer)  # Kab. Malang, Jawa Timur
    session.commit()
    return {"buyer": buyer, "home": home, "kain": kain.variants[0], "kopi": kopi.variants[0],
            "surabaya": surabaya, "malang": malang}


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def stock_of(variant_id: int) -> int:
    db.session.expire_all()
    return db.session.get(ProductVariant, variant_id).stock


def test_given_two_producers_in_cart_when_checkout_shown_then_totals_per_shipment(client, session, shop):
    fill_cart(session, shop["buyer"], [(shop["kain"], 2), (shop["kopi"], 10)])
    session.commit()
    login(client, email="buyer@contoh.id")

    page = client.get("/checkout").get_data(as_text=True)

    # Kain: 2 x 150.000, 800 g -> 1 kg, Surabaya -> Kab. Malang (Jawa Timur), cheapest Pos 9.000.
    # Kopi: tier 22.000 x 10 = 220.000, 2.600 g -> 3 kg, same kabupaten, Pos 7.000 x 3 = 21.000.
    assert 'data-testid="items-total">Rp 520.000<' in page
    assert 'data-testid="shipping-total">Rp 30.000<' in page
    assert 'data-testid="grand-total">Rp 550.000<' in page


def test_given_courier_chosen_when_recalculated_then_its_rate_is_used(client, session, shop):
    fill_cart(session, shop["buyer"], [(shop["kain"], 1)])
    session.commit()
    login(client, email="buyer@contoh.id")

    page = client.get(f"/checkout?kurir-{shop['surabaya'].id}=jne").get_data(as_text=True)

    assert 'data-testid="shipping-total">Rp 11.000<' in page
    assert 'data-testid="grand-total">Rp 161.000<' in page


def _place(client, data: dict | None = None):
    page = client.get("/checkout").get_data(as_text=True)
    import re

    token = re.search(r'name="token" type="hidden" value="([^"]+)"', page) or re.search(
        r'id="token" name="token" type="hidden" value="([^"]+)"', page)
    form = {"csrf_token": csrf_token(client, "/checkout"), "token": token.group(1)}
    form.update(data or {})
    return client.post("/checkout", data=form), form


def test_given_cart_when_order_placed_then_one_order_with_snapshots_and_reserved_stock(
        app, client, session, shop, localstripe):
    fill_cart(session, shop["buyer"], [(shop["kain"], 2), (shop["kopi"], 10)])
    session.commit()
    login(client, email="buyer@contoh.id")

    response, _ = _place(client, {"alamat": str(shop["home"].id), f"kurir-{shop['malang'].id}": "jne",
                                  "price": "1", "grand_total": "1"})

    order = db.session.scalars(select(Order)).one()
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/pembayaran/{order.number}")
    assert (order.items_total, order.shipping_total, order.grand_total) == (520_000, 36_000, 556_000)
    assert (order.recipient, order.city_name, order.postal_code) == ("Budi", "Kab. Malang", "65145")
    by_producer = {s.producer_id: s for s in order.shipments}
    kopi_shipment = by_producer[shop["malang"].id]
    assert (kopi_shipment.courier.value, kopi_shipment.zone.value, kopi_shipment.billable_kg,
            kopi_shipment.shipping_cost, kopi_shipment.items_subtotal) == ("jne", "same_city", 3, 27_000, 220_000)
    lines = {(line.product_name, line.sku, line.unit_price, line.quantity, line.weight_grams, line.line_total)
             for line in db.session.scalars(select(OrderLine))}
    assert lines == {("Kain Ecoprint", shop["kain"].sku, 150_000, 2, 400, 300_000),
                     ("Kopi Dampit", shop["kopi"].sku, 22_000, 10, 260, 220_000)}
    assert (stock_of(shop["kain"].id), stock_of(shop["kopi"].id)) == (1, 40)
    assert count(CartLine) == 0
    assert [s.status for s in order.shipments] == [ShipmentStatus.PENDING_PAYMENT] * 2
    assert (count(OrderEvent), count(ShipmentEvent)) == (1, 2)
    intent = app.extensions["stripe"].client.v1.payment_intents.retrieve(order.payment_intent_id)
    assert (intent["amount"], intent["currency"], intent["metadata"]["order_number"]) == (
        55_600_000, "idr", order.number)


def test_given_same_page_submitted_twice_when_placed_then_one_order_and_one_intent(
        client, session, shop, localstripe):
    fill_cart(session, shop["buyer"], [(shop["kain"], 1)])
    session.commit()
    login(client, email="buyer@contoh.id")
    first, form = _place(client)

    second = client.post("/checkout", data=form)

    assert first.headers["Location"] == second.headers["Location"]
    assert count(Order) == 1
    assert stock_of(shop["kain"].id) == 2


def test_given_another_users_address_when_placing_then_404_and_nothing_written(client, session, shop):
    other = make_user(session, email="lain@contoh.id", name="Lain")
    theirs = address(session, other)
    fill_cart(session, shop["buyer"], [(shop["kain"], 1)])
    session.commit()
    login(client, email="buyer@contoh.id")

    response, _ = _place(client, {"alamat": str(theirs.id)})

    assert response.status_code == 404
    assert (count(Order), stock_of(shop["kain"].id), count(CartLine)) == (0, 3, 1)


def test_given_product_unpublished_after_adding_when_placing_then_refused_and_nothing_written(
        client, session, shop):
    fill_cart(session, shop["buyer"], [(shop["kain"], 1)])
    session.commit()
    login(client, email="buyer@contoh.id")
    page = client.get("/checkout")
    f.move_to(session, shop["kain"].product, ProductStatus.ARCHIVED)
    session.commit()

    response, _ = _place(client)

    assert response.status_code == 409
    assert "Beberapa barang di keranjang perlu diperbaiki dulu." in response.get_data(as_text=True)
    assert page.status_code == 200
    assert (count(Order), count(CartLine)) == (0, 1)


def test_given_stock_sold_meanwhile_when_placing_then_refused_with_names_and_nothing_written(
        session, shop):
    cart = fill_cart(session, shop["buyer"], [(shop["kain"], 3)])
    session.commit()
    session.execute(ProductVariant.__table__.update().where(ProductVariant.id == shop["kain"].id)
                    .values(stock=2))
    session.commit()

    with pytest.raises(CheckoutError) as refused:
        place_order(session, user_id=shop["buyer"].id, cart=cart, address=shop["home"], couriers={},
                    checkout_token=new_checkout_token(), now=utcnow(), payment_timeout=timedelta(hours=1))
    session.rollback()

    assert [str(m) for m in refused.value.errors["cart"]] == [
        "Beberapa barang di keranjang perlu diperbaiki dulu."]
    assert (count(Order), stock_of(shop["kain"].id)) == (0, 2)


def test_given_anonymous_when_checkout_then_login_first(client):
    response = client.get("/checkout")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/masuk?next=")


def test_given_empty_cart_when_placing_then_refused(client, session, shop):
    login(client, email="buyer@contoh.id")

    response = client.post("/checkout", data={"csrf_token": csrf_token(client, "/akun"),
                                              "token": new_checkout_token()})

    assert response.status_code == 409
    assert "Keranjang Anda kosong." in response.get_data(as_text=True)
    assert count(Order) == 0


@pytest.mark.parametrize("token", ["", "pendek", "x" * 65, "<script>alert(1)</script>" * 2])
def test_given_bad_checkout_token_when_placing_then_400(client, session, shop, token):
    login(client, email="buyer@contoh.id")

    response = client.post("/checkout", data={"csrf_token": csrf_token(client, "/akun"), "token": token})

    assert response.status_code == 400
    assert count(Order) == 0


def test_given_20_buyers_for_last_5_units_when_all_check_out_at_once_then_exactly_5_orders(app, session):
    """Each buyer is a thread with its own connection, all released together by a barrier."""
    cat = f.category(session, "Madu")
    maker = f.producer(session, "Madu Randu", region_code="35.13")
    madu = f.product(session, maker, cat, "Madu Hutan", prices=[90_000], stock=5)
    variant_id = madu.variants[0].id
    buyers = []
    for i in range(20):
        user = make_user(session, email=f"b{i}@contoh.id", name=f"Pembeli {i}")
        home = address(session, user)
        cart = fill_cart(session, user, [(madu.variants[0], 1)])
        buyers.append((user.id, cart.id, home.id))
    session.commit()
    barrier = threading.Barrier(20)
    outcomes: list[str] = []
    lock = threading.Lock()

    def buy(user_id: int, cart_id: int, address_id: int) -> None:
        from opopmart.checkout.models import Address

        with app.app_context():
            s = db.session
            # Nothing touches the database before the barrier: a connection held while
            # waiting would starve the pool of the threads behind it.
            barrier.wait(timeout=60)
            try:
                cart, home = s.get(Cart, cart_id), s.get(Address, address_id)
                place_order(s, user_id=user_id, cart=cart, address=home, couriers={},
                            checkout_token=new_checkout_token(), now=utcnow(),
                            payment_timeout=timedelta(hours=1))
                s.commit()
                result = "ok"
            except CheckoutError:
                s.rollback()
                result = "sold out"
            except Exception as exc:  # anything else is a bug the assertion shows
                s.rollback()
                result = f"{type(exc).__name__}: {exc}"
            finally:
                s.remove()
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=buy, args=b) for b in buyers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    assert sorted(outcomes) == ["ok"] * 5 + ["sold out"] * 15
    assert stock_of(variant_id) == 0
    assert count(Order) == 5
    assert db.session.scalar(select(func.sum(OrderLine.quantity))) == 5
    assert count(Shipment) == 5


def test_given_an_address_id_that_is_no_number_then_default_shown_and_placing_refused(
        client, session, shop):
    fill_cart(session, shop["buyer"], [(shop["kain"], 1)])
    session.commit()
    login(client, email="buyer@contoh.id")

    # "²".isdigit() is true but int("²") raised: a 500 on both
    page = client.get("/checkout?alamat=²")
    response, _ = _place(client, {"alamat": "²"})

    assert page.status_code == 200
    assert response.status_code == 400
    assert (count(Order), stock_of(shop["kain"].id), count(CartLine)) == (0, 3, 1)
