"""What the search index knows about a product, read from the database.

One ``SearchDocument`` per public product (``Product.is_listed``: published, producer
verified, something on sale). Whatever makes a product public or hidden goes through
``catalogue.services.refresh_products``, which queues the product for the index
(``search.queue``), so following ``is_listed`` is all the index has to do.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.engine import Connection

from ..catalogue.models import (
    Brand,
    Category,
    Certification,
    CertType,
    Producer,
    Product,
    product_certifications,
)
from ..catalogue.services import certificate_is_public
from ..regions.models import Region, RegionKind

# Words a shopper may type for each certificate type (the facet uses the type itself).
CERT_WORDS = {
    CertType.HALAL: "halal",
    CertType.PIRT: "pirt p-irt",
    CertType.BPOM: "bpom",
    CertType.SNI: "sni",
    CertType.MEREK: "merek",
}
REGION_WORDS = {RegionKind.KABUPATEN: "kabupaten", RegionKind.KOTA: "kota", RegionKind.PROVINSI: ""}


@dataclass(frozen=True)
class SearchDocument:
    product_id: int
    slug: str
    name: str
    description: str
    brand: str
    producer: str  # the shop's name, its pesantren's and its cooperative's
    producer_kind: str
    category_id: int
    category_path: str  # names from the root down
    category_path_en: str
    region_code: str
    region: str  # "kabupaten Banyuwangi"
    cert_types: tuple[str, ...]  # public certificates only (verified, not expired)
    min_price: int
    published_at: datetime | None
    in_stock: bool

    @property
    def cert_words(self) -> str:
        return " ".join(CERT_WORDS[CertType(c)] for c in self.cert_types)


def _category_paths(conn: Connection) -> dict[int, tuple[str, str]]:
    """{category id: (Indonesian path, English path)}, root first."""
    rows = conn.execute(select(Category.id, Category.parent_id, Category.name, Category.name_en)).all()
    by_id = {r[0]: r for r in rows}
    paths: dict[int, tuple[str, str]] = {}
    for cid in by_id:
        names: list[str] = []
        names_en: list[str] = []
        node = by_id.get(cid)
        seen = set()
        while node is not None and node[0] not in seen:
            seen.add(node[0])
            names.insert(0, node[2])
            names_en.insert(0, node[3])
            node = by_id.get(node[1]) if node[1] is not None else None
        paths[cid] = (" ".join(names), " ".join(names_en))
    return paths


_DOCUMENT_ROWS = (
    select(Product.id, Product.slug, Product.name, Product.description, Brand.name,
           Producer.name, Producer.pesantren_name, Producer.koperasi_name, Producer.kind,
           Product.category_id, Producer.region_code, Region.kind, Region.name,
           Product.min_price, Product.published_at, Product.in_stock)
    .join(Producer, Producer.id == Product.producer_id)
    .join(Region, Region.code == Producer.region_code)
    .outerjoin(Brand, Brand.id == Product.brand_id)
    .where(Product.is_listed == True)  # noqa: E712 - "= 1" uses the partial indexes
)


def _certificates(conn: Connection, product_ids: Collection[int] | None) -> dict[int, set[str]]:
    stmt = (
        select(product_certifications.c.product_id, Certification.type)
        .join(Certification, Certification.id == product_certifications.c.certification_id)
        .where(certificate_is_public())
    )
    if product_ids is not None:
        stmt = stmt.where(product_certifications.c.product_id.in_(list(product_ids)))
    out: dict[int, set[str]] = {}
    for pid, ctype in conn.execute(stmt):
        out.setdefault(pid, set()).add(CertType(ctype).value)
    return out


def _documents(conn: Connection, rows, certs: dict[int, set[str]],
               paths: dict[int, tuple[str, str]]) -> Iterator[SearchDocument]:
    for r in rows:
        path, path_en = paths.get(r[9], ("", ""))
        yield SearchDocument(
            product_id=r[0], slug=r[1], name=r[2], description=r[3] or "", brand=r[4] or "",
            producer=" ".join(x for x in (r[5], r[6], r[7]) if x),
            producer_kind=str(getattr(r[8], "value", r[8])),
            category_id=r[9], category_path=path, category_path_en=path_en, region_code=r[10],
            region=f"{REGION_WORDS.get(RegionKind(r[11]), '')} {r[12]}".strip(),
            cert_types=tuple(sorted(certs.get(r[0], ()))),
            min_price=int(r[13] or 0), published_at=r[14], in_stock=bool(r[15]),
        )


def documents_for(conn: Connection, product_ids: Collection[int]) -> dict[int, SearchDocument]:
    """The documents of those of ``product_ids`` that are public now (others are absent)."""
    ids = sorted(set(product_ids))
    out: dict[int, SearchDocument] = {}
    paths = _category_paths(conn)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        rows = conn.execute(_DOCUMENT_ROWS.where(Product.id.in_(chunk))).all()
        certs = _certificates(conn, chunk)
        out.update((d.product_id, d) for d in _documents(conn, rows, certs, paths))
    return out


def count_public(conn: Connection) -> int:
    from sqlalchemy import func

    return conn.execute(
        select(func.count()).select_from(Product).where(Product.is_listed == True)  # noqa: E712
    ).scalar_one()


def all_documents(conn: Connection) -> Iterator[SearchDocument]:
    """Every public product, oldest publication first (so that, in a fresh index, a
    higher document number means a newer product)."""
    paths = _category_paths(conn)
    certs = _certificates(conn, None)
    rows = conn.execute(
        _DOCUMENT_ROWS.order_by(Product.published_at, Product.id).execution_options(yield_per=2000)
    )
    yield from _documents(conn, rows, certs, paths)
