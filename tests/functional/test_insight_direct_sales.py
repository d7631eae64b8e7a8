"""Direct sales in the seller studio: recording, refusals that write nothing, voiding with a
reason, monthly totals, and another shop's ids answered with 404."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select

from opopmart.accounts.models import MemberRole, ProducerMember
from opopmart.core.timeutil import today_jakarta
from opopmart.extensions import db
from opopmart.insight.models import DirectSale, SaleChannel
from tests import factories as f
from tests.functional.seller_support import post, seller
from tests.functional.test_accounts import errors_by_field, login, make_user, text


@dataclass
class Shops:
    owner_a: object
    producer_a: object
    product_a: object
    client_a: object
    staff_a: object
    client_staff: object
    owner_b: object
    producer_b: object
    product_b: object
    client_b: object


@pytest.fixture
def shops(app, session) -> Shops:
    """Shop A (owner Ani, staff Rina) and shop B (owner Budi), each with a product and each
    user logged in on a client of their own."""
    kopi = f.category(session, "Kopi")
    client_a, client_b, client_staff = app.test_client(), app.test_client(), app.test_client()
    owner_a, producer_a = seller(session, client_a, email="ani@contoh.id", shop="Kopontren Al Amin")
    owner_b, producer_b = seller(session, client_b, email="budi@contoh.id", name="Budi",
                                 shop="Pesantren Budi")
    product_a = f.product(session, producer_a, kopi, "Kopi Robusta Al Amin", prices=[25_000])
    product_b = f.product(session, producer_b, kopi, "Kopi Budi", prices=[30_000])
    staff = make_user(session, email="rina@contoh.id", name="Rina")
    session.add(ProducerMember(user_id=staff.id, producer_id=producer_a.id, role=MemberRole.STAFF))
    session.commit()
    login(client_staff, email="rina@contoh.id")
    return Shops(owner_a, producer_a, product_a, client_a, staff, client_staff, owner_b,
                 producer_b, product_b, client_b)


def new_url(producer) -> str:
    return f"/studio/toko/{producer.id}/penjualan-langsung/baru"


def list_url(producer) -> str:
    return f"/studio/toko/{producer.id}/penjualan-langsung"


def valid(**overrides) -> dict:
    data = {"sold_on": (today_jakarta() - timedelta(days=3)).isoformat(), "channel": "expo",
            "product_id": "", "commodity": "Kopi robusta sangrai", "quantity": "25",
            "unit": "pcs", "value": "Rp 1.250.000", "buyer_region_code": "35.78",
            "note": "Expo Surabaya"}
    data.update(overrides)
    return data


def sales() -> list[tuple]:
    db.session.expire_all()
    return [(s.id, s.producer_id, s.sold_on, s.channel, s.product_id, s.commodity, s.quantity,
             s.unit, s.value, s.buyer_region_code, s.note, s.recorded_by_id, s.voided_at,
             s.voided_by_id, s.void_reason)
            for s in db.session.scalars(select(DirectSale).order_by(DirectSale.id))]


# --------------------------------------------------------------------------------------
# Recording


def test_given_owner_when_recording_a_sale_of_a_product_then_it_is_saved_and_counted(shops):
    sold_on = today_jakarta() - timedelta(days=3)

    # When
    response = post(shops.client_a, new_url(shops.producer_a), valid(
        product_id=str(shops.product_a.id), commodity="", sold_on=sold_on.isoformat()))

    # Then
    assert response.status_code == 303
    assert response.headers["Location"] == list_url(shops.producer_a)
    [row] = sales()
    assert row[1:12] == (shops.producer_a.id, sold_on, SaleChannel.EXPO, shops.product_a.id,
                         "Kopi Robusta Al Amin", 25, "pcs", 1_250_000, "35.78", "Expo Surabaya",
                         shops.owner_a.id)
    assert row[12:] == (None, None, "")
    page = text(shops.client_a.get(list_url(shops.producer_a)))
    assert "Penjualan langsung Rp 1.250.000 (Kopi Robusta Al Amin) dicatat." in page
    month = sold_on.strftime("%Y-%m")
    assert f'data-month="{month}"' in page
    block = page.split(f'data-month="{month}"')[1].split("</tr>")[0]
    assert '<td class="num" data-testid="month-sales">1</td>' in block
    assert '<td class="num" data-testid="month-value">Rp 1.250.000</td>' in block
    assert "pembeli dari Kota Surabaya" in page


def test_given_staff_when_recording_a_commodity_then_it_is_theirs_to_record(shops):
    response = post(shops.client_staff, new_url(shops.producer_a), valid(
        channel="pesantren_store", buyer_region_code="", note=""))

    assert response.status_code == 303
    [row] = sales()
    assert (row[3], row[4], row[5], row[9], row[11]) == (
        SaleChannel.PESANTREN_STORE, None, "Kopi robusta sangrai", None, shops.staff_a.id)


def test_given_exactly_ten_trillion_rupiah_when_recording_then_it_is_accepted(shops):
    response = post(shops.client_a, new_url(shops.producer_a), valid(value="10.000.000.000.000"))

    assert response.status_code == 303
    assert sales()[0][8] == 10_000_000_000_000


TOMORROW = object()


@pytest.mark.parametrize(("field", "value", "message"), [
    ("value", "-5.000", "Nilai penjualan harus lebih dari Rp 0."),
    ("value", "0", "Nilai penjualan harus lebih dari Rp 0."),
    ("value", "10.000.000.000.001", "Paling banyak Rp 10.000.000.000.000."),
    ("value", "999.999.999.999.999.999", "Paling banyak Rp 10.000.000.000.000."),
    ("value", "sejuta", "Tulis nilai dalam rupiah, misalnya 1.250.000."),
    ("value", "", "Wajib diisi."),
    ("quantity", "0", "Jumlah harus lebih dari nol."),
    ("quantity", "-3", "Jumlah harus lebih dari nol."),
    ("quantity", "100.000.001", "Paling banyak 100.000.000."),
    ("quantity", "2,5", "Masukkan bilangan bulat, misalnya 10."),
    ("sold_on", TOMORROW, "Tanggal penjualan tidak boleh di masa depan."),
    ("sold_on", "2018-12-31", "Tanggal paling awal 01-01-2019."),
    ("sold_on", "31-12-2024", "Tanggal tidak terbaca. Pilih tanggal dari kalender."),
    ("channel", "lelang", "Pilih saluran penjualan dari daftar."),
    ("buyer_region_code", "99.99", "Pilih daerah pembeli dari daftar."),
    ("unit", "", "Wajib diisi."),
    ("commodity", "x" * 161, "Paling banyak 160 karakter."),
    ("product_id", "99999999999", "Pilih produk toko ini dari daftar."),  # past INTEGER
    ("product_id", "²", "Pilih produk toko ini dari daftar."),
])
def test_given_bad_value_when_recording_then_it_is_refused_beside_its_field_and_nothing_written(
        shops, field, value, message):
    if value is TOMORROW:
        value = (today_jakarta() + timedelta(days=1)).isoformat()

    response = post(shops.client_a, new_url(shops.producer_a), valid(**{field: value}))

    assert response.status_code == 200
    assert errors_by_field(response) == {field: [message]}
    assert sales() == []


def test_given_another_shops_product_when_recording_then_refused_and_nothing_written(shops):
    response = post(shops.client_a, new_url(shops.producer_a),
                    valid(product_id=str(shops.product_b.id), commodity=""))

    assert response.status_code == 200
    assert errors_by_field(response) == {"product_id": ["Pilih produk toko ini dari daftar."]}
    assert sales() == []


def test_given_neither_product_nor_commodity_when_recording_then_refused(shops):
    response = post(shops.client_a, new_url(shops.producer_a), valid(commodity="  "))

    assert response.status_code == 200
    assert errors_by_field(response) == {"commodity": ["Pilih produk atau tulis komoditasnya."]}
    assert sales() == []


def test_given_no_csrf_token_when_recording_then_400_and_nothing_written(shops):
    response = post(shops.client_a, new_url(shops.producer_a), valid(), token=False)

    assert response.status_code == 400
    assert sales() == []


# --------------------------------------------------------------------------------------
# Voiding


def _record(shops, **overrides) -> int:
    assert post(shops.client_a, new_url(shops.producer_a), valid(**overrides)).status_code == 303
    return sales()[-1][0]


def void_url(producer, sale_id) -> str:
    return f"/studio/toko/{producer.id}/penjualan-langsung/{sale_id}/batalkan"


def test_given_a_sale_when_the_owner_voids_it_with_a_reason_then_it_stays_marked_and_stops_counting(shops):
    sale_id = _record(shops, value="500.000")
    kept_id = _record(shops, value="200.000")

    # When
    response = post(shops.client_a, void_url(shops.producer_a, sale_id), {"reason": "Tercatat dua kali"})

    # Then
    assert response.status_code == 303
    voided = next(r for r in sales() if r[0] == sale_id)
    assert voided[12] is not None
    assert voided[13:] == (shops.owner_a.id, "Tercatat dua kali")
    assert next(r for r in sales() if r[0] == kept_id)[12] is None
    page = text(shops.client_a.get(list_url(shops.producer_a)))
    month = (today_jakarta() - timedelta(days=3)).strftime("%Y-%m")
    block = page.split(f'data-month="{month}"')[1].split("</tr>")[0]
    assert '<td class="num" data-testid="month-sales">1</td>' in block
    assert '<td class="num" data-testid="month-value">Rp 200.000</td>' in block
    assert "Alasan pembatalan: Tercatat dua kali" in page


def test_given_a_void_without_reason_then_refused_beside_the_field_and_the_sale_still_counts(shops):
    sale_id = _record(shops)
    before = sales()

    response = post(shops.client_staff, void_url(shops.producer_a, sale_id), {"reason": "  "})

    assert response.status_code == 200
    assert errors_by_field(response) == {f"reason-{sale_id}": ["Tulis alasan pembatalannya."]}
    assert sales() == before


def test_given_a_voided_sale_when_voiding_again_then_a_message_and_nothing_changes(shops):
    sale_id = _record(shops)
    post(shops.client_a, void_url(shops.producer_a, sale_id), {"reason": "Salah tanggal"})
    before = sales()

    response = post(shops.client_staff, void_url(shops.producer_a, sale_id), {"reason": "Lagi"})

    assert response.status_code == 303
    assert sales() == before
    page = text(shops.client_staff.get(list_url(shops.producer_a)))
    assert "Penjualan ini sudah dibatalkan." in page


# --------------------------------------------------------------------------------------
# Another shop's ids


def test_given_another_shop_when_reaching_its_sales_then_404_and_nothing_written(shops):
    sale_id = _record(shops)
    before = sales()
    b = shops.client_b

    assert b.get(list_url(shops.producer_a)).status_code == 404
    assert b.get(new_url(shops.producer_a)).status_code == 404
    assert post(b, new_url(shops.producer_a), valid()).status_code == 404
    assert post(b, void_url(shops.producer_a, sale_id), {"reason": "Bukan milik saya"}).status_code == 404
    # Through its own shop's address, A's sale is not found either.
    assert post(b, void_url(shops.producer_b, sale_id), {"reason": "Bukan milik saya"}).status_code == 404
    assert sales() == before


def test_given_a_shop_when_listing_then_only_its_own_sales_show(shops):
    _record(shops, commodity="Kopi Al Amin khusus")
    assert post(shops.client_b, new_url(shops.producer_b),
                valid(commodity="Madu Budi khusus")).status_code == 303

    page_a = text(shops.client_a.get(list_url(shops.producer_a)))
    page_b = text(shops.client_b.get(list_url(shops.producer_b)))

    assert "Kopi Al Amin khusus" in page_a and "Madu Budi khusus" not in page_a
    assert "Madu Budi khusus" in page_b and "Kopi Al Amin khusus" not in page_b


def test_given_a_seller_when_opening_the_studio_then_each_shop_links_to_its_direct_sales(shops):
    page = shops.client_a.get("/studio/").get_data(as_text=True)

    assert (f'href="{list_url(shops.producer_a)}" data-testid="direct-sales-link"') in page
    assert list_url(shops.producer_b) not in page


@pytest.mark.parametrize("page", ["²", "0", "-1", "99999999999", "abc"])
def test_given_an_odd_page_number_when_listing_then_the_first_page(shops, page):
    response = shops.client_a.get(list_url(shops.producer_a), query_string={"halaman": page})

    assert response.status_code == 200


def test_given_the_form_when_opened_then_it_offers_only_the_shops_products(shops):
    page = text(shops.client_a.get(new_url(shops.producer_a)))

    assert f'<option value="{shops.product_a.id}">Kopi Robusta Al Amin</option>' in page
    assert "Kopi Budi" not in page
    assert f'max="{today_jakarta().isoformat()}"' in page


# --------------------------------------------------------------------------------------
# Demo data


def test_given_demo_producers_when_loading_direct_sales_twice_then_added_once(app, session):
    from datetime import datetime

    from opopmart.catalogue.models import ProducerKind
    from opopmart.demo.insight import SALES_EACH, load_direct_sales

    kopi = f.category(session, "Kopi")
    pesantren = f.producer(session, "Pesantren Demo", kind=ProducerKind.PESANTREN)
    umkm = f.producer(session, "UMKM Demo", kind=ProducerKind.UMKM)
    f.product(session, pesantren, kopi, "Kopi Demo", prices=[20_000])
    f.product(session, umkm, kopi, "Kopi UMKM", prices=[20_000])
    session.commit()
    today, now = today_jakarta(), datetime(2026, 1, 1)

    first = load_direct_sales(session, ["umkm-demo", "pesantren-demo"], today=today, now=now)
    session.commit()
    again = load_direct_sales(session, ["umkm-demo", "pesantren-demo"], today=today, now=now)

    assert (first, again) == (SALES_EACH, 0)
    rows = sales()
    assert {r[1] for r in rows} == {pesantren.id}  # pesantren and kopontren only
    assert all(r[8] == 20_000 * r[6] and today - timedelta(days=75) < r[2] < today for r in rows)
    assert [r[14] for r in rows if r[12] is not None] == ["Tercatat dua kali"]
