"""Which certificates a product must carry, and until when the ones it carries hold.

A curator approves a product against its category's required certificates (and a halal
certificate when it claims to be halal); the catalogue keeps selling it only while those
certificates are valid. Both read the rules here, so "required" means one thing.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from .certificates import check_certificate, requirement_met
from .models import Category, Certification, CertType, Product, product_certifications

HALAL = "halal"


def _category_rows(session: Session) -> dict[int, tuple[int | None, list]]:
    return {cid: (parent, groups or []) for cid, parent, groups in session.execute(
        select(Category.id, Category.parent_id, Category.required_certificates))}


def _groups_from(rows: dict[int, tuple[int | None, list]], category_id: int) -> list[list[str]]:
    groups: list[list[str]] = []
    node, seen = category_id, set()
    while node is not None and node in rows and node not in seen:
        seen.add(node)
        parent, own = rows[node]
        for group in own:
            if list(group) not in groups:
                groups.append(list(group))
        node = parent
    return groups


def required_groups(session: Session, category_id: int, claims_halal: bool = False) -> list[list[str]]:
    """The category's required certificate groups and every ancestor's (subcategories
    inherit), each group once; plus ``["halal"]`` for a product that claims halal."""
    groups = _groups_from(_category_rows(session), category_id)
    if claims_halal and [HALAL] not in groups:
        groups.append([HALAL])
    return groups


def satisfies(token: str, cert: Certification) -> bool:
    if token == HALAL:
        return cert.type is CertType.HALAL
    return requirement_met(token, cert.type, cert.number)


def _lapse_date(groups: list[list[str]], certs: Iterable[Certification]) -> date | None:
    """The day after which a requirement the product met stops being met.

    Only verified, well-formed certificates count. A group none of them meets (a curator
    approved with a written override) has nothing to lapse; a group met by a certificate
    without an expiry date never lapses.
    """
    usable = [c for c in certs if c.verified and check_certificate(c.type, c.number, None).ok]
    lapse: date | None = None
    for group in groups:
        meeting = [c for c in usable if any(satisfies(t, c) for t in group)]
        if not meeting or any(c.expires_on is None for c in meeting):
            continue
        until = max(c.expires_on for c in meeting)
        lapse = until if lapse is None else min(lapse, until)
    return lapse


def lapse_dates(session: Session, product_ids: Collection[int]) -> dict[int, date | None]:
    """``products.lapses_on`` for each product: a handful of queries for any number."""
    ids = list(product_ids)
    if not ids:
        return {}
    rows = _category_rows(session)
    products = session.execute(
        select(Product.id, Product.category_id, Product.claims_halal).where(Product.id.in_(ids))
    ).all()
    certs: dict[int, list[Certification]] = {}
    for product_id, cert in session.execute(
        select(product_certifications.c.product_id, Certification)
        .join(Certification, Certification.id == product_certifications.c.certification_id)
        .where(product_certifications.c.product_id.in_(ids))
    ):
        certs.setdefault(product_id, []).append(cert)
    out = {}
    for product_id, category_id, claims_halal in products:
        groups = _groups_from(rows, category_id)
        if claims_halal and [HALAL] not in groups:
            groups.append([HALAL])
        out[product_id] = _lapse_date(groups, certs.get(product_id, []))
    return out
