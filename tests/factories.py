"""Builders for catalogue rows, going through the same services the app uses.

They flush; the test decides when to commit (usually ``session.commit()`` before a
request, because the request reads through its own connection).
"""

from __future__ import annotations

import itertools
from datetime import date

from PIL import Image

from opopmart.catalogue.models import (
    Brand,
    Category,
    Certification,
    CertType,
    HalalScheme,
    Producer,
    ProducerKind,
    Product,
    ProductImage,
    ProductStatus,
    ProductVariant,
    WholesaleTier,
)
from opopmart.catalogue.services import (
    attach_certification,
    change_product_status,
    refresh_products,
    set_producer_verified,
)
from opopmart.core.media import store_image
from opopmart.core.text import slugify

_seq = itertools.count(1)


def category(session, name: str, *, parent: Category | None = None, name_en: str | None = None,
             required: list[list[str]] | None = None) -> Category:
    cat = Category(name=name, name_en=name_en or name, slug=slugify(name), parent=parent,
                   position=next(_seq), required_certificates=required or [])
    session.add(cat)
    session.flush()
    return cat


def producer(session, name: str, *, region_code: str = "35.78", verified: bool = True,
             kind: ProducerKind = ProducerKind.UMKM, **fields) -> Producer:
    item = Producer(name=name, slug=slugify(name), kind=kind, region_code=region_code,
                    nib=fields.pop("nib", "1234567890123"), **fields)
    session.add(item)
    session.flush()
    if verified:
        set_producer_verified(session, item, True)
    return item


def product(
    session,
    producer: Producer,
    category: Category,
    name: str,
    *,
    prices: list[int] = (50_000,),
    stock: int = 10,
    status: ProductStatus = ProductStatus.PUBLISHED,
    option1_name: str | None = None,
    options: list[str] | None = None,
    brand: Brand | None = None,
    tiers: list[tuple[int, int]] | None = None,
    weight_grams: int = 250,
    **fields,
) -> Product:
    item = Product(producer=producer, category=category, name=name, slug=slugify(name),
                   brand=brand, option1_name=option1_name, **fields)
    session.add(item)
    session.flush()
    for position, price in enumerate(prices):
        variant = ProductVariant(
            product=item, producer_id=producer.id, sku=f"SKU-{item.id}-{position}",
            option1=options[position] if options else None, price=price, stock=stock,
            weight_grams=weight_grams, position=position,
        )
        session.add(variant)
        for min_qty, unit_price in tiers or []:
            variant.wholesale_tiers.append(WholesaleTier(min_qty=min_qty, unit_price=unit_price))
    session.flush()
    move_to(session, item, status)
    refresh_products(session, product_ids=[item.id])
    return item


def move_to(session, item: Product, status: ProductStatus) -> None:
    path = {
        ProductStatus.DRAFT: [],
        ProductStatus.SUBMITTED: [ProductStatus.SUBMITTED],
        ProductStatus.PUBLISHED: [ProductStatus.SUBMITTED, ProductStatus.PUBLISHED],
        ProductStatus.CHANGES_REQUESTED: [ProductStatus.SUBMITTED, ProductStatus.CHANGES_REQUESTED],
        ProductStatus.REJECTED: [ProductStatus.SUBMITTED, ProductStatus.REJECTED],
        ProductStatus.ARCHIVED: [ProductStatus.ARCHIVED],
    }[status]
    for step in path:
        change_product_status(session, item, step, actor_id=None)


def certificate(session, producer: Producer, cert_type: CertType, number: str, *,
                products: list[Product] = (), expires_on: date | None = None,
                verified: bool = True, halal_scheme: HalalScheme | None = None) -> Certification:
    cert = Certification(producer_id=producer.id, type=cert_type, number=number,
                         expires_on=expires_on, verified=verified, halal_scheme=halal_scheme,
                         issuer="BPJPH" if cert_type is CertType.HALAL else "")
    session.add(cert)
    session.flush()
    for item in products:
        attach_certification(session, item, cert)
    return cert


def image(session, item: Product, media_root: str, colour=(200, 120, 40)) -> ProductImage:
    stored = store_image(Image.new("RGB", (640, 480), colour), media_root)
    row = ProductImage(product_id=item.id, key=stored.key, width=stored.width,
                       height=stored.height, alt=item.name, position=len(item.images))
    session.add(row)
    session.flush()
    refresh_products(session, product_ids=[item.id])
    return row
