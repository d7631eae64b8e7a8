"""Every route × every role: the status each one gets, and nothing written on a refusal.

A route this table does not know fails ``test_every_route_is_in_the_matrix``: new routes
join the matrix when they are added.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select

from opopmart.accounts.models import MemberRole, ProducerMember, User
from opopmart.accounts.services import hash_password
from opopmart.cart.models import Cart, CartLine
from opopmart.catalogue.models import Brand, CertType
from opopmart.checkout.models import Address
from opopmart.core.timeutil import utcnow
from opopmart.curation.revision_models import ProductRevision, RevisionDecision
from opopmart.orders.models import Order, OrderStatus
from opopmart.seller.models import ProducerInvite
from opopmart.extensions import db
from tests import factories as f
from tests.conftest import snapshot_world
from tests.functional.mission_support import matrix_mission

ROLES = ["anonymous", "shopper", "seller_a", "seller_b", "curator", "admin"]
LOGGED_IN = ROLES[1:]
PASSWORD = "kata-sandi-rahasia"
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


@dataclass
class World:
    product_a: int
    variant_a: int
    producer_a: int
    product_slug: str
    producer_slug: str
    image_key: str
    image_id: int
    target_user: int
    cert_a: int
    staff_a: int  # a staff member of producer A (not one of the roles)
    brand_a: int  # a brand of producer A that no product uses
    invite_a: int  # a pending invitation of producer A
    revision_a: int = 0  # a rejected revision of product A (nothing pending)
    address_shopper: int = 0  # the shopper's (default) address
    order_pending: str = ""  # the number of the shopper's order waiting for payment (no intent yet)
    cart_line_staff: int = 0  # a line in staff A's cart: another visitor's line for every role
    order_shipped: str = ""  # the number of the shopper's paid order, shipped by producer A
    shipment_a: int = 0  # that order's shipment (producer A's)
    # Trade missions (tests/functional/mission_support.matrix_mission): a published mission
    # that is over, producer A taking part, seller A and staff A at its desk, one deal.
    mission_id: int = 0
    mission_slug: str = ""
    mission_deal: int = 0
    mission_partner: int = 0
    mission_staff: int = 0  # staff A, one of its desk staff
    direct_sale_a: int = 0  # a direct sale of producer A (opopmart.insight), not voided


def build_world(app, session) -> World:
    """The matrix's world, committed. A plain function so that test_bad_input_sweep can
    build it once per worker and copy it for each of its tests (as ``world`` does)."""
    food = f.category(session, "Makanan & Minuman")
    kopi = f.category(session, "Kopi", parent=food)
    shop_a = f.producer(session, "Kopontren A", region_code="35.14")
    shop_b = f.producer(session, "Kopontren B", region_code="35.78")
    product = f.product(session, shop_a, kopi, "Kopi A", prices=[40_000])
    f.product(session, shop_b, kopi, "Kopi B", prices=[30_000])
    image = f.image(session, product, app.config["MEDIA_ROOT"])
    users = {}
    for role in LOGGED_IN:
        user = User(email=f"{role}@contoh.id", name=role.title(), phone="+6281234567890",
                    password_hash=hash_password(PASSWORD),
                    is_curator=role == "curator", is_admin=role == "admin")
        session.add(user)
        users[role] = user
    session.flush()
    session.add(ProducerMember(user_id=users["seller_a"].id, producer_id=shop_a.id, role=MemberRole.OWNER))
    session.add(ProducerMember(user_id=users["seller_b"].id, producer_id=shop_b.id, role=MemberRole.OWNER))
    cert = f.certificate(session, shop_a, CertType.PIRT, "2063578010123-28")
    cert.document_path = "0123456789abcdef0123456789abcdef.pdf"
    os.makedirs(app.config["DOCUMENT_ROOT"], exist_ok=True)
    with open(os.path.join(app.config["DOCUMENT_ROOT"], cert.document_path), "wb") as out:
        out.write(b"%PDF-1.4\n%%EOF\n")
    staff = User(email="staf-a@contoh.id", name="Staf A", phone="+6281234567890",
                 password_hash=hash_password(PASSWORD))
    session.add(staff)
    session.flush()
    session.add(ProducerMember(user_id=staff.id, producer_id=shop_a.id, role=MemberRole.STAFF))
    brand = Brand(producer_id=shop_a.id, name="Merek A")
    invite = ProducerInvite(producer_id=shop_a.id, email="calon@contoh.id", token_hash="ab" * 32,
                            invited_by_id=users["seller_a"].id,
                            expires_at=utcnow() + timedelta(days=7))
    session.add_all([brand, invite])
    revision = ProductRevision(product_id=product.id, submitted_at=utcnow(), updated_at=utcnow(),
                               content={"name": "Kopi A Baru"}, notes={}, reason="Tidak.",
                               decision=RevisionDecision.REJECTED, decided_at=utcnow())
    session.add(revision)
    address = Address(user_id=users["shopper"].id, label="Rumah", recipient="Shopper",
                      phone="+6281234567890", street="Jl. Kendangsari 12", village="Kendangsari",
                      district="Tenggilis Mejoyo", region_code="35.78", city_name="Kota Surabaya",
                      province_code="35", postal_code="60292", is_default=True)
    session.add(address)
    pending = Order(number="OPM-261123-MATRX2", user_id=users["shopper"].id,
                    status=OrderStatus.PENDING_PAYMENT, checkout_token="matrix-pending-order-token",
                    recipient="Shopper", phone="+6281234567890", street="Jl. Kendangsari 12",
                    village="Kendangsari", district="Tenggilis Mejoyo", region_code="35.78",
                    city_name="Kota Surabaya", province_code="35", postal_code="60292",
                    items_total=40_000, shipping_total=9_000, grand_total=49_000, refunded_total=0,
                    expires_at=utcnow() + timedelta(days=1))
    session.add(pending)
    staff_cart = Cart(user_id=staff.id)
    session.add(staff_cart)
    session.flush()
    staff_line = CartLine(cart_id=staff_cart.id, variant_id=product.variants[0].id, quantity=1)
    session.add(staff_line)
    shipped = _shipped_order(session, users["shopper"], product.variants[0], address,
                             users["seller_a"])
    mission = matrix_mission(session, admin=users["admin"], producer=shop_a,
                             desk_users=[users["seller_a"], staff])
    session.commit()
    return World(product.id, product.variants[0].id, shop_a.id, product.slug, shop_a.slug,
                 image.key, image.id, users["shopper"].id, cert.id,
                 staff_a=staff.id, brand_a=brand.id, invite_a=invite.id, revision_a=revision.id,
                 address_shopper=address.id, order_pending=pending.number,
                 cart_line_staff=staff_line.id, order_shipped=shipped.number,
                 shipment_a=shipped.shipments[0].id, **mission,
                 direct_sale_a=_direct_sale(session, shop_a, users["seller_a"]))


world = snapshot_world(build_world)


def _direct_sale(session, producer, seller) -> int:
    """A direct sale of ``producer`` recorded by ``seller`` through the studio's service."""
    from opopmart.core.timeutil import today_jakarta
    from opopmart.insight.services import SaleInput, record_sale

    sale = record_sale(session, producer_id=producer.id, recorded_by_id=seller.id,
                       today=today_jakarta(), now=utcnow(), data=SaleInput(
                           sold_on=today_jakarta().isoformat(), channel="expo", commodity="Kopi A",
                           quantity="10", unit="pcs", value="400.000"))
    session.commit()
    return sale.id


