"""Cart services: find or create a visitor's cart, add, change, remove, merge, count.

Explicit arguments only (a user id or the anonymous token, never the request), flush
never commit: the view commits once. Every input is checked before the cart's lines are
written; a refusal raises CartError with an Indonesian message for the field at fault.

Concurrency: a cart is created with ``INSERT .. ON CONFLICT DO NOTHING`` and a line is
written with ``INSERT .. ON CONFLICT (cart_id, variant_id) DO UPDATE``, so two requests
racing on the same cart or the same variant (a double tap on "Tambah") both succeed and
sum, on SQLite and PostgreSQL alike, instead of one of them failing on a unique
constraint. Changes to a cart first touch the cart row, which queues writers of one cart
behind each other, so the quantity read for a check is the one being updated.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, delete, func, literal, select, update
from sqlalchemy.orm import Session

from ..catalogue.models import Product, ProductVariant
from ..core.timeutil import today_jakarta, utcnow
from .models import Cart, CartLine
from .pricing import OUT_OF_STOCK, UNAVAILABLE, below_minimum, for_sale

# More than any shop stocks of one variant; anything larger is a typing slip or a probe.
MAX_QUANTITY = 100_000
# Ids are 32-bit integers on PostgreSQL; a larger number can only be a bad request.
MAX_ID = 2**31 - 1
_DIGITS = re.compile(r"[0-9]{1,12}")
_SIGNED = re.compile(r"([+-]?)([0-9]+)")

QUANTITY_REQUIRED = _l("Isi jumlah yang ingin dibeli.")
QUANTITY_NOT_NUMBER = _l("Jumlah harus berupa angka bulat, misalnya 2.")
QUANTITY_TOO_SMALL = _l("Jumlah minimal 1.")
VARIANT_REQUIRED = _l("Pilih varian produk.")


def quantity_too_large():
    return _l("Jumlah terlalu besar (paling banyak %(n)s).", n=f"{MAX_QUANTITY:,}".replace(",", "."))


def clamped_to_stock(stock: int):
    return _l("Stok tersisa %(n)s, jumlah di keranjang disesuaikan menjadi %(n)s.", n=stock)


def merged_clamped(name: str, stock: int):
    return _l("%(name)s: stok tersisa %(n)s, jumlah di keranjang disesuaikan menjadi %(n)s.",
              name=name, n=stock)


class CartError(ValueError):
    """Why a cart change was refused, for one form field; nothing was written."""

    def __init__(self, field_name: str, message):
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.message = message

    @property
    def errors(self) -> dict[str, list[str]]:
        return {self.field: [str(self.message)]}


class LineNotFound(LookupError):
    """The line is not in this cart (another visitor's, or gone): a 404 at the view."""


@dataclass
class Change:
    """What a cart change did: the line and its quantity now, and a notice when the
    quantity asked for was adjusted (clamped to the stock)."""

    line_id: int
    variant_id: int
    quantity: int
    notice: object | None = None


@dataclass
class MergeResult:
    cart: Cart
    moved: int = 0  # lines of the anonymous cart taken over
    notices: list = field(default_factory=list)


# -- owners -----------------------------------------------------------------------

def new_token() -> str:
    """The anonymous visitor's cart key, kept in the signed session cookie."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _owner_clause(user_id: int | None, token: str | None):
    if (user_id is None) == (token is None):
        raise ValueError("a cart belongs to a user or to an anonymous token, exactly one")
    if user_id is not None:
        return Cart.user_id == user_id
    return Cart.token_hash == hash_token(token)


def find_cart(session: Session, *, user_id: int | None = None, token: str | None = None) -> Cart | None:
    """The cart of a user or of an anonymous token, or None (nothing is created)."""
    if user_id is None and not token:
        return None
    return session.scalar(select(Cart).where(_owner_clause(user_id, token or None)))


def get_or_create_cart(session: Session, *, user_id: int | None = None,
                       token: str | None = None) -> Cart:
    """The cart of a user or an anonymous token, created when there is none.

    Two first requests of the same visitor may race here: the insert does nothing on a
    conflict and both read the one row.
    """
    if user_id is None and not token:
        raise ValueError("a cart needs a user id or an anonymous token")
    clause = _owner_clause(user_id, token)
    cart = session.scalar(select(Cart).where(clause))
    if cart is not None:
        return cart
    now = utcnow()
    values = {"user_id": user_id, "token_hash": hash_token(token) if token else None,
              "created_at": now, "updated_at": now}
    session.execute(_insert(session, Cart).values(**values).on_conflict_do_nothing())
    return session.scalars(select(Cart).where(clause).execution_options(populate_existing=True)).one()


def _insert(session: Session, model):
    """The dialect's INSERT, which has ``on_conflict_do_*`` on SQLite and PostgreSQL."""
    name = session.get_bind().dialect.name
    if name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - the app runs on these two only
        raise RuntimeError(f"unsupported database {name}")
    return insert(model)


# -- input ------------------------------------------------------------------------

def clean_quantity(value) -> int:
    """A quantity from a form or JSON: a whole number from 1 to MAX_QUANTITY."""
    if isinstance(value, bool):
        raise CartError("quantity", QUANTITY_NOT_NUMBER)
    if isinstance(value, int):
        number = value
    else:
        text = ("" if value is None else str(value)).strip()
        if not text:
            raise CartError("quantity", QUANTITY_REQUIRED)
        match = _SIGNED.fullmatch(text)
        if match is None:
            raise CartError("quantity", QUANTITY_NOT_NUMBER)
        sign, digits = match.groups()
        if sign == "-":
            raise CartError("quantity", QUANTITY_TOO_SMALL)
        if len(digits.lstrip("0")) > len(str(MAX_QUANTITY)):
            raise CartError("quantity", quantity_too_large())
        number = int(digits)
    if number < 1:
        raise CartError("quantity", QUANTITY_TOO_SMALL)
    if number > MAX_QUANTITY:
        raise CartError("quantity", quantity_too_large())
    return number


def clean_id(value, field_name: str = "variant_id") -> int:
    """An id from a form: a positive integer that fits the column, else CartError."""
    if isinstance(value, bool):
        raise CartError(field_name, VARIANT_REQUIRED)
    if isinstance(value, int):
        number = value
    else:
        text = ("" if value is None else str(value)).strip()
        if not _DIGITS.fullmatch(text):
            raise CartError(field_name, VARIANT_REQUIRED if not text else UNAVAILABLE)
        number = int(text)
    if not 1 <= number <= MAX_ID:
        raise CartError(field_name, UNAVAILABLE)
    return number


def _sellable_variant(session: Session, variant_id: int, day: date) -> ProductVariant:
    row = session.execute(
        select(ProductVariant, Product)
        .join(Product, Product.id == ProductVariant.product_id)
        .where(ProductVariant.id == variant_id)
    ).first()
    if row is None or not for_sale(row[1], row[0], day):
        raise CartError("variant_id", UNAVAILABLE)
    variant = row[0]
    if variant.stock <= 0:
        raise CartError("variant_id", OUT_OF_STOCK)
    return variant


# -- changes ----------------------------------------------------------------------

def _touch(session: Session, cart: Cart) -> None:
    """Take the cart's row first: writers of one cart wait for each other here."""
    session.execute(
        update(Cart).where(Cart.id == cart.id).values(updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def _line(session: Session, cart_id: int, *, line_id: int | None = None,
          variant_id: int | None = None) -> CartLine | None:
    stmt = select(CartLine).where(CartLine.cart_id == cart_id)
    stmt = stmt.where(CartLine.id == line_id) if line_id is not None else stmt.where(
        CartLine.variant_id == variant_id)
    return session.scalars(stmt.execution_options(populate_existing=True)).one_or_none()


def _upsert_line(session: Session, cart_id: int, variant_id: int, quantity: int, stock: int) -> tuple[int, int]:
    """Insert the line or add ``quantity`` to it, never above ``stock``; (id, quantity)."""
    table = CartLine.__table__
    summed = table.c.quantity + literal(quantity)
    stmt = _insert(session, CartLine).values(
        cart_id=cart_id, variant_id=variant_id, quantity=min(quantity, stock), added_at=utcnow(),
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.cart_id, table.c.variant_id],
        set_={"quantity": case((summed > stock, literal(stock)), else_=summed)},
    ).returning(table.c.id, table.c.quantity)
    line_id, new_quantity = session.execute(stmt).one()
    return line_id, new_quantity


def _forget_lines(session: Session, cart: Cart) -> None:
    """Core statements bypass the ORM: loaded lines must be read again."""
    session.expire(cart, ["lines"])
    for obj in list(session.identity_map.values()):
        if isinstance(obj, CartLine) and obj.cart_id == cart.id:
            session.expire(obj)


def add(session: Session, cart: Cart, variant_id, quantity, *, day: date | None = None) -> Change:
    """Put ``quantity`` of a variant for sale in the cart, summed with what is there.

    The sum must reach the variant's minimum order; above the stock it is lowered to
    the stock, and the returned Change says so. A variant out of stock is refused.
    """
    variant_id = clean_id(variant_id)
    quantity = clean_quantity(quantity)
    variant = _sellable_variant(session, variant_id, day or today_jakarta())
    _touch(session, cart)
    existing = _line(session, cart.id, variant_id=variant_id)
    have = existing.quantity if existing is not None else 0
    if have + quantity < variant.min_order_qty:
        raise CartError("quantity", below_minimum(variant.min_order_qty))
    line_id, new_quantity = _upsert_line(session, cart.id, variant_id, quantity, variant.stock)
    _forget_lines(session, cart)
    session.flush()
    notice = clamped_to_stock(variant.stock) if have + quantity > new_quantity else None
    return Change(line_id=line_id, variant_id=variant_id, quantity=new_quantity, notice=notice)


def set_quantity(session: Session, cart: Cart | None, line_id, quantity, *,
                 day: date | None = None) -> Change:
    """Change a line's quantity. LineNotFound when the line is not in this cart.

    Lowering is always allowed down to the minimum order (even for a variant that has
    stopped selling, so that the cart page can be tidied); above the stock it is lowered
    to the stock with a notice.
    """
    line = _own_line(session, cart, line_id)
    quantity = clean_quantity(quantity)
    row = session.execute(
        select(ProductVariant, Product).join(Product, Product.id == ProductVariant.product_id)
        .where(ProductVariant.id == line.variant_id)
    ).one()
    variant, product = row
    if quantity > line.quantity and not for_sale(product, variant, day or today_jakarta()):
        raise CartError("quantity", UNAVAILABLE)
    if quantity < variant.min_order_qty:
        raise CartError("quantity", below_minimum(variant.min_order_qty))
    notice = None
    if quantity > variant.stock:
        if variant.stock <= 0:
            raise CartError("quantity", OUT_OF_STOCK)
        quantity, notice = variant.stock, clamped_to_stock(variant.stock)
    _touch(session, cart)
    result = session.execute(
        update(CartLine).where(CartLine.id == line.id, CartLine.cart_id == cart.id)
        .values(quantity=quantity).execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # removed by another request a moment ago
        raise LineNotFound(line.id)
    _forget_lines(session, cart)
    session.flush()
    return Change(line_id=line.id, variant_id=line.variant_id, quantity=quantity, notice=notice)


def remove(session: Session, cart: Cart | None, line_id) -> None:
    """Take a line out of the cart. LineNotFound when it is not in this cart."""
    line = _own_line(session, cart, line_id)
    _touch(session, cart)
    result = session.execute(delete(CartLine).where(CartLine.id == line.id, CartLine.cart_id == cart.id)
                             .execution_options(synchronize_session=False))
    if result.rowcount != 1:  # removed by another request a moment ago
        raise LineNotFound(line.id)
    _forget_lines(session, cart)
    session.flush()


def _own_line(session: Session, cart: Cart | None, line_id) -> CartLine:
    if cart is None or cart.id is None:
        raise LineNotFound(line_id)
    try:
        line_id = clean_id(line_id, "line_id")
    except CartError:
        raise LineNotFound(line_id) from None
    line = _line(session, cart.id, line_id=line_id)
    if line is None:
        raise LineNotFound(line_id)
    return line


def merge(session: Session, anonymous_cart: Cart | None, user: Cart | int) -> MergeResult:
    """Move an anonymous cart's lines into a user's cart (given, or by user id).

    Quantities of the same variant are summed and lowered to the stock when it is
    short (a line out of stock keeps its quantity and shows as such on the cart page).
    The anonymous cart is deleted.
    """
    user_cart = user if isinstance(user, Cart) else get_or_create_cart(session, user_id=user)
    result = MergeResult(cart=user_cart)
    if anonymous_cart is None or anonymous_cart.id is None or anonymous_cart.id == user_cart.id:
        return result
    rows = session.execute(
        select(CartLine.variant_id, CartLine.quantity, ProductVariant.stock, Product.name)
        .join(ProductVariant, ProductVariant.id == CartLine.variant_id)
        .join(Product, Product.id == ProductVariant.product_id)
        .where(CartLine.cart_id == anonymous_cart.id)
        .order_by(CartLine.variant_id)
    ).all()
    _touch(session, user_cart)
    for variant_id, quantity, stock, name in rows:
        before = session.scalar(select(CartLine.quantity).where(
            CartLine.cart_id == user_cart.id, CartLine.variant_id == variant_id)) or 0
        limit = stock if stock > 0 else before + quantity
        _, now_quantity = _upsert_line(session, user_cart.id, variant_id, quantity, limit)
        if before + quantity > now_quantity:
            result.notices.append(merged_clamped(name, stock))
        result.moved += 1
    session.delete(anonymous_cart)
    _forget_lines(session, user_cart)
    session.flush()
    return result


def merge_token_cart(session: Session, token: str | None, user_id: int) -> MergeResult | None:
    """On login: the anonymous cart of ``token`` joins the user's; None when there is none."""
    if not token:
        return None
    anonymous = find_cart(session, token=token)
    if anonymous is None:
        return None
    return merge(session, anonymous, user_id)


def line_count(session: Session, *, user_id: int | None = None, token: str | None = None) -> int:
    """How many lines the visitor's cart holds (the header badge)."""
    if user_id is None and not token:
        return 0
    return session.scalar(
        select(func.count(CartLine.id)).join(Cart, Cart.id == CartLine.cart_id)
        .where(_owner_clause(user_id, token or None))
    ) or 0
