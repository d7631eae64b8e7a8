"""A market of June 2025 with known figures, for the market-data tests.

Everything goes through the app's own services: checkout places the orders
(``order_support``), the webhook's ``mark_paid`` pays them at a chosen instant, Stripe's
stand-in (localstripe) takes the money that is later refunded through
``orders.refunds``, and the studio's ``insight.services`` records and voids the direct
sales. Times are given in WIB and stored as UTC, as the app stores them.

Producers (region, kind)                         products (price)
  P1 Kopontren Sidogiri  35.14 Kab. Pasuruan  kopontren  Kopi Arabika Ijen (50.000), a draft
  P2 Pesantren Tebuireng 35.17 Kab. Jombang   pesantren  Madu Hutan Randu (100.000)
  P3 Namira Ecoprint     35.78 Kota Surabaya  umkm       =SUM(A1) Kain Ecoprint (200.000)
  P4 Pesantren Lirboyo   35.06 Kab. Kediri    pesantren  none (direct sales only)
  P5 Kopontren Baru      35.09 Kab. Jember    kopontren  none, not verified

Buyers: Siti (Kota Surabaya), Budi (Kab. Malang), Dewi (Kota Jakarta Barat, DKI),
Eko (Jawa Tengah, a city the regions table does not hold).

Orders (paid at, WIB)                                      counted in June
  O1  Siti  2 kopi + 1 madu        5 Jun 10:00              200.000 (P1 100.000, P2 100.000)
  O2  Budi  1 kain                 10 Jun 09:00, completed  200.000 (P3)
  O3  Dewi  4 kopi                 30 Jun 23:30             200.000 (P1)  last day, in
  O4  Eko   3 madu                 1 Jul 00:30              -  next day, out
  O5  Siti  2 kain                 12 Jun, refunded whole   -
  O6  Budi  1 kopi + 1 kain        15 Jun, P3 refunded      50.000 (P1)
  O7  Dewi  1 madu                 cancelled unpaid         -
  O8  Eko   1 madu                 waiting for payment      -
  O9  Eko   1 kain                 1 Jun 00:00              200.000 (P3)  first instant, in
  O10 Siti  1 madu                 31 May 23:59             -  before, out
Online in June: 850.000 over 5 orders from 4 buyers.

Direct sales: D1 P1 expo 10 Jun 1.000.000; D2 P4 toko pesantren 30 Jun 500.000 (no
product: "Kitab kuning"); D3 P5 11 Jun 9.999.999 voided; D4 P1 1 Jul 700.000 (out);
D5 P3 31 May 300.000 (out). Direct in June: 1.500.000 over 2 sales.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from opopmart.accounts.models import MemberRole, ProducerMember
from opopmart.catalogue.models import ProducerKind, ProductStatus
from opopmart.checkout.stripe_gateway import SandboxCard, gateway
from opopmart.core.timeutil import today_jakarta, utcnow
from opopmart.insight import services as insight_services
from opopmart.insight.queries import Period
from opopmart.orders import fulfilment, refunds
from opopmart.orders import services as order_services
from tests import factories as f
from tests.functional.order_support import address, order_with_intent, placed_order
from tests.functional.test_accounts import make_user

JUNE = Period(date(2025, 6, 1), date(2025, 6, 30))
JUNE_ARGS = {"dari": "2025-06-01", "sampai": "2025-06-30"}


def wib(*args) -> datetime:
    """A Jakarta wall-clock time as the naive UTC the database stores (WIB = UTC+7)."""
    return datetime(*args) - timedelta(hours=7)


@dataclass
class Market:
    p1: object
    p2: object
    p3: object
    p4: object
    p5: object
    kopi: object
    madu: object
    kain: object
    admin: object
    owner_p1: object
    owner_p3: object
    orders: dict
    direct: dict


def _paid(app, session, shopper, items, *, to, at: datetime, stripe: bool = False):
    """An order paid at ``at`` (UTC); through localstripe when it will be refunded."""
    if stripe:
        order, intent = order_with_intent(app, session, shopper, items, to=to, now=at)
        assert gateway(app).pay_with_test_card(intent.id, SandboxCard.SUCCEEDS).status == "succeeded"
    else:
        order = placed_order(session, shopper, items, to=to, now=at)
    order_services.mark_paid(session, order, now=at)
    session.commit()
    return order


def build_market(app, session) -> Market:
    food = f.category(session, "Makanan & Minuman", name_en="Food & Drink")
    kopi_cat = f.category(session, "Kopi", parent=food)
    madu_cat = f.category(session, "Madu", parent=food)
    fashion = f.category(session, "Fesyen & Batik", name_en="Fashion")
    ecoprint = f.category(session, "Ecoprint", parent=fashion)

    p1 = f.producer(session, "Kopontren Sidogiri", region_code="35.14", kind=ProducerKind.KOPONTREN)
    p2 = f.producer(session, "Pesantren Tebuireng", region_code="35.17", kind=ProducerKind.PESANTREN)
    p3 = f.producer(session, "Namira Ecoprint", region_code="35.78", kind=ProducerKind.UMKM)
    p4 = f.producer(session, "Pesantren Lirboyo", region_code="35.06", kind=ProducerKind.PESANTREN)
    p5 = f.producer(session, "Kopontren Baru", region_code="35.09", kind=ProducerKind.KOPONTREN,
                    verified=False)
    kopi = f.product(session, p1, kopi_cat, "Kopi Arabika Ijen", prices=[50_000], stock=100)
    madu = f.product(session, p2, madu_cat, "Madu Hutan Randu", prices=[100_000], stock=100)
    kain = f.product(session, p3, ecoprint, "=SUM(A1) Kain Ecoprint", prices=[200_000], stock=100)
    f.product(session, p1, kopi_cat, "Draf Kopi Baru", status=ProductStatus.DRAFT)

    admin = make_user(session, email="admin@contoh.id", name="Admin Program", is_admin=True)
    owner_p1 = make_user(session, email="ani@contoh.id", name="Ani")
    staff_p1 = make_user(session, email="staf@contoh.id", name="Staf Sidogiri")
    owner_p2 = make_user(session, email="gus@contoh.id", name="Gus Tebu")
    owner_p3 = make_user(session, email="namira@contoh.id", name="Namira")
    owner_p4 = make_user(session, email="lirboyo@contoh.id", name="Lirboyo")
    owner_p5 = make_user(session, email="baru@contoh.id", name="Baru")
    for user, producer, role in (
        (owner_p1, p1, MemberRole.OWNER), (staff_p1, p1, MemberRole.STAFF),
        (owner_p1, p2, MemberRole.STAFF),  # a santri in two shops counts once
        (owner_p2, p2, MemberRole.OWNER), (owner_p3, p3, MemberRole.OWNER),
        (owner_p4, p4, MemberRole.OWNER), (owner_p5, p5, MemberRole.OWNER),
    ):
        session.add(ProducerMember(user_id=user.id, producer_id=producer.id, role=role))
    session.commit()

    siti = make_user(session, email="siti@contoh.id", name="Siti")
    budi = make_user(session, email="budi@contoh.id", name="Budi")
    dewi = make_user(session, email="dewi@contoh.id", name="Dewi")
    eko = make_user(session, email="eko@contoh.id", name="Eko")
    to = {
        "siti": address(session, siti, region_code="35.78", city_name="Kota Surabaya"),
        "budi": address(session, budi, region_code="35.07", city_name="Kab. Malang"),
        "dewi": address(session, dewi, region_code="31.74", city_name="Kota Jakarta Barat",
                        province_code="31"),
        "eko": address(session, eko, region_code=None, city_name="Kab. Kudus", province_code="33"),
    }
    session.commit()
    k, m, c = kopi.variants[0], madu.variants[0], kain.variants[0]

    orders = {}
    orders["O1"] = _paid(app, session, siti, [(k, 2), (m, 1)], to=to["siti"], at=wib(2025, 6, 5, 10, 0))
    orders["O2"] = _paid(app, session, budi, [(c, 1)], to=to["budi"], at=wib(2025, 6, 10, 9, 0))
    shipment = orders["O2"].shipments[0]
    at = wib(2025, 6, 11, 9, 0)
    fulfilment.start_processing(session, shipment, actor_id=owner_p3.id, now=at)
    fulfilment.ship(session, shipment, tracking_number="JP1234567890", courier="jne",
                    actor_id=owner_p3.id, now=at)
    fulfilment.confirm_receipt(session, orders["O2"], shipment, actor_id=budi.id, now=at)
    session.commit()
    orders["O3"] = _paid(app, session, dewi, [(k, 4)], to=to["dewi"], at=wib(2025, 6, 30, 23, 30))
    orders["O4"] = _paid(app, session, eko, [(m, 3)], to=to["eko"], at=wib(2025, 7, 1, 0, 30))
    orders["O5"] = _paid(app, session, siti, [(c, 2)], to=to["siti"], at=wib(2025, 6, 12, 8, 0),
                         stripe=True)
    refunds.shopper_cancel(session, gateway(app), orders["O5"], actor_id=siti.id,
                           now=wib(2025, 6, 12, 9, 0))
    session.commit()
    orders["O6"] = _paid(app, session, budi, [(k, 1), (c, 1)], to=to["budi"],
                         at=wib(2025, 6, 15, 8, 0), stripe=True)
    kain_part = next(s for s in orders["O6"].shipments if s.producer_id == p3.id)
    refunds.seller_cancel(session, gateway(app), kain_part, reason="Stok habis",
                          actor_id=owner_p3.id, now=wib(2025, 6, 16, 8, 0))
    session.commit()
    orders["O7"] = placed_order(session, dewi, [(m, 1)], to=to["dewi"], now=wib(2025, 6, 20, 8, 0))
    order_services.cancel_unpaid(session, orders["O7"], reason="Waktu pembayaran habis",
                                 now=wib(2025, 6, 20, 9, 0))
    session.commit()
    orders["O8"] = placed_order(session, eko, [(m, 1)], to=to["eko"], now=wib(2025, 6, 21, 8, 0))
    orders["O9"] = _paid(app, session, eko, [(c, 1)], to=to["eko"], at=wib(2025, 6, 1, 0, 0))
    orders["O10"] = _paid(app, session, siti, [(m, 1)], to=to["siti"], at=wib(2025, 5, 31, 23, 59))

    def sale(producer, user, **data):
        return insight_services.record_sale(
            session, producer_id=producer.id, data=insight_services.SaleInput(**data),
            recorded_by_id=user.id, today=today_jakarta(), now=utcnow())

    direct = {
        "D1": sale(p1, owner_p1, sold_on="2025-06-10", channel="expo", product_id=str(kopi.id),
                   quantity="200", unit="pcs", value="1.000.000", buyer_region_code="35.78"),
        "D2": sale(p4, owner_p4, sold_on="2025-06-30", channel="pesantren_store",
                   commodity="Kitab kuning", quantity="50", unit="eksemplar", value="500000"),
        "D3": sale(p5, owner_p5, sold_on="2025-06-11", channel="reseller", commodity="Sabun",
                   quantity="10", unit="pcs", value="Rp 9.999.999"),
        "D4": sale(p1, owner_p1, sold_on="2025-07-01", channel="expo", commodity="Kopi",
                   quantity="10", unit="kg", value="700000"),
        "D5": sale(p3, owner_p3, sold_on="2025-05-31", channel="other", commodity="Kain",
                   quantity="3", unit="lembar", value="300000"),
    }
    insight_services.void_sale(session, direct["D3"], reason="Salah ketik nilai",
                               actor_id=owner_p5.id, now=utcnow())
    session.commit()
    return Market(p1, p2, p3, p4, p5, kopi, madu, kain, admin, owner_p1, owner_p3, orders, direct)