def _shipped_order(session, shopper, variant, address, seller):
    """A paid order of one unit of ``variant``, placed through checkout, shipped by ``seller``."""
    from opopmart.orders import fulfilment
    from opopmart.orders.services import mark_paid
    from tests.functional.order_support import placed_order

    order = placed_order(session, shopper, [(variant, 1)], to=address)
    mark_paid(session, order, now=utcnow())
    shipment = order.shipments[0]
    fulfilment.start_processing(session, shipment, actor_id=seller.id, now=utcnow())
    fulfilment.ship(session, shipment, tracking_number="JP1234567890", courier="jne",
                    actor_id=seller.id, now=utcnow())
    return order


def log_in(client, role: str) -> None:
    if role == "anonymous":
        return
    page = client.get("/masuk").get_data(as_text=True)
    token = CSRF.search(page).group(1)
    response = client.post("/masuk", data={"csrf_token": token, "email": f"{role}@contoh.id",
                                           "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def csrf_token(client, role: str) -> str:
    page = client.get("/daftar" if role == "anonymous" else "/akun").get_data(as_text=True)
    return CSRF.search(page).group(1)


# (endpoint, method, url template, form fields) -> expected status per role.
# ALL: the same for every role; LOGIN: anonymous is sent to log in (302), others get the value.
class Refused(int):
    """A status that refuses the request: the database must be unchanged afterwards."""


TO_LOGIN = Refused(302)


def ALL(status):  # noqa: N802 - reads as a table
    return {role: status for role in ROLES}


def LOGIN(status, **by_role):  # noqa: N802
    refused = lambda code: Refused(code) if code in (400, 403, 404) else code  # noqa: E731
    return {"anonymous": TO_LOGIN, **{role: refused(by_role.get(role, status)) for role in LOGGED_IN}}


MATRIX = [
    ("catalogue.home", "GET", "/", None, ALL(200)),
    ("catalogue.catalogue", "GET", "/katalog", None, ALL(200)),
    ("catalogue.category", "GET", "/kategori/kopi", None, ALL(200)),
    ("catalogue.product", "GET", "/produk/{product_slug}", None, ALL(200)),
    ("catalogue.producer", "GET", "/produsen/{producer_slug}", None, ALL(200)),
    ("search.results", "GET", "/cari?q=kopi", None, ALL(200)),
    # The cart is everyone's, anonymous visitors' too; another visitor's line is a 404.
    ("cart.view", "GET", "/keranjang", None, ALL(200)),
    ("cart.add", "POST", "/keranjang/tambah", {"variant_id": "{variant_a}", "quantity": "1"}, ALL(303)),
    ("cart.update", "POST", "/keranjang/{cart_line_staff}/ubah", {"quantity": "2"}, ALL(Refused(404))),
    ("cart.remove", "POST", "/keranjang/{cart_line_staff}/hapus", {}, ALL(Refused(404))),
    ("search.suggest", "GET", "/api/search/suggest?q=kop", None, ALL(200)),
    ("core.media", "GET", "/media/{image_key}_sm.jpg", None, ALL(200)),
    ("core.set_language", "GET", "/bahasa/en?next=/katalog", None, ALL(302)),
    ("core.healthz", "GET", "/healthz", None, ALL(200)),
    ("core.certificate_document", "GET", "/dokumen/sertifikat/{cert_a}", None,
     LOGIN(404, seller_a=200, curator=200, admin=200)),
    ("static", "GET", "/static/css/app.css", None, ALL(200)),
    ("accounts.register", "GET", "/daftar", None, LOGIN(302, anonymous=200) | {"anonymous": 200}),
    ("accounts.register", "POST", "/daftar", {}, LOGIN(302) | {"anonymous": 200}),
    ("accounts.login", "GET", "/masuk", None, LOGIN(302) | {"anonymous": 200}),
    ("accounts.login", "POST", "/masuk", {}, ALL(200)),
    ("accounts.profile", "GET", "/akun", None, LOGIN(200)),
    ("accounts.profile", "POST", "/akun", {}, LOGIN(200)),
    ("accounts.change_password", "GET", "/akun/kata-sandi", None, LOGIN(200)),
    ("accounts.change_password", "POST", "/akun/kata-sandi", {}, LOGIN(200)),
    # Everyone's own notifications; marking all read when there are none changes nothing.
    ("notifications.index", "GET", "/notifikasi", None, LOGIN(200)),
    ("notifications.mark_read", "POST", "/notifikasi/baca", {}, LOGIN(303)),
    ("admin.users", "GET", "/admin/pengguna", None, LOGIN(403, admin=200)),
    ("admin.set_role", "POST", "/admin/pengguna/{target_user}/peran",
     {"role": "curator", "grant": "1"}, LOGIN(403, admin=303)),
    ("admin.history_page", "GET", "/admin/riwayat", None, LOGIN(403, admin=200)),
    ("admin.history_csv", "GET", "/admin/riwayat.csv", None, LOGIN(403, admin=200)),
    ("seller.dashboard", "GET", "/studio/", None, LOGIN(200)),
    ("seller.open_shop", "GET", "/studio/buka-toko", None, LOGIN(200)),
    ("seller.open_shop", "POST", "/studio/buka-toko", {}, LOGIN(200)),
    # Without a shop of their own, people are sent to open one.
    ("seller.new_product", "GET", "/studio/produk/baru", None, LOGIN(302, seller_a=200, seller_b=200)),
    ("seller.new_product", "POST", "/studio/produk/baru", {}, LOGIN(302, seller_a=200, seller_b=200)),
    ("seller.producer", "GET", "/studio/toko/{producer_a}", None, LOGIN(404, seller_a=200)),
    ("seller.edit_product", "GET", "/studio/produk/{product_a}", None, LOGIN(404, seller_a=200)),
    ("seller.edit_product", "POST", "/studio/produk/{product_a}", {}, LOGIN(404, seller_a=200)),
    ("seller.quick_update", "POST", "/studio/produk/{product_a}/varian/{variant_a}",
     {"price": "41.000", "stock": "9"}, LOGIN(404, seller_a=303)),
    ("seller.move", "POST", "/studio/produk/{product_a}/arsipkan", {}, LOGIN(404, seller_a=303)),
    ("seller.add_certificate", "POST", "/studio/produk/{product_a}/sertifikat",
     {"type": "pirt", "number": "bukan-nomor"}, LOGIN(404, seller_a=200)),
    # Attaching is allowed on a published product (only verified certificates show);
    # the certificate is already attached, so this one answers with a message.
    ("seller.attach_certificate", "POST", "/studio/produk/{product_a}/sertifikat/pasang",
     {"certification_id": "{cert_a}"}, LOGIN(404, seller_a=303)),
    ("seller.detach_certificate", "POST", "/studio/produk/{product_a}/sertifikat/{cert_a}/lepas", {},
     LOGIN(404, seller_a=303)),
    ("seller.add_photo", "POST", "/studio/produk/{product_a}/foto", {}, LOGIN(404, seller_a=303)),
    # Product A was archived above: no revision to take a photo out of (404) or to withdraw (a message).
    ("seller.remove_revision_photo", "POST", "/studio/produk/{product_a}/revisi/foto/{image_key}/hapus",
     {}, LOGIN(404)),
    ("seller.withdraw_revision", "POST", "/studio/produk/{product_a}/revisi/batal", {},
     LOGIN(404) | {"seller_a": Refused(303)}),
    # Product A was archived above: its photos cannot change (a message, 303).
    ("seller.remove_photo", "POST", "/studio/produk/{product_a}/foto/{image_id}/hapus", {},
     LOGIN(404, seller_a=303)),
    ("seller.invite", "POST", "/studio/toko/{producer_a}/undang",
     {"email": "staf@contoh.id"}, LOGIN(404, seller_a=200)),  # the owner sees the link once
    ("seller.bulk_page", "GET", "/studio/toko/{producer_a}/massal", None, LOGIN(404, seller_a=200)),
    ("seller.bulk_export", "GET", "/studio/toko/{producer_a}/massal/unduh.csv", None, LOGIN(404, seller_a=200)),
    ("seller.bulk_export", "GET", "/studio/toko/{producer_a}/massal/unduh.xlsx", None, LOGIN(404, seller_a=200)),
    # Without a file the owner is asked for one (200); nothing is written either way.
    ("seller.bulk_upload", "POST", "/studio/toko/{producer_a}/massal", {"mode": "check"},
     LOGIN(404, seller_a=200)),
    # An unknown or expired invitation link is a bad request, whoever follows it.
    # Running a shop (seller.shop_views): only producer A's members get past the 404.
    ("seller.edit_shop", "GET", "/studio/toko/{producer_a}/ubah", None, LOGIN(404, seller_a=200)),
    ("seller.edit_shop", "POST", "/studio/toko/{producer_a}/ubah", {}, LOGIN(404, seller_a=200)),
    ("seller.remove_member", "POST", "/studio/toko/{producer_a}/anggota/{staff_a}/hapus", {},
     LOGIN(404, seller_a=303)),
    # The owner cannot leave: a message, and nothing written.
    ("seller.leave_shop", "POST", "/studio/toko/{producer_a}/keluar", {},
     LOGIN(404) | {"seller_a": Refused(303)}),
    ("seller.cancel_invite", "POST", "/studio/toko/{producer_a}/undangan/{invite_a}/batal", {},
     LOGIN(404, seller_a=303)),
    ("seller.brands", "GET", "/studio/toko/{producer_a}/merek", None, LOGIN(404, seller_a=200)),
    ("seller.brands", "POST", "/studio/toko/{producer_a}/merek", {}, LOGIN(404, seller_a=200)),
    ("seller.edit_brand", "POST", "/studio/toko/{producer_a}/merek/{brand_a}",
     {"name": "Merek A", "djki_number": "IDM000123456"}, LOGIN(404, seller_a=303)),
    ("seller.delete_brand", "POST", "/studio/toko/{producer_a}/merek/{brand_a}/hapus", {},
     LOGIN(404, seller_a=303)),
    ("seller.accept_invite", "GET", "/studio/undangan/token-palsu", None, LOGIN(400)),
    ("seller.accept_invite", "POST", "/studio/undangan/token-palsu", {}, LOGIN(400)),
    # Curation: curators only (admins without the role too get 403).
    ("curation.products", "GET", "/kurasi/produk", None, LOGIN(403, curator=200)),
    ("curation.review", "GET", "/kurasi/produk/{product_a}", None, LOGIN(403, curator=200)),
    # Product A is published, not waiting: the curator is told so (303), nothing changes.
    ("curation.decide", "POST", "/kurasi/produk/{product_a}/keputusan", {"decision": "reject",
     "reason": "Foto buram"}, LOGIN(403, curator=303)),
    ("curation.producers", "GET", "/kurasi/produsen", None, LOGIN(403, curator=200)),
    # Revisions of published products: the queue, the diff, and (already decided) a message.
    ("curation.revisions_queue", "GET", "/kurasi/revisi", None, LOGIN(403, curator=200)),
    ("curation.revision", "GET", "/kurasi/revisi/{revision_a}", None, LOGIN(403, curator=200)),
    ("curation.decide_revision", "POST", "/kurasi/revisi/{revision_a}/keputusan",
     {"decision": "approve"}, LOGIN(403) | {"curator": Refused(303)}),
    ("curation.producer", "GET", "/kurasi/produsen/{producer_a}", None, LOGIN(403, curator=200)),
    ("curation.dashboard", "GET", "/kurasi/dasbor", None, LOGIN(403, curator=200)),
    # Producer A is verified already: a message (303). Suspending without a reason: the form again.
    ("curation.verify_producer", "POST", "/kurasi/produsen/{producer_a}/verifikasi", {},
     LOGIN(403, curator=303)),
    ("curation.refuse_producer", "POST", "/kurasi/produsen/{producer_a}/tolak", {"reason": ""},
     LOGIN(403, curator=200)),
    # Re-applying is for members of the shop; producer A is not refused: a message (303).
    ("curation.reapply", "POST", "/kurasi/ajukan-ulang/{producer_a}", {}, LOGIN(404, seller_a=303)),
    # The address book: everyone's own; only the shopper owns the address (another's is a 404).
    # An empty form is answered with its errors (200) and writes nothing.
    ("addresses.index", "GET", "/akun/alamat", None, LOGIN(200)),
    ("addresses.new", "GET", "/akun/alamat/baru", None, LOGIN(200)),
    ("addresses.new", "POST", "/akun/alamat/baru", {}, LOGIN(200)),
    ("addresses.edit", "GET", "/akun/alamat/{address_shopper}/ubah", None, LOGIN(404, shopper=200)),
    ("addresses.edit", "POST", "/akun/alamat/{address_shopper}/ubah", {}, LOGIN(404, shopper=200)),
    # Already the default: nothing changes. Deleting comes after every other use of it.
    ("addresses.make_default", "POST", "/akun/alamat/{address_shopper}/utama", {},
     LOGIN(404, shopper=303)),
    ("addresses.delete", "POST", "/akun/alamat/{address_shopper}/hapus", {}, LOGIN(404, shopper=303)),
    # Shipping rates: admins only. An empty form is refused with messages (200), nothing written.
    # Checkout: every role put one unit in its cart above, so the summary shows; a POST
    # without the summary's checkout token is refused and writes nothing.
    ("checkout.start", "GET", "/checkout", None, LOGIN(200)),
    ("checkout.place", "POST", "/checkout", {}, LOGIN(400)),
    ("shipping_rates.rates", "GET", "/admin/ongkir", None, LOGIN(403, admin=200)),
    ("shipping_rates.rates", "POST", "/admin/ongkir", {}, LOGIN(403, admin=200)),
    # Payment: only the order's owner (others 404). An unknown test card is refused (400);
    # with no payment started there is nothing to authenticate (a message, 303).
    ("payments.pay", "GET", "/pembayaran/{order_pending}", None, LOGIN(404, shopper=200)),
    ("payments.status", "GET", "/pembayaran/{order_pending}/status", None, LOGIN(404, shopper=200)),
    ("payments.test_card", "POST", "/pembayaran/{order_pending}/kartu-uji", {"kartu": "palsu"},
     LOGIN(404, shopper=400)),
    ("payments.authenticate", "POST", "/pembayaran/{order_pending}/autentikasi",
     {"keputusan": "setuju"}, LOGIN(404) | {"shopper": Refused(303)}),
    # Stripe's webhook: no valid signature, whoever posts it.
    ("payments.webhook", "POST", "/stripe/webhook", {}, ALL(Refused(400))),
    # Orders: the shopper's own (anyone else's number is a 404). The order is shipped: it can
    # no longer be cancelled (a message, nothing written); confirming receipt completes it.
    ("orders.index", "GET", "/pesanan", None, LOGIN(200)),
    ("orders.detail", "GET", "/pesanan/{order_shipped}", None, LOGIN(404, shopper=200)),
    ("orders.cancel", "POST", "/pesanan/{order_shipped}/batal", {},
     LOGIN(404) | {"shopper": Refused(303)}),
    ("orders.confirm", "POST", "/pesanan/{order_shipped}/kiriman/{shipment_a}/terima", {},
     LOGIN(404, shopper=303)),
    # Incoming orders in the studio: producer A's members only. The shipment is shipped:
    # packing, shipping again and cancelling are refused with a message; delivering works.
    ("studio_orders.index", "GET", "/studio/pesanan", None, LOGIN(200)),
    ("studio_orders.detail", "GET", "/studio/pesanan/{shipment_a}", None, LOGIN(404, seller_a=200)),
    ("studio_orders.label", "GET", "/studio/pesanan/{shipment_a}/label", None,
     LOGIN(404, seller_a=200)),
    ("studio_orders.process", "POST", "/studio/pesanan/{shipment_a}/proses", {},
     LOGIN(404) | {"seller_a": Refused(303)}),
    ("studio_orders.ship", "POST", "/studio/pesanan/{shipment_a}/kirim",
     {"tracking_number": "JP0000000001", "courier": "pos"}, LOGIN(404) | {"seller_a": Refused(303)}),
    ("studio_orders.cancel", "POST", "/studio/pesanan/{shipment_a}/batalkan", {"reason": "Stok habis"},
     LOGIN(404) | {"seller_a": Refused(303)}),
    ("studio_orders.deliver", "POST", "/studio/pesanan/{shipment_a}/sampai", {}, LOGIN(404, seller_a=303)),
    # Market data (opopmart.insight): admins only; every table downloads as CSV.
    ("insight.dashboard", "GET", "/admin/insight", None, LOGIN(403, admin=200)),
    ("insight.table_csv", "GET", "/admin/insight/ringkasan.csv", None, LOGIN(403, admin=200)),
    # Direct sales in the studio: producer A's members only (anyone else's shop is a 404).
    # An empty form is answered with its errors (200) and writes nothing; voiding works.
    ("direct_sales.index", "GET", "/studio/toko/{producer_a}/penjualan-langsung", None,
     LOGIN(404, seller_a=200)),
    ("direct_sales.new", "GET", "/studio/toko/{producer_a}/penjualan-langsung/baru", None,
     LOGIN(404, seller_a=200)),
    ("direct_sales.new", "POST", "/studio/toko/{producer_a}/penjualan-langsung/baru", {},
     LOGIN(404) | {"seller_a": Refused(200)}),
    ("direct_sales.void", "POST", "/studio/toko/{producer_a}/penjualan-langsung/{direct_sale_a}/batalkan",
     {"reason": "Salah catat"}, LOGIN(404, seller_a=303)),
    # Trade missions. Public pages of a published mission that is over (its CSV too).
    ("missions.public_list", "GET", "/misi-dagang", None, ALL(200)),
    ("missions.summary", "GET", "/misi-dagang/{mission_slug}", None, ALL(200)),
    ("missions.tally", "GET", "/misi-dagang/{mission_slug}/tally", None, ALL(200)),
    ("missions.tally_json", "GET", "/misi-dagang/{mission_slug}/tally.json", None, ALL(200)),
    ("missions.deals_csv", "GET", "/misi-dagang/{mission_slug}/transaksi.csv", None, ALL(200)),
    # Running missions: admins only. Empty or repeated forms are answered with their
    # errors (200) and write nothing; refused buttons say why (303), also writing nothing.
    ("missions.admin_list", "GET", "/admin/misi-dagang", None, LOGIN(403, admin=200)),
    ("missions.new_mission", "GET", "/admin/misi-dagang/baru", None, LOGIN(403, admin=200)),
    ("missions.new_mission", "POST", "/admin/misi-dagang/baru", {}, LOGIN(403) | {"admin": Refused(200)}),
    ("missions.manage", "GET", "/admin/misi-dagang/{mission_id}", None, LOGIN(403, admin=200)),
    ("missions.edit_mission", "GET", "/admin/misi-dagang/{mission_id}/ubah", None, LOGIN(403, admin=200)),
    ("missions.edit_mission", "POST", "/admin/misi-dagang/{mission_id}/ubah", {},
     LOGIN(403) | {"admin": Refused(200)}),
    ("missions.change_status", "POST", "/admin/misi-dagang/{mission_id}/status", {"target": "published"},
     LOGIN(403) | {"admin": Refused(303)}),
    ("missions.add_participant", "POST", "/admin/misi-dagang/{mission_id}/peserta",
     {"producer_id": "{producer_a}"}, LOGIN(403) | {"admin": Refused(200)}),
    ("missions.remove_participant", "POST", "/admin/misi-dagang/{mission_id}/peserta/{producer_a}/hapus", {},
     LOGIN(403) | {"admin": Refused(303)}),
    ("missions.add_partner", "POST", "/admin/misi-dagang/{mission_id}/mitra", {},
     LOGIN(403) | {"admin": Refused(200)}),
    ("missions.edit_partner", "GET", "/admin/misi-dagang/{mission_id}/mitra/{mission_partner}/ubah", None,
     LOGIN(403, admin=200)),
    ("missions.edit_partner", "POST", "/admin/misi-dagang/{mission_id}/mitra/{mission_partner}/ubah", {},
     LOGIN(403) | {"admin": Refused(200)}),
    ("missions.remove_partner", "POST", "/admin/misi-dagang/{mission_id}/mitra/{mission_partner}/hapus", {},
     LOGIN(403) | {"admin": Refused(303)}),
    ("missions.add_staff", "POST", "/admin/misi-dagang/{mission_id}/petugas", {"email": "seller_a@contoh.id"},
     LOGIN(403) | {"admin": Refused(200)}),
    # The deal desk: admins and the mission's desk staff (seller A); anyone else gets a 404.
    ("missions.my_desks", "GET", "/admin/misi-dagang/meja", None, LOGIN(200)),
    ("missions.desk", "GET", "/admin/misi-dagang/{mission_id}/transaksi", None,
     LOGIN(404, seller_a=200, admin=200)),
    ("missions.desk", "POST", "/admin/misi-dagang/{mission_id}/transaksi", {},
     LOGIN(404) | {"seller_a": Refused(200), "admin": Refused(200)}),
    ("missions.correct", "GET", "/admin/misi-dagang/{mission_id}/transaksi/{mission_deal}/koreksi", None,
     LOGIN(404, seller_a=200, admin=200)),
    ("missions.correct", "POST", "/admin/misi-dagang/{mission_id}/transaksi/{mission_deal}/koreksi", {},
     LOGIN(404) | {"seller_a": Refused(200), "admin": Refused(200)}),
    ("missions.void", "POST", "/admin/misi-dagang/{mission_id}/transaksi/{mission_deal}/batal",
     {"void_reason": ""}, LOGIN(404) | {"seller_a": Refused(200), "admin": Refused(200)}),
    ("missions.remove_staff", "POST", "/admin/misi-dagang/{mission_id}/petugas/{mission_staff}/hapus", {},
     LOGIN(403, admin=303)),
    # Last: it ends the session.
    ("accounts.logout", "POST", "/keluar", {}, ALL(302)),
]


def test_every_route_is_in_the_matrix(app):
    known = {(endpoint, method) for endpoint, method, *_ in MATRIX}
    missing = sorted(
        (rule.endpoint, method, rule.rule)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
        if (rule.endpoint, method) not in known
    )
    assert missing == []


def snapshot(session) -> dict[str, object]:
    """Row counts and a digest of every table's contents, to prove nothing changed."""
    session.expire_all()
    tables = [t for t in db.metadata.sorted_tables if t.name != "rate_limit_hits"]
    state = {}
    for table in tables:
        rows = session.execute(select(table).order_by(*table.primary_key.columns)).all()
        state[table.name] = [tuple(r) for r in rows]
    return state


@pytest.mark.parametrize("role", ROLES)
def test_route_role_matrix(client, session, world, role):
    log_in(client, role)
    fields = vars(world)
    failures = []
    for endpoint, method, template, form, expected in MATRIX:
        url = template.format(**fields)
        want = expected[role]
        before = snapshot(session) if method == "POST" and isinstance(want, Refused) else None
        if method == "GET":
            response = client.get(url)
        else:
            data = {"csrf_token": csrf_token(client, role),
                    **{k: v.format(**fields) for k, v in (form or {}).items()}}
            response = client.post(url, data=data)
        response.close()
        if response.status_code != want:
            failures.append((endpoint, method, url, want, response.status_code))
        if before is not None and snapshot(session) != before:
            failures.append((endpoint, method, url, "database changed on refusal"))
    assert failures == [], "\n".join(map(str, failures))


def test_post_without_csrf_token_is_refused_and_writes_nothing(client, session, world):
    log_in(client, "seller_a")
    before = snapshot(session)
    for endpoint, method, template, form, _ in MATRIX:
        if method != "POST":
            continue
        response = client.post(template.format(**vars(world)), data=form or {})
        assert response.status_code == 400, (endpoint, response.status_code)
    assert snapshot(session) == before
