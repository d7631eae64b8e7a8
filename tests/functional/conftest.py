"""A small, fully known catalogue that the functional tests read from.

Listed (public): Kopi Arabika Ijen, Kopi Robusta Dampit, Keripik Tempe Sanan (out of
stock), Madu Hutan Randu (its halal certificate expired), Kain Ecoprint Daun Jati.
Hidden: one product in each non-public status, and a published product of an
unverified producer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from opopmart.catalogue.models import (
    Brand,
    CertType,
    HalalScheme,
    ProducerKind,
    Product,
    ProductStatus,
)
from tests import factories as f
from tests.conftest import snapshot_world

HIDDEN_NAMES = [
    "Draf Kopi Rahasia",
    "Kopi Menunggu Kurasi",
    "Kopi Ditolak Kurator",
    "Kopi Perlu Perbaikan",
    "Kain Diarsipkan",
    "Sambal Produsen Belum Terverifikasi",
]


@dataclass
class World:
    ijen: Product
    dampit: Product
    keripik: Product
    madu: Product
    kain: Product
    hidden: dict[str, Product]


def build_world(app, session) -> World:
    food = f.category(session, "Makanan & Minuman", name_en="Food & Drink",
                      required=[["pirt", "bpom:MD", "bpom:ML"]])
    kopi = f.category(session, "Kopi", parent=food, name_en="Coffee")
    camilan = f.category(session, "Camilan", parent=food, name_en="Snacks")
    madu_cat = f.category(session, "Madu", parent=food, name_en="Honey")
    fashion = f.category(session, "Fesyen & Batik", name_en="Fashion & Batik")
    ecoprint = f.category(session, "Ecoprint", parent=fashion)

    namira = f.producer(session, "Namira Ecoprint", region_code="35.78", kind=ProducerKind.UMKM,
                        address="Jl. Kendangsari 12", description="Ecoprint dari daun jati.")
    sidogiri = f.producer(session, "Kopontren Sidogiri", region_code="35.14",
                          kind=ProducerKind.KOPONTREN, pesantren_name="Pondok Pesantren Sidogiri",
                          koperasi_name="Koperasi Pondok Pesantren Sidogiri")
    hidden_shop = f.producer(session, "Dapur Belum Terverifikasi", region_code="35.07", verified=False)

    brand = Brand(producer_id=sidogiri.id, name="Santri Roastery", djki_number="IDM000123456")
    session.add(brand)
    session.flush()

    ijen = f.product(session, sidogiri, kopi, "Kopi Arabika Ijen", prices=[45_000, 85_000],
                     option1_name="Berat", options=["250 g", "500 g"], brand=brand,
                     tiers=[(10, 42_000), (50, 40_000)], claims_halal=True,
                     description="Kopi arabika dari lereng Ijen.\n\nDisangrai medium.")
    dampit = f.product(session, sidogiri, kopi, "Kopi Robusta Dampit", prices=[30_000])
    keripik = f.product(session, sidogiri, camilan, "Keripik Tempe Sanan", prices=[15_000], stock=0)
    madu = f.product(session, sidogiri, madu_cat, "Madu Hutan Randu", prices=[95_000])
    kain = f.product(session, namira, ecoprint, "Kain Ecoprint Daun Jati", prices=[350_000],
                     weight_grams=300)

    f.certificate(session, sidogiri, CertType.HALAL, "ID35110000123450224", products=[ijen],
                  expires_on=date(2029, 3, 1), halal_scheme=HalalScheme.REGULER)
    f.certificate(session, sidogiri, CertType.PIRT, "2063514010123-28", products=[ijen, dampit],
                  expires_on=date(2028, 6, 30))
    f.certificate(session, sidogiri, CertType.HALAL, "ID35110000999990221", products=[madu],
                  expires_on=date(2025, 1, 31))
    # Not yet checked by a curator: never shown, never counted.
    f.certificate(session, sidogiri, CertType.BPOM, "MD 224510001234", products=[dampit], verified=False)

    hidden = {
        "Draf Kopi Rahasia": f.product(session, sidogiri, kopi, "Draf Kopi Rahasia",
                                       status=ProductStatus.DRAFT),
        "Kopi Menunggu Kurasi": f.product(session, sidogiri, kopi, "Kopi Menunggu Kurasi",
                                          status=ProductStatus.SUBMITTED),
        "Kopi Ditolak Kurator": f.product(session, sidogiri, kopi, "Kopi Ditolak Kurator",
                                          status=ProductStatus.REJECTED),
        "Kopi Perlu Perbaikan": f.product(session, sidogiri, kopi, "Kopi Perlu Perbaikan",
                                          status=ProductStatus.CHANGES_REQUESTED),
        "Kain Diarsipkan": f.product(session, namira, ecoprint, "Kain Diarsipkan",
                                     status=ProductStatus.ARCHIVED),
        "Sambal Produsen Belum Terverifikasi": f.product(
            session, hidden_shop, camilan, "Sambal Produsen Belum Terverifikasi"),
    }
    session.commit()
    return World(ijen, dampit, keripik, madu, kain, hidden)


# Built once per worker; each test gets a copy (tests/conftest.py).
world = snapshot_world(build_world)
