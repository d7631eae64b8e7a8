"""The gateway against a real localstripe: amounts in IDR hundredths, test cards, refunds."""

import pytest

from opopmart.checkout.stripe_gateway import PaymentError, SandboxCard, gateway


@pytest.fixture
def stripe_gw(app, localstripe):
    return gateway(app)


def test_given_order_total_when_intent_created_then_stripe_holds_rupiah_times_100(stripe_gw):
    intent = stripe_gw.create_intent(order_number="OPM-T1", amount_rupiah=147_500, idempotency_key="t1")

    raw = stripe_gw.client.v1.payment_intents.retrieve(intent.id)
    assert (raw["amount"], raw["currency"]) == (14_750_000, "idr")
    assert (intent.amount_rupiah, intent.order_number, intent.status) == (147_500, "OPM-T1", "requires_payment_method")


@pytest.mark.parametrize(
    "card, status",
    [(SandboxCard.SUCCEEDS, "succeeded"), (SandboxCard.DECLINED, "requires_payment_method"),
     (SandboxCard.NEEDS_AUTHENTICATION, "requires_action")],
)
def test_given_test_card_when_paid_then_intent_status_follows_card(stripe_gw, card, status):
    intent = stripe_gw.create_intent(order_number="OPM-T2", amount_rupiah=25_000, idempotency_key="t2")

    after = stripe_gw.pay_with_test_card(intent.id, card)

    assert after.status == status


def test_given_authentication_required_when_approved_then_succeeded(stripe_gw):
    intent = stripe_gw.create_intent(order_number="OPM-T3", amount_rupiah=25_000, idempotency_key="t3")
    stripe_gw.pay_with_test_card(intent.id, SandboxCard.NEEDS_AUTHENTICATION)

    after = stripe_gw.authenticate_test_payment(intent.id, client_secret=intent.client_secret, success=True)

    assert after.status == "succeeded"


def test_given_paid_intent_when_partly_refunded_then_refund_id_returned(stripe_gw):
    intent = stripe_gw.create_intent(order_number="OPM-T4", amount_rupiah=50_000, idempotency_key="t4")
    stripe_gw.pay_with_test_card(intent.id, SandboxCard.SUCCEEDS)

    refund_id = stripe_gw.refund(intent.id, amount_rupiah=20_000, idempotency_key="r4")

    refund = stripe_gw.client.v1.refunds.retrieve(refund_id)
    assert (refund["amount"], refund["status"]) == (2_000_000, "succeeded")


def test_given_unpaid_intent_when_refunded_then_payment_error(stripe_gw):
    intent = stripe_gw.create_intent(order_number="OPM-T5", amount_rupiah=50_000, idempotency_key="t5")

    with pytest.raises(PaymentError):
        stripe_gw.refund(intent.id, amount_rupiah=50_000, idempotency_key="r5")
