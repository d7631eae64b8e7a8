"""The shopper's side: order list, order page with a timeline per shipment, confirming
receipt, cancelling an unpaid order, and another user's order staying a 404."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from opopmart.checkout.stripe_gateway import gateway
from opopmart.extensions import db
from opopmart.orders.models import Order, OrderEvent, OrderStatus, ShipmentEvent, ShipmentStatus
from tests.functional.fulfilment_support import (
    market,
    paid_order,
    post,
    reload,
    shipment_of,
    shopper_post,
    snapshot,
    stock_of,
)
from tests.functional.order_support import order_with_intent, placed_order
from tests.functional.test_accounts import login, make_user, text

S = ShipmentStatus


@pytest.fixture
def world(app, session, localstripe):
    m = market(app, session)
    order = paid_order(app, session, m.shopper, [(m.a.variant, 2), (m.b.variant, 1)])
    return m, order


def _ship(m, shop, order, number="JP1234567890", courier="jne"):
    shipment = shipment_of(order, shop)
    assert post(shop.client, f"/studio/pesanan/{shipment.id}/proses", {}).status_code == 303
    assert post(shop.client, f"/studio/pesanan/{shipment.id}/kirim",
                {"tracking_number": number, "courier": courier}).status_code == 303
    return shipment


def _receive(m, order, shipment):
    return shopper_post(m.shopper_client, f"/pesanan/{order.number}/kiriman/{shipment.id}/terima")


# --------------------------------------------------------------------------------------
# Pages


def test_given_orders_when_list_opened_then_newest_first_with_status_total_and_shipments(
        app, session, world):
    m, paid = world
    pending = placed_order(session, m.shopper, [(m.b.variant, 1)], now=datetime(2030, 1, 1))
    older = placed_order(session, m.shopper, [(m.a.variant, 1)], now=datetime(2020, 1, 1))

    page = text(m.shopper_client.get("/pesanan"))

    positions = [page.index(f'data-order="{o.number}"') for o in (pending, paid, older)]
    assert positions == sorted(positions)
    def card(order):
        return page.split(f'data-order="{order.number}"')[1].split("data-order=")[0]

    paid_card = card(paid)
    assert "Dibayar</span>" in paid_card and f"{paid.grand_total:,}".replace(",", ".") in paid_card
    assert paid_card.count("Dibayar, menunggu dikemas") == 2
    assert "Kopontren Al Amin: <span" in paid_card and "Toko Budi: <span" in paid_card
    assert "Menunggu pembayaran" in card(pending) and "Menunggu pembayaran" not in paid_card


def test_given_more_orders_than_a_page_when_list_opened_then_paginated(app, session, localstripe):
    m = market(app, session, stock=50)
    numbers = [placed_order(session, m.shopper, [(m.a.variant, 1)]).number for _ in range(12)]

    first, second = text(m.shopper_client.get("/pesanan")), text(m.shopper_client.get("/pesanan?halaman=2"))

    assert sum(n in first for n in numbers) == 10 and sum(n in second for n in numbers) == 2
    assert "Halaman 1 dari 2" in first
    assert m.shopper_client.get("/pesanan?halaman=abc").status_code == 200


def test_given_paid_order_when_page_opened_then_lines_by_producer_address_totals_and_timeline(world):
    m, order = world
    a = shipment_of(order, m.a)
    db.session.expire_all()
    paid_event = db.session.scalars(select(ShipmentEvent).where(
        ShipmentEvent.shipment_id == a.id, ShipmentEvent.to_status == S.PAID)).one()

    page = text(m.shopper_client.get(f"/pesanan/{order.number}"))

    part_a = page.split(f'data-shipment="{a.id}"')[1].split("</article>")[0]
    assert "Kopontren Al Amin" in part_a and "Kopi Robusta Al Amin" in part_a
    assert "Madu Hutan Budi" not in part_a
    assert "Jl. Melati 12" in page and "Kab. Malang, Jawa Timur 65145" in page
    assert f"{order.items_total:,}".replace(",", ".") in page.split('data-testid="items-total"')[1][:40]
    assert f"{order.shipping_total:,}".replace(",", ".") in page.split('data-testid="shipping-total"')[1][:40]
    assert f"{order.grand_total:,}".replace(",", ".") in page.split('data-testid="grand-total"')[1][:40]
    assert 'data-testid="refunded-total"' not in page
    timeline = part_a.split(f'data-testid="timeline-{a.id}"')[1]
    assert "Menunggu pembayaran" in timeline and "Dibayar, menunggu dikemas" in timeline
    # Stored UTC, shown in Western Indonesia Time (UTC+7).
    wib = paid_event.created_at.replace(tzinfo=None)
    hour = (wib.hour + 7) % 24
    assert f"{hour:02d}.{wib.minute:02d} WIB" in timeline
    assert "Dibayar " in page.split('data-testid="payment"')[1] and "lewat Stripe" in page


def test_given_shipped_order_when_page_opened_then_courier_and_tracking_number_shown(world):
    m, order = world
    a = _ship(m, m.a, order, number="CGK0123456789", courier="sicepat")

    page = text(m.shopper_client.get(f"/pesanan/{order.number}"))

    tracking = page.split(f'data-testid="tracking-{a.id}"')[1].split("</p>")[0]
    assert "SiCepat" in tracking and "CGK0123456789" in tracking
    timeline = page.split(f'data-testid="timeline-{a.id}"')[1].split("</ol>")[0]
    assert [label in timeline for label in ("Sedang dikemas penjual", "Dikirim")] == [True, True]
    assert "SiCepat CGK0123456789" in timeline
    assert f'/pesanan/{order.number}/kiriman/{a.id}/terima' in page


def test_given_pending_order_when_page_opened_then_payment_link_and_no_receipt_button(
        app, session, localstripe):
    m = market(app, session)
    order, _intent = order_with_intent(app, session, m.shopper, [(m.a.variant, 1)])

    page = text(m.shopper_client.get(f"/pesanan/{order.number}"))

    assert f'href="/pembayaran/{order.number}" data-testid="pay-link"' in page
    assert "/terima" not in page and "Menunggu pembayaran" in page


# --------------------------------------------------------------------------------------
# Confirming receipt


def test_given_two_shipments_when_both_received_then_order_completes_with_the_last(world):
    m, order = world
    a = _ship(m, m.a, order)
    b = _ship(m, m.b, order, number="JNE-778899")
    assert post(m.b.client, f"/studio/pesanan/{b.id}/sampai", {}).status_code == 303

    assert _receive(m, order, a).status_code == 303
    assert (shipment_of(order, m.a).status, reload(Order, order.id).status) == (S.COMPLETED, OrderStatus.PAID)

    assert _receive(m, order, b).status_code == 303  # delivered -> completed too
    after = reload(Order, order.id)
    assert (shipment_of(order, m.b).status, after.status) == (S.COMPLETED, OrderStatus.COMPLETED)
    assert after.closed_at is not None and shipment_of(order, m.a).completed_at is not None
    events = db.session.scalars(select(OrderEvent).where(OrderEvent.order_id == order.id)
                                .order_by(OrderEvent.id)).all()
    assert (events[-1].from_status, events[-1].to_status, events[-1].actor_id) == (
        OrderStatus.PAID, OrderStatus.COMPLETED, m.shopper.id)
    assert "Selesai" in text(m.shopper_client.get(f"/pesanan/{order.number}"))


def test_given_one_shipment_refunded_and_other_received_then_order_completes(app, world):
    m, order = world
    b = shipment_of(order, m.b)
    assert post(m.b.client, f"/studio/pesanan/{b.id}/batalkan", {"reason": "Madu habis"}).status_code == 303
    a = _ship(m, m.a, order)

    _receive(m, order, a)

    assert reload(Order, order.id).status is OrderStatus.COMPLETED


@pytest.mark.parametrize("steps", [[], ["proses"]], ids=["paid", "processing"])
def test_given_unshipped_shipment_when_receipt_confirmed_then_refused_and_nothing_changes(world, steps):
    m, order = world
    a = shipment_of(order, m.a)
    for step in steps:
        post(m.a.client, f"/studio/pesanan/{a.id}/{step}", {})
    before = snapshot()

    response = _receive(m, order, a)

    assert response.status_code == 303 and snapshot() == before
    page = text(m.shopper_client.get(response.headers["Location"]))
    assert "Penerimaan bisa dikonfirmasi setelah kiriman dikirim" in page


def test_given_completed_shipment_when_receipt_confirmed_again_then_refused(world):
    m, order = world
    a = _ship(m, m.a, order)
    _receive(m, order, a)
    before = snapshot()

    response = _receive(m, order, a)

    assert response.status_code == 303 and snapshot() == before


# --------------------------------------------------------------------------------------
# Cancelling an unpaid order


def test_given_unpaid_order_when_shopper_cancels_then_cancelled_stock_back_and_intent_cancelled(
        app, session, localstripe):
    m = market(app, session)
    order, intent = order_with_intent(app, session, m.shopper, [(m.a.variant, 3)])
    assert stock_of(m.a.variant) == 7

    response = shopper_post(m.shopper_client, f"/pesanan/{order.number}/batal")

    assert response.status_code == 303
    after = reload(Order, order.id)
    assert (after.status, after.refunded_total) == (OrderStatus.CANCELLED, 0)
    assert shipment_of(order, m.a).status is S.CANCELLED
    assert stock_of(m.a.variant) == 10
    assert gateway(app).retrieve_intent(intent.id).status == "canceled"
    assert "Pesanan dibatalkan." in text(m.shopper_client.get(response.headers["Location"]))


# --------------------------------------------------------------------------------------
# Someone else's order


def test_given_another_users_order_when_opened_or_posted_then_404_and_nothing_changes(
        app, session, world):
    m, order = world
    a = _ship(m, m.a, order)
    make_user(session, email="rudi@contoh.id", name="Rudi")
    other = app.test_client()
    login(other, email="rudi@contoh.id")
    before = snapshot()

    assert other.get(f"/pesanan/{order.number}").status_code == 404
    assert shopper_post(other, f"/pesanan/{order.number}/batal").status_code == 404
    assert shopper_post(other, f"/pesanan/{order.number}/kiriman/{a.id}/terima").status_code == 404
    assert order.number not in text(other.get("/pesanan"))
    # The seller of the order is no more its buyer than anyone else.
    assert m.a.client.get(f"/pesanan/{order.number}").status_code == 404
    assert snapshot() == before


def test_given_shipment_of_another_order_when_confirmed_under_mine_then_404(app, session, world):
    m, order = world
    make_user(session, email="rudi@contoh.id", name="Rudi")
    others = paid_order(app, session, db.session.scalars(
        select(type(m.shopper)).where(type(m.shopper).email == "rudi@contoh.id")).one(),
        [(m.a.variant, 1)])
    theirs = _ship(m, m.a, others)
    before = snapshot()

    assert _receive(m, order, theirs).status_code == 404
    assert m.shopper_client.get("/pesanan/" + "X" * 200).status_code == 404
    assert snapshot() == before


def test_a_page_that_is_no_number_is_the_first_page(client, session):
    # Given a shopper and a seller (their order lists share the page reader)
    from tests.functional.seller_support import seller

    make_user(session)
    login(client)
    shopper_list = client.get("/pesanan?halaman=²")
    studio = client.application.test_client()
    seller(session, studio)
    # When the page asked for is "²" (str.isdigit() says yes, int() raised: a 500)
    studio_list = studio.get("/studio/pesanan?halaman=²")
    # Then each list shows its first page
    assert (shopper_list.status_code, studio_list.status_code) == (200, 200)
