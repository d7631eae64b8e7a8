"""Money back through Stripe (a real localstripe): the shopper cancelling before anything
ships, a producer refusing its part, Stripe refusing, and a shopper cancelling while the
producer ships (exactly one wins; two sessions, no sleeps)."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from opopmart.checkout.stripe_gateway import gateway
from opopmart.core.timeutil import utcnow
from opopmart.extensions import db
from opopmart.orders import fulfilment, refunds
from opopmart.orders import services as order_services
from opopmart.orders.models import Order, OrderStatus, Refund, Shipment, ShipmentStatus
from tests.functional.fulfilment_support import (
    market,
    notifications_of,
    paid_order,
    post,
    reload,
    shipment_of,
    shopper_post,
    snapshot,
    stock_of,
    stripe_refunds,
)
from tests.functional.order_support import order_with_intent
from tests.functional.test_accounts import text

S = ShipmentStatus


@pytest.fixture
def world(app, session, localstripe):
    """Shops A and B (stock 10 each), an order paid for 2 of A's and 1 of B's."""
    m = market(app, session)
    order = paid_order(app, session, m.shopper, [(m.a.variant, 2), (m.b.variant, 1)])
    return m, order


def _cancel(m, order):
    return shopper_post(m.shopper_client, f"/pesanan/{order.number}/batal")


def _refunds(order):
    db.session.expire_all()
    return [(r.shipment_id, r.amount, r.actor_id) for r in db.session.scalars(
        select(Refund).where(Refund.order_id == order.id).order_by(Refund.id))]


# --------------------------------------------------------------------------------------
# The shopper cancels before anything ships


def test_given_paid_order_when_shopper_cancels_before_shipping_then_whole_amount_back_and_stock_returned(
        app, world, caplog):
    m, order = world
    post(m.a.client, f"/studio/pesanan/{shipment_of(order, m.a).id}/proses", {})  # packing is fine
    assert (stock_of(m.a.variant), stock_of(m.b.variant)) == (8, 9)

    with caplog.at_level(logging.INFO, logger="opopmart.mail"):
        response = _cancel(m, order)

    assert response.status_code == 303
    assert stripe_refunds(app, order) == [order.grand_total * 100]
    after = reload(Order, order.id)
    assert (after.status, after.refunded_total) == (OrderStatus.REFUNDED, order.grand_total)
    assert after.closed_at is not None
    assert [shipment_of(order, shop).status for shop in (m.a, m.b)] == [S.REFUNDED, S.REFUNDED]
    assert _refunds(order) == [(None, order.grand_total, m.shopper.id)]
    assert (stock_of(m.a.variant), stock_of(m.b.variant)) == (10, 10)
    page = text(m.shopper_client.get(response.headers["Location"]))
    amount = f"Rp {order.grand_total:,}".replace(",", ".")
    assert f"Pesanan dibatalkan. Dana {amount} dikembalikan" in page
    assert amount in page.split('data-testid="refunded-total"')[1][:40]
    # The shopper is told about the money; both producers are told not to ship.
    assert notifications_of(m.shopper.id) == [
        ("order_refunded", {"order_number": order.number, "amount": amount})]
    for shop in (m.a, m.b):
        assert notifications_of(shop.owner.id) == [
            ("order_cancelled_by_shopper", {"order_number": order.number})]
    mails = [r.getMessage() for r in caplog.records if r.name == "opopmart.mail"]
    assert sorted(line.split("\n")[1] for line in mails) == [
        "To: ani@contoh.id", "To: budi@contoh.id", "To: siti@contoh.id"]


def test_given_cancelled_order_when_cancelled_again_then_refused_and_stripe_refunds_once(app, world):
    m, order = world
    _cancel(m, order)
    before = snapshot()

    response = _cancel(m, order)

    assert response.status_code == 303 and snapshot() == before
    assert stripe_refunds(app, order) == [order.grand_total * 100]
    assert "Pesanan ini sudah tidak bisa dibatalkan." in text(
        m.shopper_client.get(response.headers["Location"]))


def test_given_one_shipment_shipped_when_shopper_cancels_then_refused_and_nothing_refunded(app, world):
    m, order = world
    a = shipment_of(order, m.a)
    post(m.a.client, f"/studio/pesanan/{a.id}/proses", {})
    post(m.a.client, f"/studio/pesanan/{a.id}/kirim", {"tracking_number": "JP1234567890", "courier": "jne"})
    before = snapshot()

    response = _cancel(m, order)

    assert response.status_code == 303 and snapshot() == before
    assert stripe_refunds(app, order) == []
    page = text(m.shopper_client.get(response.headers["Location"]))
    assert "sudah dikirim penjual. Tidak ada dana yang ditarik kembali." in page
    assert "Batalkan pesanan" not in page  # nor is it offered any more


def test_given_stripe_refuses_when_shopper_cancels_then_nothing_changes_and_a_clear_message(
        app, session, localstripe):
    # Marked paid without the card ever being charged: Stripe has nothing to refund.
    m = market(app, session)
    order, _intent = order_with_intent(app, session, m.shopper, [(m.a.variant, 2)])
    order_services.mark_paid(session, order, now=utcnow())
    session.commit()
    before = snapshot()

    response = _cancel(m, order)

    assert response.status_code == 303 and snapshot() == before
    assert stock_of(m.a.variant) == 8
    page = text(m.shopper_client.get(response.headers["Location"]))
    assert "Pengembalian dana lewat Stripe gagal, jadi pesanan tidak dibatalkan." in page


# --------------------------------------------------------------------------------------
# A producer refuses its part


def test_given_paid_order_when_seller_cancels_its_shipment_then_only_that_total_is_refunded(
        app, world, caplog):
    m, order = world
    a, b = shipment_of(order, m.a), shipment_of(order, m.b)

    with caplog.at_level(logging.INFO, logger="opopmart.mail"):
        response = post(m.a.client, f"/studio/pesanan/{a.id}/batalkan",
                        {"reason": "  Biji kopi habis, panen berikutnya bulan depan.  "})

    assert response.status_code == 303
    assert stripe_refunds(app, order) == [a.total * 100]
    assert a.total == a.items_subtotal + a.shipping_cost and a.total < order.grand_total
    after = reload(Order, order.id)
    assert (after.status, after.refunded_total) == (OrderStatus.PAID, a.total)
    assert (shipment_of(order, m.a).status, shipment_of(order, m.b).status) == (S.REFUNDED, S.PAID)
    assert _refunds(order) == [(a.id, a.total, m.a.owner.id)]
    assert db.session.scalars(select(Refund.reason)).one() == "Biji kopi habis, panen berikutnya bulan depan."
    assert (stock_of(m.a.variant), stock_of(m.b.variant)) == (10, 9)
    amount = f"Rp {a.total:,}".replace(",", ".")
    assert notifications_of(m.shopper.id) == [("shipment_refunded", {
        "order_number": order.number, "producer_name": "Kopontren Al Amin",
        "reason": "Biji kopi habis, panen berikutnya bulan depan.", "amount": amount})]
    [mail] = [r.getMessage() for r in caplog.records if r.name == "opopmart.mail"]
    assert "To: siti@contoh.id" in mail and "Biji kopi habis" in mail
    # Shop B still ships its part; the shopper's page shows the partial refund.
    assert b.id and "Dibatalkan, dana dikembalikan" in text(m.shopper_client.get(f"/pesanan/{order.number}"))


def test_given_one_part_refused_when_shopper_cancels_the_rest_then_only_the_remainder_is_refunded(
        app, world):
    m, order = world
    a, b = shipment_of(order, m.a), shipment_of(order, m.b)
    post(m.a.client, f"/studio/pesanan/{a.id}/batalkan", {"reason": "Stok habis"})

    _cancel(m, order)

    assert stripe_refunds(app, order) == sorted([a.total * 100, b.total * 100])
    after = reload(Order, order.id)
    assert (after.status, after.refunded_total) == (OrderStatus.REFUNDED, order.grand_total)
    assert _refunds(order) == [(a.id, a.total, m.a.owner.id), (None, b.total, m.shopper.id)]
    assert notifications_of(m.a.owner.id) == []  # shop A had already called its part off


def test_given_every_part_refused_by_its_seller_then_order_ends_refunded(app, world):
    m, order = world
    for shop in (m.a, m.b):
        post(shop.client, f"/studio/pesanan/{shipment_of(order, shop).id}/batalkan", {"reason": "Habis"})

    after = reload(Order, order.id)
    assert (after.status, after.refunded_total) == (OrderStatus.REFUNDED, order.grand_total)
    assert stripe_refunds(app, order) == sorted(shipment_of(order, s).total * 100 for s in (m.a, m.b))


@pytest.mark.parametrize("reason, message", [("", "Tulis alasannya untuk pembeli."),
                                             ("   ", "Tulis alasannya untuk pembeli."),
                                             ("x" * 501, "Paling banyak 500 karakter.")])
def test_given_no_reason_when_seller_cancels_then_form_again_and_nothing_refunded(
        app, world, reason, message):
    m, order = world
    a = shipment_of(order, m.a)
    before = snapshot()

    response = post(m.a.client, f"/studio/pesanan/{a.id}/batalkan", {"reason": reason})

    assert response.status_code == 200
    assert message in text(response) and 'id="reason-error"' in text(response)
    assert snapshot() == before and stripe_refunds(app, order) == []


def test_given_stripe_refuses_when_seller_cancels_then_nothing_changes(app, session, localstripe):
    m = market(app, session)
    order, _intent = order_with_intent(app, session, m.shopper, [(m.a.variant, 1)])
    order_services.mark_paid(session, order, now=utcnow())
    session.commit()
    a = shipment_of(order, m.a)
    before = snapshot()

    response = post(m.a.client, f"/studio/pesanan/{a.id}/batalkan", {"reason": "Stok habis"})

    assert response.status_code == 303 and snapshot() == before
    assert "Pengembalian dana lewat Stripe gagal" in text(m.a.client.get(response.headers["Location"]))


# --------------------------------------------------------------------------------------
# The shopper cancels while the producer ships: exactly one wins


@pytest.fixture
def other_session(app):
    """A second session on its own connection: another request, running alongside."""
    extra = Session(db.engine)
    yield extra
    extra.close()


def test_given_shipment_read_by_shopper_when_producer_ships_first_then_cancel_loses_without_refund(
        app, world, other_session):
    m, order = world
    a = shipment_of(order, m.a)
    post(m.a.client, f"/studio/pesanan/{a.id}/proses", {})
    # The shopper's request has read the order: nothing shipped yet.
    shoppers_order = other_session.get(Order, order.id)
    assert {s.status for s in shoppers_order.shipments} == {S.PROCESSING, S.PAID}

    # The producer's request ships and commits first.
    post(m.a.client, f"/studio/pesanan/{a.id}/kirim", {"tracking_number": "JP1234567890", "courier": "jne"})

    with pytest.raises(fulfilment.OrderError) as refused:
        refunds.shopper_cancel(other_session, gateway(app), shoppers_order,
                               actor_id=m.shopper.id, now=utcnow())
    other_session.rollback()
    assert "sudah dikirim penjual" in str(refused.value.errors[""][0])
    assert stripe_refunds(app, order) == []
    after = reload(Order, order.id)
    assert (after.status, after.refunded_total) == (OrderStatus.PAID, 0)
    assert shipment_of(order, m.a).status is S.SHIPPED
    assert (stock_of(m.a.variant), stock_of(m.b.variant)) == (8, 9)


def test_given_shipment_read_by_producer_when_shopper_cancels_first_then_shipping_loses(
        app, world, other_session):
    m, order = world
    a = shipment_of(order, m.a)
    post(m.a.client, f"/studio/pesanan/{a.id}/proses", {})
    # The producer's request has read its shipment, still being packed.
    producers_shipment = other_session.get(Shipment, a.id)
    assert (producers_shipment.status, producers_shipment.order.number) == (S.PROCESSING, order.number)

    # The shopper's cancellation commits first.
    assert _cancel(m, order).status_code == 303

    # The producer's stale read passes the table check; the conditional UPDATE does not.
    with pytest.raises(fulfilment.OrderError) as refused:
        fulfilment.ship(other_session, producers_shipment, tracking_number="JP1234567890",
                        courier="jne", actor_id=m.a.owner.id, now=utcnow())
    other_session.rollback()
    assert "baru saja berubah" in str(refused.value.errors[""][0])
    shipment = shipment_of(order, m.a)
    assert (shipment.status, shipment.tracking_number) == (S.REFUNDED, None)
    assert stripe_refunds(app, order) == [order.grand_total * 100]
    assert [kind for kind, _params in notifications_of(m.shopper.id)] == ["order_refunded"]


def test_given_cancel_lost_race_when_shopper_reloads_then_page_says_shipped(app, world):
    m, order = world
    a = shipment_of(order, m.a)
    post(m.a.client, f"/studio/pesanan/{a.id}/proses", {})
    page_before = text(m.shopper_client.get(f"/pesanan/{order.number}"))
    assert "Batalkan pesanan" in page_before  # the shopper saw the button...
    post(m.a.client, f"/studio/pesanan/{a.id}/kirim", {"tracking_number": "JP1234567890", "courier": "jne"})

    response = _cancel(m, order)  # ...and pressed it after the producer shipped

    page = text(m.shopper_client.get(response.headers["Location"]))
    assert "flash-error" in page and "Tidak ada dana yang ditarik kembali." in page
    assert stripe_refunds(app, order) == []
