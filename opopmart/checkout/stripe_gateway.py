"""The one place that talks to Stripe (or to localstripe, its stand-in, when no keys are set).

A StripeGateway is built once per app from its config and kept in
``app.extensions["stripe"]``; views hand it to services, which never reach for globals.
Every call goes to the real Stripe API through the official SDK; only the base address
differs for localstripe. Amounts cross this boundary in rupiah and are converted here,
by core.money, and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import stripe
from flask import Flask

from ..core.money import from_stripe_amount, to_stripe_amount

CURRENCY = "idr"


class PaymentError(Exception):
    """Stripe refused or could not be reached; ``str()`` is for the log, not the shopper."""


class SignatureError(Exception):
    """A webhook whose signature is missing, wrong or too old."""


class SandboxCard(StrEnum):
    """Stripe's documented test numbers, offered on the payment page without keys."""

    SUCCEEDS = "4242424242424242"
    DECLINED = "4000000000000341"  # attaches, then the charge is declined
    NEEDS_AUTHENTICATION = "4000002760003184"  # 3D Secure required


@dataclass(frozen=True)
class Intent:
    id: str
    status: str  # requires_payment_method, requires_confirmation, requires_action, processing, succeeded, canceled
    amount_rupiah: int
    client_secret: str | None = None
    order_number: str | None = None
    last_error: str | None = None


def _intent(obj) -> Intent:
    obj = obj.to_dict() if hasattr(obj, "to_dict") else obj
    error = obj.get("last_payment_error") or None
    return Intent(
        id=obj["id"], status=obj["status"], amount_rupiah=from_stripe_amount(int(obj["amount"])),
        client_secret=obj.get("client_secret"),
        order_number=(obj.get("metadata") or {}).get("order_number"),
        last_error=(error or {}).get("code") if error else None,
    )


class StripeGateway:
    def __init__(self, *, secret_key: str, api_base: str | None, webhook_secret: str,
                 publishable_key: str | None, webhook_tolerance: int = 300):
        self.is_local = api_base is not None
        self.api_base = api_base
        self.publishable_key = publishable_key
        self.webhook_secret = webhook_secret
        self.webhook_tolerance = webhook_tolerance
        options = {"base_addresses": {"api": api_base}} if api_base else {}
        self.client = stripe.StripeClient(secret_key, max_network_retries=2, **options)

    # -- PaymentIntents -------------------------------------------------------------

    def create_intent(self, *, order_number: str, amount_rupiah: int, idempotency_key: str) -> Intent:
        """One PaymentIntent per order: Stripe answers a repeated key with the first intent."""
        try:
            obj = self.client.v1.payment_intents.create(
                params={
                    "amount": to_stripe_amount(amount_rupiah),
                    "currency": CURRENCY,
                    "metadata": {"order_number": order_number},
                    **({} if self.is_local else {"automatic_payment_methods": {"enabled": True}}),
                },
                options={"idempotency_key": idempotency_key},
            )
        except stripe.StripeError as exc:
            raise PaymentError(str(exc)) from exc
        return _intent(obj)

    def retrieve_intent(self, intent_id: str) -> Intent:
        try:
            return _intent(self.client.v1.payment_intents.retrieve(intent_id))
        except stripe.StripeError as exc:
            raise PaymentError(str(exc)) from exc

    def cancel_intent(self, intent_id: str) -> Intent:
        """Cancel an unpaid intent; PaymentError if Stripe says it can no longer be."""
        try:
            return _intent(self.client.v1.payment_intents.cancel(intent_id))
        except stripe.StripeError as exc:
            raise PaymentError(str(exc)) from exc

    def pay_with_test_card(self, intent_id: str, card: SandboxCard) -> Intent:
        """Without keys: attach a documented test card on the server and confirm.

        Only against localstripe (or a Stripe test-mode key); a live key never reaches
        here because the payment page offers test cards only when ``is_local``.
        """
        try:
            method = self.client.v1.payment_methods.create(
                params={"type": "card", "card": {"number": card.value, "exp_month": 12,
                                                 "exp_year": 2034, "cvc": "123"}}
            )
            self.client.v1.payment_intents.update(intent_id, params={"payment_method": method.id})
            return _intent(self.client.v1.payment_intents.confirm(intent_id))
        except stripe.CardError:
            return self.retrieve_intent(intent_id)
        except stripe.StripeError as exc:
            raise PaymentError(str(exc)) from exc

    def authenticate_test_payment(self, intent_id: str, *, client_secret: str, success: bool) -> Intent:
        """localstripe's stand-in for the 3D Secure page Stripe.js would show."""
        if not self.is_local:
            raise PaymentError("test authentication exists only on localstripe")
        try:
            self.client.raw_request(
                "post", f"/v1/payment_intents/{intent_id}/_authenticate",
                client_secret=client_secret, success="true" if success else "false",
            )
        except stripe.CardError:
            pass
        except stripe.StripeError as exc:
            raise PaymentError(str(exc)) from exc
        return self.retrieve_intent(intent_id)

    # -- Refunds --------------------------------------------------------------------

    def refund(self, intent_id: str, *, amount_rupiah: int, idempotency_key: str) -> str:
        """Return ``amount_rupiah`` of a succeeded intent; the Stripe refund id."""
        try:
            obj = self.client.v1.refunds.create(
                params={"payment_intent": intent_id, "amount": to_stripe_amount(amount_rupiah)},
                options={"idempotency_key": idempotency_key},
            )
        except stripe.StripeError as exc:
            raise PaymentError(str(exc)) from exc
        return obj.id

    # -- Webhooks -------------------------------------------------------------------

    def parse_event(self, payload: bytes, signature: str | None) -> dict:
        """Verify Stripe-Signature (HMAC, timestamp within tolerance) and parse the event."""
        if not signature:
            raise SignatureError("no Stripe-Signature header")
        try:
            stripe.WebhookSignature.verify_header(
                payload.decode("utf-8"), signature, self.webhook_secret, self.webhook_tolerance
            )
        except (stripe.SignatureVerificationError, UnicodeDecodeError, ValueError) as exc:
            raise SignatureError(str(exc)) from exc
        import json

        try:
            event = json.loads(payload)
        except ValueError as exc:
            raise SignatureError("body is not JSON") from exc
        if not isinstance(event, dict) or not isinstance(event.get("id"), str):
            raise SignatureError("not an event")
        return event


def register_payments(app: Flask) -> None:
    """Build the gateway from config: Stripe with keys, localstripe without."""
    app.extensions["stripe"] = StripeGateway(
        secret_key=app.config["STRIPE_SECRET_KEY"] or "sk_test_localstripe",
        api_base=None if app.config["STRIPE_SECRET_KEY"] else app.config["LOCALSTRIPE_URL"],
        webhook_secret=app.config["STRIPE_WEBHOOK_SECRET"],
        publishable_key=app.config["STRIPE_PUBLISHABLE_KEY"],
    )


def gateway(app: Flask) -> StripeGateway:
    return app.extensions["stripe"]
