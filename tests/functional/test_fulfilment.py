"""Seller studio fulfilment: own shipments only, each move along the table, tracking
numbers, the packing slip. Orders are placed and paid through the app's services at a
real localstripe."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sqlalchemy import select

from opopmart.accounts.models import MemberRole, ProducerMember
from opopmart.checkout.models import Courier
from opopmart.orders.models import ShipmentEvent, ShipmentStatus
from tests.functional.fulfilment_support import (
    market,
    notifications_of,
    paid_order,
    post,
    reload,
    shipment_of,
    snapshot,
)
from tests.functional.order_support import placed_order
from tests.functional.test_accounts import login, make_user, text

S = ShipmentStatus


@pytest.fixture
def world(app, session, localstripe):
    """Shops A and B (owners logged in), and one paid order across both."""
    m = market(app, session)
    order = paid_order(app, session, m.shopper, [(m.a.variant, 2), (m.b.variant, 1)])
    return m, order


def _events(shipment_id):
    from opopmart.extensions import db

    db.session.expire_all()
    return [(e.from_status, e.to_status, e.actor_id, e.note) for e in db.session.scalars(
        select(ShipmentEvent).where(ShipmentEvent.shipment_id == shipment_id)
        .order_by(ShipmentEvent.id))]


def _studio(client, shipment_id, action="", data=None):
    path = f"/studio/pesanan/{shipment_id}" + (f"/{action}" if action else "")
    return post(client, path, data or {})


# --------------------------------------------------------------------------------------
# Scoping


def test_given_two_shops_when_each_opens_orders_then_each_sees_only_its_own_shipment(world):
    m, order = world
    a, b = shipment_of(order, m.a), shipment_of(order, m.b)

    page_a, page_b = text(m.a.client.get("/studio/pesanan")), text(m.b.client.get("/studio/pesanan"))

    assert f'data-shipment="{a.id}"' in page_a and f'data-shipment="{b.id}"' not in page_a
    assert f'data-shipment="{b.id}"' in page_b and f'data-shipment="{a.id}"' not in page_b
    assert "Kopi Robusta Al Amin" in text(m.a.client.get(f"/studio/pesanan/{a.id}"))
    assert "Madu Hutan Budi" not in text(m.a.client.get(f"/studio/pesanan/{a.id}"))


def test_given_shop_a_shipment_when_seller_b_opens_or_moves_it_then_404_and_nothing_changes(world):
    m, order = world
    a = shipment_of(order, m.a)
    before = snapshot()

    assert m.b.client.get(f"/studio/pesanan/{a.id}").status_code == 404
    assert m.b.client.get(f"/studio/pesanan/{a.id}/label").status_code == 404
    for action, data in (("proses", {}), ("kirim", {"tracking_number": "JP1234567890", "courier": "jne"}),
                         ("sampai", {}), ("batalkan", {"reason": "Stok habis"})):
        assert _studio(m.b.client, a.id, action, data).status_code == 404, action

    assert snapshot() == before


def test_given_unpaid_order_when_seller_looks_then_its_shipment_is_not_there(app, session, localstripe):
    m = market(app, session)
    order = placed_order(session, m.shopper, [(m.a.variant, 1)])
    pending = shipment_of(order, m.a)

    assert m.a.client.get(f"/studio/pesanan/{pending.id}").status_code == 404
    assert f'data-shipment="{pending.id}"' not in text(m.a.client.get("/studio/pesanan?tab=semua"))


def test_given_staff_member_when_processing_then_allowed_like_the_owner(app, session, world):
    m, order = world
    a = shipment_of(order, m.a)
    staff = make_user(session, email="staf@contoh.id", name="Staf Al Amin")
    session.add(ProducerMember(user_id=staff.id, producer_id=m.a.producer.id, role=MemberRole.STAFF))
    session.commit()
    client = app.test_client()
    login(client, email="staf@contoh.id")

    response = _studio(client, a.id, "proses")

    assert response.status_code == 303
    assert reload(type(a), a.id).status is S.PROCESSING
    assert _events(a.id)[-1][:3] == (S.PAID, S.PROCESSING, staff.id)


def test_given_user_without_shop_when_opening_orders_then_invited_to_open_one(app, session, world):
    m, _order = world

    page = text(m.shopper_client.get("/studio/pesanan"))

    assert "Anda belum punya toko" in page and "data-shipment" not in page


# --------------------------------------------------------------------------------------
# Moves


def test_given_paid_shipment_when_processed_shipped_and_delivered_then_each_move_is_an_event(
        world, caplog):
    m, order = world
    a = shipment_of(order, m.a)
    owner = m.a.owner.id

    assert _studio(m.a.client, a.id, "proses").status_code == 303
    assert reload(type(a), a.id).status is S.PROCESSING

    with caplog.at_level(logging.INFO, logger="opopmart.mail"):
        response = _studio(m.a.client, a.id, "kirim",
                           {"tracking_number": " jp-1234 5678 90 ", "courier": "pos"})
    assert response.status_code == 303
    shipped = reload(type(a), a.id)
    assert (shipped.status, shipped.tracking_number, shipped.courier) == (S.SHIPPED, "JP-1234567890", Courier.POS)
    assert shipped.shipped_at is not None
    assert notifications_of(m.shopper.id) == [("shipment_shipped", {
        "order_number": order.number, "producer_name": "Kopontren Al Amin",
        "courier": "Pos Indonesia", "tracking_number": "JP-1234567890"})]
    [mail] = [r for r in caplog.records if r.name == "opopmart.mail"]
    assert "To: siti@contoh.id" in mail.getMessage()
    assert "Pos Indonesia dengan nomor resi JP-1234567890" in mail.getMessage()

    assert _studio(m.a.client, a.id, "sampai").status_code == 303
    delivered = reload(type(a), a.id)
    assert delivered.status is S.DELIVERED and delivered.delivered_at is not None

    assert _events(a.id)[-3:] == [
        (S.PAID, S.PROCESSING, owner, ""),
        (S.PROCESSING, S.SHIPPED, owner, "Pos Indonesia JP-1234567890"),
        (S.SHIPPED, S.DELIVERED, owner, ""),
    ]
    # Shop B's shipment of the same order is untouched.
    assert shipment_of(order, m.b).status is S.PAID


def test_given_processing_shipment_when_shipped_with_another_courier_then_that_courier_is_kept(world):
    m, order = world
    a = shipment_of(order, m.a)
    _studio(m.a.client, a.id, "proses")

    _studio(m.a.client, a.id, "kirim", {"tracking_number": "CGK1234567", "courier": "jne"})

    assert reload(type(a), a.id).courier is Courier.JNE


ILLEGAL = [
    # (moves first, then the refused action, the message shown)
    ([], "kirim", "Hanya pesanan yang sedang dikemas yang bisa dikirim."),
    ([], "sampai", "Hanya kiriman yang sedang dikirim yang bisa ditandai sampai."),
    (["proses"], "proses", "Hanya pesanan baru yang bisa dikemas."),
    (["proses"], "sampai", "Hanya kiriman yang sedang dikirim yang bisa ditandai sampai."),
    (["proses", "kirim"], "proses", "Hanya pesanan baru yang bisa dikemas."),
    (["proses", "kirim"], "kirim", "Hanya pesanan yang sedang dikemas yang bisa dikirim."),
    (["proses", "kirim"], "batalkan", "Hanya pesanan yang belum dikirim yang bisa dibatalkan."),
    (["batalkan"], "sampai", "Hanya kiriman yang sedang dikirim yang bisa ditandai sampai."),
    (["batalkan"], "proses", "Hanya pesanan baru yang bisa dikemas."),
    (["batalkan"], "batalkan", "Hanya pesanan yang belum dikirim yang bisa dibatalkan."),
]
FORMS = {"kirim": {"tracking_number": "JP1234567890", "courier": "jne"},
         "batalkan": {"reason": "Stok kosong"}}


@pytest.mark.parametrize("steps, action, message", ILLEGAL,
                         ids=[f"{'-'.join(s) or 'paid'}-then-{a}" for s, a, _m in ILLEGAL])
def test_given_shipment_when_move_is_not_in_the_table_then_refused_with_message_and_no_change(
        world, steps, action, message):
    m, order = world
    a = shipment_of(order, m.a)
    for step in steps:
        assert _studio(m.a.client, a.id, step, FORMS.get(step)).status_code == 303
    before = snapshot()

    response = _studio(m.a.client, a.id, action, FORMS.get(action))

    assert response.status_code == 303
    assert snapshot() == before
    page = text(m.a.client.get(response.headers["Location"]))
    assert message in page and "flash-error" in page


@pytest.mark.parametrize("raw, courier, field, message", [
    ("", "jne", "tracking_number", "Wajib diisi."),
    ("JP123", "jne", "tracking_number", "Nomor resi 6–40 karakter"),
    ("J" * 41, "jne", "tracking_number", "Nomor resi 6–40 karakter"),
    ("JP#123456", "jne", "tracking_number", "Nomor resi 6–40 karakter"),
    ("JP_123456", "jne", "tracking_number", "Nomor resi 6–40 karakter"),
    ("JP1234567", "gojek", "courier", "Pilih kurir dari daftar."),
])
def test_given_bad_tracking_number_or_courier_when_shipping_then_form_again_and_no_change(
        world, raw, courier, field, message):
    m, order = world
    a = shipment_of(order, m.a)
    _studio(m.a.client, a.id, "proses")
    before = snapshot()

    response = _studio(m.a.client, a.id, "kirim", {"tracking_number": raw, "courier": courier})

    assert response.status_code == 200
    page = text(response)
    assert message in page and f'id="{field}-error"' in page
    assert snapshot() == before


@pytest.mark.parametrize("raw, stored", [("AB1234", "AB1234"), ("a" * 40, "A" * 40),
                                         ("sicepat-000123", "SICEPAT-000123")])
def test_given_tracking_number_at_the_limits_when_shipping_then_accepted(world, raw, stored):
    m, order = world
    a = shipment_of(order, m.a)
    _studio(m.a.client, a.id, "proses")

    _studio(m.a.client, a.id, "kirim", {"tracking_number": raw, "courier": "sicepat"})

    assert reload(type(a), a.id).tracking_number == stored


# --------------------------------------------------------------------------------------
# Pages


def test_given_order_when_studio_tabs_shown_then_counts_follow_statuses(world, app, session):
    m, order = world
    second = paid_order(app, session, m.shopper, [(m.a.variant, 1)])
    _studio(m.a.client, shipment_of(second, m.a).id, "proses")

    page = text(m.a.client.get("/studio/pesanan"))

    tabs = {slug: page.split(f'data-tab="{slug}">')[1].split("</a>")[0]
            for slug in ("baru", "dikemas", "dikirim", "selesai", "dibatalkan", "semua")}
    assert tabs == {
        "baru": 'Baru <span class="order-tab-count">1</span>',
        "dikemas": 'Dikemas <span class="order-tab-count">1</span>',
        "dikirim": 'Dikirim <span class="order-tab-count">0</span>',
        "selesai": 'Selesai <span class="order-tab-count">0</span>',
        "dibatalkan": 'Dibatalkan <span class="order-tab-count">0</span>',
        "semua": 'Semua <span class="order-tab-count">2</span>',
    }
    processing = text(m.a.client.get("/studio/pesanan?tab=dikemas"))
    assert f'data-shipment="{shipment_of(second, m.a).id}"' in processing
    assert f'data-shipment="{shipment_of(order, m.a).id}"' not in processing
    # An unknown tab is the default one, not an error.
    assert m.a.client.get("/studio/pesanan?tab=%3Cx%3E").status_code == 200


def test_given_new_paid_shipments_when_studio_opened_then_its_nav_counts_them(world):
    m, _order = world

    page = text(m.a.client.get("/studio/"))

    link = page.split('data-testid="studio-orders-link"')[1].split("</a>")[0]
    assert 'href="/studio/pesanan"' in page and ">1</span>" in link


def test_given_shipment_when_detail_opened_then_lines_address_courier_weight_totals_and_timeline(world):
    m, order = world
    a = shipment_of(order, m.a)

    page = text(m.a.client.get(f"/studio/pesanan/{a.id}"))

    for expected in ("Kopi Robusta Al Amin", m.a.variant.sku, "Rp 25.000", "Rp 50.000",
                     "Siti Aminah", "Jl. Melati 12", "Sumbersari, Lowokwaru", "Kab. Malang, Jawa Timur",
                     "65145", "Pos Indonesia", "1.200 g (ditagih 2 kg)", "Dalam Jawa Timur",
                     f"{a.total:,}".replace(",", "."), "Menunggu pembayaran", "Pesanan baru"):
        assert expected in page, expected
    assert page.index("Menunggu pembayaran</span>") < page.index("Pesanan baru</span>\n    <time")


def test_given_shipped_shipment_when_packing_slip_printed_then_everything_the_courier_needs(app, world):
    m, order = world
    a = shipment_of(order, m.a)
    _studio(m.a.client, a.id, "proses")
    _studio(m.a.client, a.id, "kirim", {"tracking_number": "JP1234567890", "courier": "jnt"})

    response = m.a.client.get(f"/studio/pesanan/{a.id}/label")

    page = text(response)
    assert response.status_code == 200
    assert "site-header" not in page and "site-footer" not in page
    assert "/static/css/orders.css" in page
    assert "@media print" in (Path(app.static_folder) / "css" / "orders.css").read_text()

    def section(testid):
        return page.split(f'data-testid="{testid}"')[1].split("</section>")[0]

    assert order.number in page.split('data-testid="slip-order-number"')[1].split("<")[0]
    assert "J&T Express" in page.split('data-testid="slip-courier"')[1].split("<")[0]
    assert "JP1234567890" in page.split('data-testid="slip-tracking"')[1].split("<")[0]
    recipient = section("slip-recipient")
    for expected in ("Siti Aminah", "+6281234567890", "Jl. Melati 12", "Kab. Malang", "65145"):
        assert expected in recipient
    sender = section("slip-sender")
    for expected in ("Kopontren Al Amin", "Pondok Pesantren Al Amin", "Jl. Pesantren 1", "Kab. Jember"):
        assert expected in sender
    items = page.split("slip-items")[1]
    assert f"<code>{m.a.variant.sku}</code>" in items and '<td class="num">2</td>' in items
    assert "Madu Hutan Budi" not in page  # shop B's line is not in shop A's parcel
