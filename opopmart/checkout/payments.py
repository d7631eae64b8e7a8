"""The payment page's services, and expiring orders that were never paid.

Nothing here marks an order paid: only Stripe's webhook does (checkout.webhooks). The
payment page reads the order's status from the database and, while it is pending, the
PaymentIntent's status from Stripe, to tell "pay now" from "waiting for confirmation".
Services flush, never commit, and take the time and the gateway explicitly.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..orders.models import Order, OrderStatus
from ..orders.services import StatusChanged, cancel_unpaid
from .services import start_payment
from .stripe_gateway import Intent, PaymentError, SandboxCard, StripeGateway

log = logging.getLogger("opopmart.payments")

# Reasons and notes written on orders (Order.cancel_reason, OrderEvent.note). Stored as
# codes so that the pages show them in the reader's language through REASON_LABELS.
REASON_PAYMENT_FAILED = "payment_failed"
REASON_EXPIRED = "expired"
NOTE_LATE_PAYMENT_REFUNDED = "late_payment_refunded"
NOTE_AMOUNT_MISMATCH = "amount_mismatch"

REASON_LABELS = {
    REASON_PAYMENT_FAILED: _l("Pembayaran gagal"),
    REASON_EXPIRED: _l("Batas waktu pembayaran habis"),
    NOTE_LATE_PAYMENT_REFUNDED: _l("Pembayaran masuk setelah pesanan dibatalkan; dana "
                                   "dikembalikan otomatis"),
    NOTE_AMOUNT_MISMATCH: _l("Jumlah pembayaran tidak sesuai tagihan; diperiksa oleh tim kami"),
}

# The test cards the payment page offers without Stripe keys: form value -> card.
# Anything else posted is refused (an allow-list, never a card number from the client).
TEST_CARDS: dict[str, SandboxCard] = {
    "berhasil": SandboxCard.SUCCEEDS,
    "ditolak": SandboxCard.DECLINED,
    "autentikasi": SandboxCard.NEEDS_AUTHENTICATION,
}

# Intent statuses in which the shopper may (still) enter a card.
_PAYABLE = frozenset({"requires_payment_method", "requires_confirmation"})
# Intent statuses that mean money is taken or on its way: never cancel, never expire.
_MONEY_MOVING = frozenset({"succeeded", "processing", "requires_capture"})


class PaymentRefused(Exception):
    """The order cannot take this action now; ``message`` is for the shopper."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


class Stage(StrEnum):
    """What the payment page shows."""

    PAY = "pay"  # enter a card (again, after a refusal: see PageState.error)
    AUTHENTICATE = "authenticate"  # the bank asks for 3D Secure
    WAITING = "waiting"  # Stripe took the payment; the webhook has not landed yet
    EXPIRED = "expired"  # time ran out; `flask orders expire` will release it
    UNAVAILABLE = "unavailable"  # Stripe could not be reached
    DONE = "done"  # the order is no longer pending: paid, cancelled, refunded, completed


@dataclass(frozen=True)
class PageState:
    stage: Stage
    intent: Intent | None = None
    error: str | None = None  # Stripe's code for the last refusal (card_declined, ...)


def owned_order(session: Session, *, user_id: int, number: str) -> Order | None:
    """The order with this number if ``user_id`` placed it; anyone else's is None (a 404)."""
    if not number or len(number) > 24:
        return None
    return session.scalar(select(Order).where(Order.number == number, Order.user_id == user_id))


def is_open_for_payment(order: Order, now: datetime) -> bool:
    return order.status is OrderStatus.PENDING_PAYMENT and order.expires_at > now


def page_state(order: Order, gateway: StripeGateway, *, now: datetime) -> PageState:
    """The order's status from the database; while pending, the intent's from Stripe."""
    if order.status is not OrderStatus.PENDING_PAYMENT:
        return PageState(Stage.DONE)
    intent = None
    if order.payment_intent_id:
        try:
            intent = gateway.retrieve_intent(order.payment_intent_id)
        except PaymentError as exc:
            log.warning("payment page: intent %s not readable: %s", order.payment_intent_id, exc)
            return PageState(Stage.UNAVAILABLE)
        if intent.status in _MONEY_MOVING:
            return PageState(Stage.WAITING, intent)
    if order.expires_at <= now or (intent is not None and intent.status == "canceled"):
        return PageState(Stage.EXPIRED, intent)
    if intent is not None and intent.status == "requires_action":
        return PageState(Stage.AUTHENTICATE, intent)
    return PageState(Stage.PAY, intent, error=intent.last_error if intent else None)


