"""The catalogue: who makes what, how it is sold, and what vouches for it.

A Product is what a curator reviews and a shopper reads about; a ProductVariant is what
is priced, stocked, weighed and put in a cart. Columns under "listing projection" are
kept by ``catalogue.services.refresh_products`` so that catalogue pages read one table.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..core.models import TimestampMixin
from ..core.text import sort_key
from ..core.timeutil import utcnow
from ..core.workflow import Workflow
from ..extensions import db
from ..regions.models import Region


def _enum(cls: type[StrEnum], length: int = 32) -> Enum:
    return Enum(cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


# Byte order on PostgreSQL too, so keyset pages by name agree with SQLite.
SortName = String(160).with_variant(String(160, collation="C"), "postgresql")


class ProducerKind(StrEnum):
    PESANTREN = "pesantren"
    KOPONTREN = "kopontren"  # koperasi pondok pesantren
    UMKM = "umkm"


class ProducerStatus(StrEnum):
    PENDING = "pending"  # a new shop, or one that re-applied: waiting for a curator
    VERIFIED = "verified"  # checked by a curator: its published products are public
    REFUSED = "refused"  # refused or suspended by a curator, with a reason; may re-apply


# A verified producer may be suspended (verified -> refused, with a reason), which hides
# every product of it at once; a refused one re-applies (refused -> pending).
PRODUCER_WORKFLOW: Workflow[ProducerStatus] = Workflow(
    "producer",
    {
        ProducerStatus.PENDING: {ProducerStatus.VERIFIED, ProducerStatus.REFUSED},
        ProducerStatus.VERIFIED: {ProducerStatus.REFUSED},
        ProducerStatus.REFUSED: {ProducerStatus.PENDING},
    },
)


class Producer(TimestampMixin, db.Model):
    """A shop: a pesantren, its cooperative, or an UMKM in the programme."""

    __tablename__ = "producers"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ProducerKind] = mapped_column(_enum(ProducerKind))
    name: Mapped[str] = mapped_column(String(120))
    slug: Mapped[str] = mapped_column(String(140), unique=True)
    pesantren_name: Mapped[str | None] = mapped_column(String(160))
    koperasi_name: Mapped[str | None] = mapped_column(String(160))
    nib: Mapped[str | None] = mapped_column(String(13))
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    address: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    logo_path: Mapped[str | None] = mapped_column(String(80))
    # Changed only by catalogue.services.change_producer_status, which keeps ``verified``
    # (what the catalogue reads) equal to ``status == verified`` and writes a ProducerEvent.
    status: Mapped[ProducerStatus] = mapped_column(
        _enum(ProducerStatus, 16), default=ProducerStatus.PENDING,
        server_default=ProducerStatus.PENDING.value, index=True,
    )
    verified: Mapped[bool] = mapped_column(default=False)
    verified_at: Mapped[datetime | None] = mapped_column()

    region: Mapped[Region] = relationship(lazy="joined", innerjoin=True)
    products: Mapped[list[Product]] = relationship(back_populates="producer")
    certifications: Mapped[list[Certification]] = relationship(
        back_populates="producer", order_by="Certification.id"
    )


class CertType(StrEnum):
    HALAL = "halal"
    PIRT = "pirt"
    BPOM = "bpom"
    SNI = "sni"
    MEREK = "merek"


class HalalScheme(StrEnum):
    REGULER = "reguler"
    SELF_DECLARE = "self_declare"


class Category(db.Model):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(80))
    slug: Mapped[str] = mapped_column(String(90), unique=True)
    position: Mapped[int] = mapped_column(default=0)
    # Groups of alternatives, all groups needed: [["pirt", "bpom:MD", "bpom:ML"]] reads
    # "a P-IRT or a BPOM MD/ML registration". Subcategories inherit their parent's.
    required_certificates: Mapped[list[list[str]]] = mapped_column(JSON, default=list)

    parent: Mapped[Category | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Category]] = relationship(
        back_populates="parent", order_by="Category.position"
    )


class Brand(TimestampMixin, db.Model):
    """A merek, optionally registered with DJKI (``IDM000123456``)."""

    __tablename__ = "brands"
    __table_args__ = (UniqueConstraint("producer_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(80))
    djki_number: Mapped[str | None] = mapped_column(String(20))


class ProductStatus(StrEnum):
    DRAFT = "draft"  # the seller is still writing it; nobody else sees it
    SUBMITTED = "submitted"  # waiting in the curators' queue
    PUBLISHED = "published"  # approved by a curator; public if its producer is verified
    CHANGES_REQUESTED = "changes_requested"  # sent back to the seller with notes
    REJECTED = "rejected"  # refused by a curator, with a reason
    ARCHIVED = "archived"  # withdrawn by the seller; kept for order history


PRODUCT_WORKFLOW: Workflow[ProductStatus] = Workflow(
    "product",
    {
        ProductStatus.DRAFT: {ProductStatus.SUBMITTED, ProductStatus.ARCHIVED},
        ProductStatus.SUBMITTED: {
            ProductStatus.PUBLISHED,
            ProductStatus.CHANGES_REQUESTED,
            ProductStatus.REJECTED,
            ProductStatus.DRAFT,
        },
        ProductStatus.CHANGES_REQUESTED: {ProductStatus.SUBMITTED, ProductStatus.ARCHIVED},
        ProductStatus.REJECTED: {ProductStatus.ARCHIVED},
        # Back to the curators when a lapsed certificate is renewed.
        ProductStatus.PUBLISHED: {ProductStatus.ARCHIVED, ProductStatus.SUBMITTED},
        ProductStatus.ARCHIVED: {ProductStatus.DRAFT},
    },
)


product_certifications = Table(
    "product_certifications",
    db.metadata,
    Column("product_id", ForeignKey("products.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "certification_id",
        ForeignKey("certifications.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class Product(TimestampMixin, db.Model):
    __tablename__ = "products"
    __table_args__ = (
        # Keyset pagination: each sort order walks one partial index of listed rows.
        Index(
            "ix_products_listed_newest", "published_at", "id",
            sqlite_where=text("is_listed = 1"), postgresql_where=text("is_listed"),
        ),
        Index(
            "ix_products_listed_price", "min_price", "id",
            sqlite_where=text("is_listed = 1"), postgresql_where=text("is_listed"),
        ),
        Index(
            "ix_products_listed_name", "sort_name", "id",
            sqlite_where=text("is_listed = 1"), postgresql_where=text("is_listed"),
        ),
        Index(
            "ix_products_listed_category", "category_id", "published_at", "id",
            sqlite_where=text("is_listed = 1"), postgresql_where=text("is_listed"),
        ),
        Index("ix_products_producer_status", "producer_id", "status"),
        # The lapse check looks for listed products whose certificates ran out.
        Index(
            "ix_products_listed_lapses", "lapses_on",
            sqlite_where=text("is_listed = 1"), postgresql_where=text("is_listed"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"))
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"))
    brand_id: Mapped[int | None] = mapped_column(ForeignKey("brands.id"), index=True)
    name: Mapped[str] = mapped_column(String(160))
    slug: Mapped[str] = mapped_column(String(180), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ProductStatus] = mapped_column(_enum(ProductStatus), default=ProductStatus.DRAFT)
    claims_halal: Mapped[bool] = mapped_column(default=False)
    # Names of up to two option axes ("Ukuran", "Warna"); None for a single variant.
    option1_name: Mapped[str | None] = mapped_column(String(40))
    option2_name: Mapped[str | None] = mapped_column(String(40))
    published_at: Mapped[datetime | None] = mapped_column()

    # Listing projection (see module docstring).
    is_listed: Mapped[bool] = mapped_column(default=False)
    sort_name: Mapped[str] = mapped_column(SortName, default="")
    min_price: Mapped[int | None] = mapped_column(BigInteger)
    max_price: Mapped[int | None] = mapped_column(BigInteger)
    in_stock: Mapped[bool] = mapped_column(default=False)
    cover_image: Mapped[str | None] = mapped_column(String(80))
    # The last day the required certificates hold (None: nothing lapses). After it the
    # product is not for sale until a renewed certificate passes review again.
    lapses_on: Mapped[date | None] = mapped_column(Date)
    # The lapse the seller was last told about, so the daily check tells them once.
    lapse_notified_on: Mapped[date | None] = mapped_column(Date)

    producer: Mapped[Producer] = relationship(back_populates="products")
    category: Mapped[Category] = relationship()
    brand: Mapped[Brand | None] = relationship()
    variants: Mapped[list[ProductVariant]] = relationship(
        back_populates="product", order_by="ProductVariant.position", cascade="all, delete-orphan"
    )
    images: Mapped[list[ProductImage]] = relationship(
        back_populates="product", order_by="ProductImage.position", cascade="all, delete-orphan"
    )
    certifications: Mapped[list[Certification]] = relationship(
        secondary=product_certifications, back_populates="products", order_by="Certification.id"
    )

    @validates("name")
    def _keep_sort_name(self, _key: str, value: str) -> str:
        self.sort_name = sort_key(value)
        return value


class ProductVariant(db.Model):
    """What is priced, stocked and shipped: "Kopi Arabika Ijen, 250 g"."""

    __tablename__ = "product_variants"
    __table_args__ = (
        UniqueConstraint("producer_id", "sku"),
        CheckConstraint("price > 0", name="price_positive"),
        CheckConstraint("stock >= 0", name="stock_not_negative"),
        CheckConstraint("weight_grams > 0", name="weight_positive"),
        CheckConstraint("min_order_qty >= 1", name="min_order_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    # Copied from the product so that SKUs are unique within a shop.
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"))
    sku: Mapped[str] = mapped_column(String(64))
    option1: Mapped[str | None] = mapped_column(String(60))
    option2: Mapped[str | None] = mapped_column(String(60))
    price: Mapped[int] = mapped_column(BigInteger)
    stock: Mapped[int] = mapped_column(Integer, default=0)
    weight_grams: Mapped[int] = mapped_column(Integer)
    min_order_qty: Mapped[int] = mapped_column(Integer, default=1)
    position: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)

    product: Mapped[Product] = relationship(back_populates="variants")
    wholesale_tiers: Mapped[list[WholesaleTier]] = relationship(
        back_populates="variant", order_by="WholesaleTier.min_qty", cascade="all, delete-orphan"
    )

    @property
    def label(self) -> str:
        return " / ".join(v for v in (self.option1, self.option2) if v)


class WholesaleTier(db.Model):
    """Harga grosir: from ``min_qty`` units on, each unit costs ``unit_price``."""

    __tablename__ = "wholesale_tiers"
    __table_args__ = (
        UniqueConstraint("variant_id", "min_qty"),
        CheckConstraint("min_qty >= 2", name="min_qty_at_least_two"),
        CheckConstraint("unit_price > 0", name="unit_price_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    variant_id: Mapped[int] = mapped_column(ForeignKey("product_variants.id", ondelete="CASCADE"))
    min_qty: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[int] = mapped_column(BigInteger)

    variant: Mapped[ProductVariant] = relationship(back_populates="wholesale_tiers")


class ProductImage(db.Model):
    """A photo stored under MEDIA_ROOT as ``{key}.jpg`` plus ``{key}_md``/``{key}_sm``."""

    __tablename__ = "product_images"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    alt: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[int] = mapped_column(default=0)

    product: Mapped[Product] = relationship(back_populates="images")


class Certification(TimestampMixin, db.Model):
    """A halal certificate, P-IRT, BPOM registration, SNI or merek held by a producer.

    One certificate may cover several products (a halal certificate lists a product
    group), hence the association table.
    """

    __tablename__ = "certifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id", ondelete="CASCADE"), index=True)
    type: Mapped[CertType] = mapped_column(_enum(CertType, 16))
    number: Mapped[str] = mapped_column(String(64))
    halal_scheme: Mapped[HalalScheme | None] = mapped_column(_enum(HalalScheme, 16))
    issuer: Mapped[str] = mapped_column(String(120), default="")
    issued_on: Mapped[date | None] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    document_path: Mapped[str | None] = mapped_column(String(80))
    verified: Mapped[bool] = mapped_column(default=False)

    producer: Mapped[Producer] = relationship(back_populates="certifications")
    products: Mapped[list[Product]] = relationship(
        secondary=product_certifications, back_populates="certifications"
    )

    def is_valid_on(self, day: date) -> bool:
        return self.expires_on is None or self.expires_on >= day


class ProductEvent(db.Model):
    """One row per status change: who moved which product from what to what, and why."""

    __tablename__ = "product_events"
    # The admins' event log reads newest first across all products.
    __table_args__ = (Index("ix_product_events_created_at", "created_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    from_status: Mapped[ProductStatus | None] = mapped_column(_enum(ProductStatus))
    to_status: Mapped[ProductStatus] = mapped_column(_enum(ProductStatus))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProducerEvent(db.Model):
    """One row per verification status change of a producer: who, when, from, to, why."""

    __tablename__ = "producer_events"
    __table_args__ = (Index("ix_producer_events_created_at", "created_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    from_status: Mapped[ProducerStatus | None] = mapped_column(_enum(ProducerStatus, 16))
    to_status: Mapped[ProducerStatus] = mapped_column(_enum(ProducerStatus, 16))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
