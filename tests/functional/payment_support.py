"""Payments against a real localstripe, with the real signed webhooks it sends.

``captured_webhooks`` registers a tiny HTTP server (127.0.0.1, a free port) as a webhook
with the test's localstripe, signed with the app's webhook secret; it records each body
and Stripe-Signature header exactly as sent. Tests then replay those bytes into the
Flask test client's ``POST /stripe/webhook``, so what the app verifies is what Stripe's
stand-in signed, byte for byte.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import func, select

from opopmart.accounts.models import MemberRole, ProducerMember
from opopmart.catalogue.models import ProductVariant
from opopmart.checkout.models import StripeEvent
from opopmart.extensions import db
from opopmart.orders.models import Order
from tests import factories as f
from tests.functional.order_support import order_with_intent
from tests.functional.test_accounts import csrf_token, login, make_user

TEST_WEBHOOK_ID = "tests-capture"


@dataclass(frozen=True)
class Delivery:
    body: bytes
    signature: str

    @property
    def event(self) -> dict:
        return json.loads(self.body)

    @property
    def type(self) -> str:
        return self.event["type"]

    @property
    def intent_id(self) -> str:
        return self.event["data"]["object"]["id"]


class WebhookCapture:
    def __init__(self):
        self.deliveries: list[Delivery] = []
        self._changed = threading.Condition()
        capture = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with capture._changed:
                    capture.deliveries.append(Delivery(body, self.headers.get("Stripe-Signature", "")))
                    capture._changed.notify_all()
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()

    def wait_for(self, intent_id: str, event_type: str, timeout: float = 15) -> Delivery:
        """The first delivery of ``event_type`` for ``intent_id`` (localstripe waits LOCALSTRIPE_WEBHOOK_DELAY: 0.2 s here)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for delivery in self.deliveries:
                    if delivery.type == event_type and delivery.intent_id == intent_id:
                        return delivery
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [(d.type, d.intent_id) for d in self.deliveries]
                    raise AssertionError(f"no {event_type} for {intent_id}; got {seen}")
                self._changed.wait(left)

    def for_intent(self, intent_id: str, *, settle: float = 1.5) -> list[Delivery]:
        """Every delivery for ``intent_id`` once localstripe has had ``settle`` s to send."""
        time.sleep(settle)
        with self._changed:
            return [d for d in self.deliveries if d.intent_id == intent_id]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def captured_webhooks(app, localstripe):
    capture = WebhookCapture()
    body = urllib.parse.urlencode({"url": capture.url,
                                   "secret": app.config["STRIPE_WEBHOOK_SECRET"]}).encode()
    request = urllib.request.Request(f"{localstripe}/_config/webhooks/{TEST_WEBHOOK_ID}",
                                     data=body, method="POST")
    urllib.request.urlopen(request, timeout=5).read()
    yield capture
    capture.close()


def deliver(client, delivery: Delivery | None = None, *, body: bytes | None = None,
            signature: str | None = None):
    """POST a webhook to the app as Stripe would: raw JSON body, Stripe-Signature header."""
    body = delivery.body if body is None else body
    signature = delivery.signature if (signature is None and delivery) else signature
    headers = {} if signature is None else {"Stripe-Signature": signature}
    return client.post("/stripe/webhook", data=body, headers=headers,
                       content_type="application/json; charset=utf-8")


def sign(body: bytes, secret: str, *, timestamp: int | None = None) -> str:
    """A Stripe-Signature header for ``body``, made the way Stripe (and localstripe) make it."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), b"%d.%s" % (timestamp, body), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


# --------------------------------------------------------------------------------------
# A shop, a shopper and an order waiting for its payment


@dataclass
class Shop:
    shopper: object
    seller: object
    producer: object
    variant: ProductVariant


@pytest.fixture
def shop(app, session, client) -> Shop:
    """Kopontren Sidogiri (owner Ani) selling Kopi Arabika Ijen at Rp 45.000, 10 in stock;
    Siti is signed in on ``client``."""
    kopi = f.category(session, "Kopi")
    producer = f.producer(session, "Kopontren Sidogiri", region_code="35.14")
    product = f.product(session, producer, kopi, "Kopi Arabika Ijen", prices=[45_000], stock=10)
    seller = make_user(session, email="ani@contoh.id", name="Ani Rahma")
    session.add(ProducerMember(user_id=seller.id, producer_id=producer.id, role=MemberRole.OWNER))
    shopper = make_user(session, email="siti@contoh.id", name="Siti Aminah")
    session.commit()
    login(client, email="siti@contoh.id")
    return Shop(shopper=shopper, seller=seller, producer=producer, variant=product.variants[0])


def pending_order(app, session, shop: Shop, quantity: int = 2, **kwargs):
    """Siti's pending order for ``quantity`` of the coffee, with its PaymentIntent."""
    return order_with_intent(app, session, shop.shopper, [(shop.variant, quantity)], **kwargs)


def stock_of(variant) -> int:
    db.session.expire_all()
    return db.session.get(ProductVariant, variant.id).stock


def reload_order(order) -> Order:
    db.session.expire_all()
    return db.session.get(Order, order.id)


def stripe_event_count() -> int:
    db.session.expire_all()
    return db.session.execute(select(func.count()).select_from(StripeEvent)).scalar_one()


def form_post(client, path: str, data: dict):
    """A form POST with the CSRF token from Siti's profile page."""
    return client.post(path, data={**data, "csrf_token": csrf_token(client, "/akun")})
