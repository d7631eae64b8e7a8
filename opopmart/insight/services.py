"""Recording and voiding direct sales (the studio's side of programme insight).

Services take explicit arguments (the acting user's id, the day in Jakarta, the time),
check every field before writing anything, flush and leave the commit to the view. Bad
input raises ``SellerError`` with messages per form field name, as the rest of the
studio does, and nothing is written.

Every read goes through ``own_sale`` / ``sales_of``, scoped to a producer the caller
has already reached through the user's memberships (``seller.services.get_own_producer``):
another shop's sale is simply not found.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, joinedload

from ..catalogue.models import Product, ProductStatus
from ..core.money import format_rupiah, parse_rupiah
from ..regions.models import Region
from ..seller.services import FieldErrors, SellerError
from .models import MAX_QUANTITY, MAX_VALUE, DirectSale, SaleChannel

EARLIEST = date(2019, 1, 1)  # the programme's first records; anything older is a slip
MAX_COMMODITY = 160
MAX_UNIT = 20
MAX_NOTE = 1000
MAX_REASON = 500

REQUIRED = _l("Wajib diisi.")


@dataclass(frozen=True)
class SaleInput:
    """What the form posts, as typed (strings); the service reads and checks it."""

    sold_on: str | None = None
    channel: str | None = None
    product_id: str | None = None
    commodity: str | None = None
    quantity: str | None = None
    unit: str | None = None
    value: str | None = None
    buyer_region_code: str | None = None
    note: str | None = None


_Errors = FieldErrors


def _one_line(raw: str | None) -> str:
    return " ".join((raw or "").split())


def _date(errors: _Errors, raw: str | None, today: date) -> date | None:
    text = (raw or "").strip()
    if not text:
        errors.add("sold_on", REQUIRED)
        return None
    try:
        value = date.fromisoformat(text)
    except ValueError:
        errors.add("sold_on", _l("Tanggal tidak terbaca. Pilih tanggal dari kalender."))
        return None
    if value > today:
        errors.add("sold_on", _l("Tanggal penjualan tidak boleh di masa depan."))
    elif value < EARLIEST:
        errors.add("sold_on", _l("Tanggal paling awal %(date)s.", date=EARLIEST.strftime("%d-%m-%Y")))
    else:
        return value
    return None


def _quantity(errors: _Errors, raw: str | None) -> int | None:
    text = (raw or "").strip().replace(".", "")
    if not text:
        errors.add("quantity", REQUIRED)
        return None
    if text.startswith("-"):
        errors.add("quantity", _l("Jumlah harus lebih dari nol."))
        return None
    if not (text.isascii() and text.isdigit() and len(text) <= 15):
        errors.add("quantity", _l("Masukkan bilangan bulat, misalnya 10."))
        return None
    value = int(text)
    if value <= 0:
        errors.add("quantity", _l("Jumlah harus lebih dari nol."))
    elif value > MAX_QUANTITY:
        errors.add("quantity", _l("Paling banyak %(n)s.", n=f"{MAX_QUANTITY:,}".replace(",", ".")))
    else:
        return value
    return None


def _value(errors: _Errors, raw: str | None) -> int | None:
    text = (raw or "").strip()
    if not text:
        errors.add("value", REQUIRED)
        return None
    if text.lstrip().lower().removeprefix("rp").strip().startswith("-"):
        errors.add("value", _l("Nilai penjualan harus lebih dari Rp 0."))
        return None
    value = parse_rupiah(text)
    if value is None:
        # parse_rupiah reads at most 15 characters: a longer number is beyond any limit.
        digits = text.lower().removeprefix("rp").replace(".", "").replace(" ", "")
        if digits.isascii() and digits.isdigit():
            errors.add("value", _l("Paling banyak %(max)s.", max=format_rupiah(MAX_VALUE)))
        else:
            errors.add("value", _l("Tulis nilai dalam rupiah, misalnya 1.250.000."))
        return None
    if value <= 0:
        errors.add("value", _l("Nilai penjualan harus lebih dari Rp 0."))
    elif value > MAX_VALUE:
        errors.add("value", _l("Paling banyak %(max)s.", max=format_rupiah(MAX_VALUE)))
    else:
        return value
    return None


def _text(errors: _Errors, name: str, raw: str | None, max_len: int) -> str:
    value = _one_line(raw)
    if len(value) > max_len:
        errors.add(name, _l("Paling banyak %(n)s karakter.", n=max_len))
    return value


def record_sale(session: Session, *, producer_id: int, data: SaleInput, recorded_by_id: int | None,
                today: date, now: datetime) -> DirectSale:
    """A direct sale of ``producer_id`` (already checked to be the user's shop).

    The product, if chosen, must be one of this producer's; its name becomes the
    commodity when none is typed. Either a product or a commodity is required.
    """
    errors = _Errors()
    sold_on = _date(errors, data.sold_on, today)
    try:
        channel: SaleChannel | None = SaleChannel((data.channel or "").strip())
    except ValueError:
        errors.add("channel", _l("Pilih saluran penjualan dari daftar."))
        channel = None

    product: Product | None = None
    raw_product = (data.product_id or "").strip()
    if raw_product:
        # Nine digits at most: a longer number is no id, and PostgreSQL would refuse it
        # for an INTEGER column instead of finding nothing.
        if raw_product.isascii() and raw_product.isdigit() and len(raw_product) <= 9:
            product = session.execute(
                select(Product).where(Product.id == int(raw_product),
                                      Product.producer_id == producer_id)
            ).scalar_one_or_none()
        if product is None:
            errors.add("product_id", _l("Pilih produk toko ini dari daftar."))
    commodity = _text(errors, "commodity", data.commodity, MAX_COMMODITY)
    if not commodity and product is not None:
        commodity = product.name[:MAX_COMMODITY]
    if not commodity and not raw_product:
        errors.add("commodity", _l("Pilih produk atau tulis komoditasnya."))

    quantity = _quantity(errors, data.quantity)
    unit = _text(errors, "unit", data.unit, MAX_UNIT)
    if not unit:
        errors.add("unit", REQUIRED)
    value = _value(errors, data.value)

    region_code: str | None = None
    raw_region = (data.buyer_region_code or "").strip()
    if raw_region:
        region = session.get(Region, raw_region[:5]) if len(raw_region) <= 5 else None
        if region is None:
            errors.add("buyer_region_code", _l("Pilih daerah pembeli dari daftar."))
        else:
            region_code = region.code
    note = (data.note or "").replace("\r\n", "\n").strip()
    if len(note) > MAX_NOTE:
        errors.add("note", _l("Paling banyak %(n)s karakter.", n=MAX_NOTE))

    errors.raise_if_any()
    sale = DirectSale(
        producer_id=producer_id, sold_on=sold_on, channel=channel,
        product_id=product.id if product else None, commodity=commodity, quantity=quantity,
        unit=unit, value=value, buyer_region_code=region_code, note=note,
        recorded_by_id=recorded_by_id, created_at=now, void_reason="",
    )
    session.add(sale)
    session.flush()
    return sale


def void_sale(session: Session, sale: DirectSale, *, reason: str | None, actor_id: int,
              now: datetime) -> None:
    """The correction path: the sale stays, marked void with who, when and why, and no
    longer counts anywhere. A conditional UPDATE, so two voids of one sale cannot both win."""
    text = (reason or "").replace("\r\n", "\n").strip()
    if not text:
        raise SellerError({"reason": [_l("Tulis alasan pembatalannya.")]})
    if len(text) > MAX_REASON:
        raise SellerError({"reason": [_l("Paling banyak %(n)s karakter.", n=MAX_REASON)]})
    if sale.voided_at is not None:
        raise SellerError({"": [_l("Penjualan ini sudah dibatalkan.")]})
    session.flush()
    result = session.execute(
        update(DirectSale)
        .where(DirectSale.id == sale.id, DirectSale.voided_at.is_(None))
        .values(voided_at=now, voided_by_id=actor_id, void_reason=text)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise SellerError({"": [_l("Penjualan ini sudah dibatalkan.")]})
    session.refresh(sale)


# --------------------------------------------------------------------------------------
# Reading (always within one producer the caller has already authorised)


def own_sale(session: Session, producer_id: int, sale_id: int) -> DirectSale | None:
    return session.execute(
        select(DirectSale).where(DirectSale.id == sale_id, DirectSale.producer_id == producer_id)
    ).scalar_one_or_none()


def sales_of(producer_id: int):
    """A select of the producer's sales, newest sale day first (voided ones included)."""
    return (
        select(DirectSale)
        .where(DirectSale.producer_id == producer_id)
        .options(joinedload(DirectSale.buyer_region))
        .order_by(DirectSale.sold_on.desc(), DirectSale.id.desc())
    )


@dataclass(frozen=True)
class MonthTotal:
    month: date  # the first day of the month
    sales: int
    value: int


def monthly_totals(session: Session, producer_id: int, *, months: int = 12,
                   today: date) -> list[MonthTotal]:
    """Non-voided sales per calendar month, the latest ``months`` months up to ``today``'s,
    newest first; months without a sale are listed with zeros. Grouped by day in SQL
    (portable), folded into months here."""
    first = _month_start(today, back=months - 1)
    totals: dict[date, list[int]] = {}
    for day, count, value in session.execute(
        select(DirectSale.sold_on, func.count(), func.sum(DirectSale.value))
        .where(DirectSale.producer_id == producer_id, DirectSale.voided_at.is_(None),
               DirectSale.sold_on >= first)
        .group_by(DirectSale.sold_on)
    ).all():
        slot = totals.setdefault(day.replace(day=1), [0, 0])
        slot[0] += count
        slot[1] += int(value)
    out = []
    for back in range(months):
        month = _month_start(today, back=back)
        count, value = totals.get(month, (0, 0))
        out.append(MonthTotal(month, count, value))
    return out


def _month_start(today: date, *, back: int) -> date:
    index = today.year * 12 + today.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def product_choices(session: Session, producer_id: int) -> list[tuple[int, str]]:
    """The producer's products (archived ones last) for the form's list."""
    rows = session.execute(
        select(Product.id, Product.name, Product.status)
        .where(Product.producer_id == producer_id)
        .order_by(Product.name, Product.id)
    ).all()
    live = [(pid, name) for pid, name, status in rows if status is not ProductStatus.ARCHIVED]
    archived = [(pid, name) for pid, name, status in rows if status is ProductStatus.ARCHIVED]
    return live + archived


__all__ = [
    "EARLIEST", "MonthTotal", "SaleInput", "monthly_totals", "own_sale", "product_choices",
    "record_sale", "sales_of", "void_sale",
]