def ensure_intent(session: Session, order: Order, gateway: StripeGateway, *, now: datetime) -> Intent:
    """The order's PaymentIntent, created on first need (start_payment is idempotent)."""
    if not is_open_for_payment(order, now):
        raise PaymentRefused(_l("Pesanan ini tidak lagi menunggu pembayaran."))
    return start_payment(session, order, gateway)


def pay_with_test_card(session: Session, order: Order, gateway: StripeGateway, *, choice: str,
                       now: datetime) -> Intent:
    """Without Stripe keys: attach one of the documented test cards and confirm.

    ``choice`` must be a key of TEST_CARDS (the view refuses anything else first). The
    outcome reaches the order only through the webhook; this returns the intent as
    Stripe left it. May flush the order's new payment_intent_id.
    """
    if not gateway.is_local:
        raise PaymentRefused(_l("Kartu uji hanya tersedia tanpa kunci Stripe."))
    card = TEST_CARDS[choice]
    intent = ensure_intent(session, order, gateway, now=now)
    if intent.status not in _PAYABLE:
        raise PaymentRefused(_l("Pembayaran pesanan ini sedang diproses."))
    return gateway.pay_with_test_card(intent.id, card)


def authenticate_test_payment(order: Order, gateway: StripeGateway, *, approve: bool,
                              now: datetime) -> Intent:
    """localstripe's stand-in for the bank's 3D Secure page: approve or deny."""
    if not gateway.is_local:
        raise PaymentRefused(_l("Autentikasi uji hanya tersedia tanpa kunci Stripe."))
    if not is_open_for_payment(order, now) or not order.payment_intent_id:
        raise PaymentRefused(_l("Tidak ada pembayaran yang menunggu autentikasi."))
    intent = gateway.retrieve_intent(order.payment_intent_id)
    if intent.status != "requires_action" or not intent.client_secret:
        raise PaymentRefused(_l("Tidak ada pembayaran yang menunggu autentikasi."))
    return gateway.authenticate_test_payment(intent.id, client_secret=intent.client_secret,
                                             success=approve)


# --------------------------------------------------------------------------------------
# Expiry


class Expiry(StrEnum):
    EXPIRED = "expired"  # cancelled, stock released
    PAYING = "paying"  # Stripe has the money (or is taking it): the webhook will fulfil
    UNREACHABLE = "unreachable"  # Stripe did not answer: try again on the next run
    MOVED = "moved"  # no longer pending (or not yet due) by the time we looked


def due_for_expiry(session: Session, *, now: datetime, limit: int = 1000) -> list[int]:
    """Ids of pending orders whose payment time is over, oldest first."""
    return list(session.scalars(
        select(Order.id)
        .where(Order.status == OrderStatus.PENDING_PAYMENT, Order.expires_at <= now)
        .order_by(Order.expires_at, Order.id).limit(limit)
    ))


def expire_order(session: Session, order_id: int, gateway: StripeGateway, *, now: datetime) -> Expiry:
    """Cancel one unpaid order whose time ran out; anything but EXPIRED wrote nothing.

    The PaymentIntent is cancelled at Stripe first, so no payment can start after the
    order is given up; if Stripe refuses because the payment already succeeded (or is
    processing), the order is left for the webhook to fulfil. The caller commits (or
    rolls back) once per order.
    """
    order = session.get(Order, order_id)
    if order is None or order.status is not OrderStatus.PENDING_PAYMENT or order.expires_at > now:
        return Expiry.MOVED
    if order.payment_intent_id:
        try:
            gateway.cancel_intent(order.payment_intent_id)
        except PaymentError as cancel_error:
            try:
                intent = gateway.retrieve_intent(order.payment_intent_id)
            except PaymentError as exc:
                log.warning("expiry: Stripe unreachable for order %s: %s", order.number, exc)
                return Expiry.UNREACHABLE
            if intent.status != "canceled":
                log.info("expiry: order %s skipped, its payment is %s (%s)", order.number,
                         intent.status, cancel_error)
                return Expiry.PAYING
    try:
        cancel_unpaid(session, order, reason=REASON_EXPIRED, now=now)
    except StatusChanged:
        return Expiry.MOVED
    return Expiry.EXPIRED
