"""The Midtrans gateway against a local contract server over real HTTP: Snap sessions,
notifications re-checked with the Core API, the status table, retries, reconciliation
of lost notifications, and refunds."""

import base64
import json
import logging
from datetime import timedelta

import pytest
import time_machine
from django.db import connections
from django.test.utils import CaptureQueriesContext

from integration import contracts
from marketplace import payments, services
from marketplace.models import Order, OutboxEvent, Payment, PaymentNotification, Variant
from marketplace.payments import GatewayError, GatewayRefund, SimulatedGateway
from marketplace.provider import MarketplaceProvider
from marketplace.tasks import reconcile_pending_payments
from tests.factories import VariantFactory
from tests.marketplace.conftest import command, fill_cart, place
from tests.providers.conftest import SERVER_KEY
from tests.providers.midtrans_server import Transaction

pytestmark = pytest.mark.django_db(databases=["default", "marketplace"])
BUYER = 702
NOTIFY = "/gateway/midtrans/notification/"


def _opened(method="virtual_account", quantity=2):
    """A checkout of 2 x 100.000 + 15.000 shipping whose Snap session is open."""
    variant = VariantFactory(price=100_000, stock_on_hand=5)
    (order,) = place(BUYER, (variant, quantity), method=method)
    payment = services.payment_open_session(payment_id=order.payment_id)
    return payment, order, variant


def _notify(client, body: bytes):
    return client.post(NOTIFY, data=body, content_type="application/json")


def _state(order, payment):
    return Order.objects.get(id=order.id).status, Payment.objects.get(id=payment.id).status


def test_a_session_is_a_snap_transaction_for_the_payments_reference_amount_and_methods(midtrans):
    payment, _order, _variant = _opened()

    (method, path, body, authorization) = midtrans.requests[-1]
    assert (method, path) == ("POST", "/snap/v1/transactions")
    assert authorization == "Basic " + base64.b64encode(f"{SERVER_KEY}:".encode()).decode()
    assert body == {
        "transaction_details": {"order_id": payment.reference, "gross_amount": 215_000},
        "enabled_payments": ["bca_va", "bni_va", "bri_va", "permata_va"],
        "custom_expiry": {"unit": "minute", "duration": 30},
    }
    stored = Payment.objects.get(id=payment.id)
    assert stored.gateway == "midtrans"
    assert stored.pay_url.startswith(f"{midtrans.url}/snap/v4/redirection/")


def test_a_checkout_while_midtrans_is_down_places_the_orders_and_pay_now_opens_the_page_later(midtrans):
    variant = VariantFactory(price=100_000, stock_on_hand=5)
    fill_cart(BUYER, (variant, 1))
    midtrans.fail_next["/snap/v1/transactions"] = 2

    result = MarketplaceProvider().checkout(command(BUYER))
    (order,) = result.orders
    with pytest.raises(contracts.Unavailable):
        MarketplaceProvider().start_payment(buyer_id=BUYER, order_id=order.id)
    opened = MarketplaceProvider().start_payment(buyer_id=BUYER, order_id=order.id)

    assert (order.status, result.payment.pay_url) == ("pending_payment", "")
    assert opened.pay_url.startswith(f"{midtrans.url}/snap/v4/redirection/")


def test_an_ewallet_payment_offers_gopay_and_shopeepay(midtrans):
    _opened(method="ewallet")

    assert midtrans.requests[-1][2]["enabled_payments"] == ["gopay", "shopeepay"]


def test_a_wrong_server_key_is_refused_and_no_session_is_stored(midtrans, settings):
    settings.MIDTRANS_SERVER_KEY = "SB-Mid-server-wrong"
    variant = VariantFactory(price=100_000, stock_on_hand=5)
    (order,) = place(BUYER, (variant, 1))

    with pytest.raises(contracts.Unavailable, match="payment gateway cannot be reached"):
        services.payment_open_session(payment_id=order.payment_id)

    assert [r[1] for r in midtrans.requests] == ["/snap/v1/transactions"]
    assert Payment.objects.get(id=order.payment_id).pay_url == ""


def test_the_snap_call_is_not_retried(midtrans):
    variant = VariantFactory(price=100_000, stock_on_hand=5)
    (order,) = place(BUYER, (variant, 1))
    midtrans.fail_next["/snap/v1/transactions"] = 1

    with pytest.raises(contracts.Unavailable):
        services.payment_open_session(payment_id=order.payment_id)

    assert [r[1] for r in midtrans.requests] == ["/snap/v1/transactions"]


def test_a_settlement_pays_the_orders_once_and_a_replay_changes_nothing(midtrans, client):
    payment, order, variant = _opened()
    midtrans.settle(payment.reference)
    body = midtrans.notification(payment.reference)

    first, replay = _notify(client, body), _notify(client, body)

    assert (first.status_code, first.json()) == (200, {"outcome": "accepted"})
    assert (replay.status_code, replay.json()) == (200, {"outcome": "duplicate"})
    assert _state(order, payment) == ("paid", "paid")
    stock = Variant.objects.get(id=variant.id)
    assert (stock.stock_on_hand, stock.stock_reserved) == (3, 0)
    assert OutboxEvent.objects.filter(type="marketplace.order.paid").count() == 1
    assert list(PaymentNotification.objects.order_by("id").values_list("outcome", flat=True)) == [
        "accepted",
        "duplicate",
    ]
    status_calls = [r[1] for r in midtrans.requests if r[0] == "GET"]
    assert status_calls == [f"/v2/{payment.reference}/status"] * 2  # each one re-checked


@pytest.mark.parametrize("key", ["SB-Mid-server-someone-else", ""])
def test_a_notification_signed_without_the_server_key_is_refused_and_never_rechecked(midtrans, client, caplog, key):
    payment, order, _variant = _opened()
    midtrans.settle(payment.reference)

    response = _notify(client, midtrans.notification(payment.reference, key=key))

    assert (response.status_code, response.json()) == (400, {"outcome": "forged"})
    assert _state(order, payment) == ("pending_payment", "pending")
    assert PaymentNotification.objects.get().outcome == "forged"
    assert "payment notification refused: forged" in caplog.text
    assert not [r for r in midtrans.requests if r[0] == "GET"]


def test_a_notification_without_a_signature_or_not_json_is_forged(midtrans, client):
    payment, _order, _variant = _opened()
    unsigned = json.loads(midtrans.notification(payment.reference))
    del unsigned["signature_key"]

    assert _notify(client, json.dumps(unsigned).encode()).json() == {"outcome": "forged"}
    assert _notify(client, b"not json").json() == {"outcome": "forged"}


def test_a_signed_settlement_the_core_api_does_not_confirm_pays_nothing(midtrans, client):
    # Given a correctly signed "settlement" body, but Midtrans itself still says pending
    payment, order, _variant = _opened()
    midtrans.settle(payment.reference)
    body = midtrans.notification(payment.reference)
    midtrans.settle(payment.reference, "pending")

    response = _notify(client, body)

    assert (response.status_code, response.json()) == (200, {"outcome": "pending"})
    assert _state(order, payment) == ("pending_payment", "pending")


def test_a_settlement_of_another_amount_is_refused(midtrans, client, caplog):
    payment, order, _variant = _opened()
    midtrans.transactions[payment.reference].gross_amount = 1_000
    midtrans.settle(payment.reference)

    response = _notify(client, midtrans.notification(payment.reference))

    assert (response.status_code, response.json()) == (400, {"outcome": "wrong_amount"})
    assert _state(order, payment) == ("pending_payment", "pending")
    assert "payment notification refused: wrong_amount" in caplog.text


def test_a_settlement_of_an_order_unknown_here_is_refused(midtrans, client):
    midtrans.transactions["not-ours"] = Transaction("not-ours", 215_000, [], {}, transaction_status="settlement")

    response = _notify(client, midtrans.notification("not-ours"))

    assert (response.status_code, response.json()) == (400, {"outcome": "unknown"})
    assert PaymentNotification.objects.get().reference == "not-ours"


def test_a_pending_after_settlement_is_out_of_order_and_changes_nothing(midtrans, client, caplog):
    payment, order, _variant = _opened()
    midtrans.settle(payment.reference)
    assert _notify(client, midtrans.notification(payment.reference)).json() == {"outcome": "accepted"}
    midtrans.settle(payment.reference, "pending")  # Midtrans's own answer, re-checked, says pending too

    response = _notify(client, midtrans.notification(payment.reference))

    assert (response.status_code, response.json()) == (400, {"outcome": "out_of_order"})
    assert _state(order, payment) == ("paid", "paid")
    assert "payment notification refused: out_of_order" in caplog.text


@pytest.mark.parametrize(
    ("transaction_status", "fraud_status", "outcome", "order_status", "payment_status"),
    [
        ("settlement", "accept", "accepted", "paid", "paid"),
        ("capture", "accept", "accepted", "paid", "paid"),
        ("capture", "challenge", "pending", "pending_payment", "pending"),
        ("capture", "deny", "failed", "pending_payment", "pending"),
        ("pending", "accept", "pending", "pending_payment", "pending"),
        ("deny", "accept", "failed", "pending_payment", "pending"),
        ("cancel", "accept", "failed", "pending_payment", "pending"),
        ("expire", "accept", "expired", "expired", "expired"),
    ],
)
def test_the_status_table(midtrans, client, transaction_status, fraud_status, outcome, order_status, payment_status):
    payment, order, variant = _opened()
    midtrans.settle(payment.reference, transaction_status, fraud_status)

    response = _notify(client, midtrans.notification(payment.reference))

    assert (response.status_code, response.json()) == (200, {"outcome": outcome})
    assert _state(order, payment) == (order_status, payment_status)
    stock = Variant.objects.get(id=variant.id)
    expected_stock = {"paid": (3, 0), "expired": (5, 0)}.get(order_status, (5, 2))
    assert (stock.stock_on_hand, stock.stock_reserved) == expected_stock


def test_an_unanswered_status_call_is_retried(midtrans, client):
    payment, order, _variant = _opened()
    midtrans.settle(payment.reference)
    midtrans.fail_next[f"/v2/{payment.reference}/status"] = 1

    response = _notify(client, midtrans.notification(payment.reference))

    assert response.json() == {"outcome": "accepted"}
    assert [r[1] for r in midtrans.requests if r[0] == "GET"] == [f"/v2/{payment.reference}/status"] * 2
    assert _state(order, payment) == ("paid", "paid")


def test_a_notification_that_cannot_be_rechecked_is_refused_for_a_retry(midtrans, client, caplog):
    payment, order, _variant = _opened()
    midtrans.settle(payment.reference)
    midtrans.fail_next[f"/v2/{payment.reference}/status"] = 3  # the first try and both retries

    response = _notify(client, midtrans.notification(payment.reference))

    assert (response.status_code, response.json()) == (503, {"outcome": "unverified"})
    assert _state(order, payment) == ("pending_payment", "pending")
    assert PaymentNotification.objects.get().outcome == "unverified"
    assert (
        "payment notification refused: unverified (reference '') Midtrans did not answer GET "
        f"{midtrans.url}/v2/{payment.reference}/status: HTTP 503"
    ) in [r.getMessage() for r in caplog.records]


def test_the_notification_url_answers_only_while_midtrans_is_the_gateway(midtrans, client, settings):
    payment, _order, _variant = _opened()
    midtrans.settle(payment.reference)
    settings.PAYMENT_GATEWAY = "marketplace.payments.SimulatedGateway"

    assert _notify(client, midtrans.notification(payment.reference)).status_code == 404
    assert client.get(NOTIFY).status_code == 405
    assert PaymentNotification.objects.count() == 0


def test_a_lost_notification_is_healed_by_reconciliation_once_the_payment_is_old_enough(midtrans, settings):
    settings.PAYMENT_RECONCILE_AFTER_MINUTES = 10
    payment, order, _variant = _opened()
    midtrans.settle(payment.reference)  # paid at Midtrans; its notification never arrives

    with time_machine.travel(payment.created_at + timedelta(minutes=9), tick=False):
        assert reconcile_pending_payments() == 0
    assert not [r for r in midtrans.requests if r[0] == "GET"]
    with time_machine.travel(payment.created_at + timedelta(minutes=10), tick=False):
        assert reconcile_pending_payments() == 1
        assert reconcile_pending_payments() == 0  # paid now: not asked again

    assert _state(order, payment) == ("paid", "paid")
    assert [r[1] for r in midtrans.requests if r[0] == "GET"] == [f"/v2/{payment.reference}/status"]
    assert PaymentNotification.objects.get().outcome == "accepted"


def test_reconciliation_leaves_a_still_pending_payment_and_survives_an_unreachable_gateway(midtrans, settings):
    settings.PAYMENT_RECONCILE_AFTER_MINUTES = 10
    pending, pending_order, _variant = _opened()
    down, down_order, _other = _opened()
    midtrans.settle(down.reference)
    midtrans.fail_next[f"/v2/{down.reference}/status"] = 3

    with time_machine.travel(down.created_at + timedelta(minutes=30), tick=False):
        assert reconcile_pending_payments() == 0

    assert _state(pending_order, pending) == ("pending_payment", "pending")
    assert _state(down_order, down) == ("pending_payment", "pending")
    assert PaymentNotification.objects.count() == 0


def test_a_partial_then_full_refund_each_given_once_per_key(midtrans, client):
    payment, _order, _variant = _opened()
    midtrans.settle(payment.reference)
    assert _notify(client, midtrans.notification(payment.reference)).json() == {"outcome": "accepted"}
    gateway = payments.gateway()

    partial = gateway.refund(reference=payment.reference, amount=50_000, key="rf-1")
    repeated = gateway.refund(reference=payment.reference, amount=50_000, key="rf-1")
    midtrans.fail_next[f"/v2/{payment.reference}/refund"] = 1  # answered after one retry
    rest = gateway.refund(reference=payment.reference, amount=165_000, key="rf-2")

    assert partial == repeated == GatewayRefund(payment.reference, "rf-1", 50_000, "partially_refunded")
    assert rest == GatewayRefund(payment.reference, "rf-2", 165_000, "refunded")
    transaction = midtrans.transactions[payment.reference]
    assert (transaction.refunded, transaction.transaction_status) == (215_000, "refund")
    sent = [r[2] for r in midtrans.requests if r[1].endswith("/refund")]
    assert sent[0] == {"refund_key": "rf-1", "amount": 50_000, "reason": "refund"}
    assert len(sent) == 4  # rf-1 twice, rf-2 once refused with 503 and once answered
    # Midtrans then notifies the refund: acknowledged, the payment stays paid
    assert _notify(client, midtrans.notification(payment.reference)).json() == {"outcome": "refunded"}


def test_a_refund_of_an_unknown_or_unpaid_order_is_refused(midtrans):
    payment, _order, _variant = _opened()
    gateway = payments.gateway()

    with pytest.raises(GatewayError) as unknown:
        gateway.refund(reference="not-ours", amount=1_000, key="rf-x")
    with pytest.raises(GatewayError) as unpaid:
        gateway.refund(reference=payment.reference, amount=1_000, key="rf-y")

    assert (unknown.value.code, unpaid.value.code) == ("404", "412")


def test_the_simulator_answers_a_refund_the_same_way(settings):
    settings.PAYMENT_SIMULATOR_ENABLED = True

    refund = SimulatedGateway().refund(reference="abc", amount=10_000, key="rf-1")

    assert refund == GatewayRefund("abc", "rf-1", 10_000, "refunded")
    assert SimulatedGateway().status(reference="abc") is None


def test_the_server_key_is_never_logged(midtrans, client, caplog, settings):
    caplog.set_level(logging.DEBUG)
    payment, _order, _variant = _opened()
    midtrans.settle(payment.reference)
    midtrans.fail_next[f"/v2/{payment.reference}/status"] = 3
    _notify(client, midtrans.notification(payment.reference))
    settings.MIDTRANS_SERVER_KEY = SERVER_KEY + "-wrong"
    with pytest.raises(GatewayError) as refused:
        payments.gateway().refund(reference=payment.reference, amount=1, key="rf-z")

    basic = base64.b64encode(f"{SERVER_KEY}:".encode()).decode()
    assert "midtrans GET" in caplog.text  # the retries were logged...
    for secret in (SERVER_KEY, basic):  # ...without the key, plain or encoded
        assert secret not in caplog.text
        assert secret not in str(refused.value)
    assert SERVER_KEY not in repr(payments.gateway())


def test_beat_reconciles_pending_payments_every_five_minutes(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["marketplace-reconcile-payments"]

    assert (entry["task"], entry["schedule"]) == (reconcile_pending_payments.name, 300.0)


@pytest.mark.parametrize("door", ["notification", "reconciliation"])
def test_a_wrong_amount_is_refused_alike_through_the_notification_and_the_reconciliation(
    midtrans, client, settings, door
):
    settings.PAYMENT_RECONCILE_AFTER_MINUTES = 0
    payment, order, variant = _opened()
    midtrans.transactions[payment.reference].gross_amount = 214_999
    midtrans.settle(payment.reference)

    if door == "notification":
        outcome = _notify(client, midtrans.notification(payment.reference)).json()["outcome"]
    else:
        outcome = services.payment_reconcile(payment_id=payment.id)

    assert outcome == "wrong_amount"
    assert _state(order, payment) == ("pending_payment", "pending")
    assert Variant.objects.get(id=variant.id).stock_reserved == 2
    assert OutboxEvent.objects.filter(type="marketplace.order.paid").count() == 0
    assert list(PaymentNotification.objects.values_list("reference", "outcome")) == [
        (payment.reference, "wrong_amount")
    ]


def test_a_session_midtrans_cannot_open_is_logged_with_its_reference_and_refused_with_a_message(midtrans, caplog):
    variant = VariantFactory(price=100_000, stock_on_hand=5)
    (order,) = place(BUYER, (variant, 1))
    reference = Payment.objects.get(id=order.payment_id).reference
    midtrans.fail_next["/snap/v1/transactions"] = 2

    with pytest.raises(contracts.Unavailable) as refused:
        services.payment_open_session(payment_id=order.payment_id)

    assert refused.value.message == "The payment gateway cannot be reached right now; try again in a moment."
    assert (
        f"payment session of {reference} not opened: Midtrans did not answer POST "
        f"{midtrans.url}/snap/v1/transactions: HTTP 503"
    ) in [r.getMessage() for r in caplog.records]
    assert Payment.objects.get(id=order.payment_id).pay_url == ""


def test_reconciliation_asks_nothing_of_an_unknown_or_already_paid_payment(midtrans, client):
    payment, _order, _variant = _opened()
    midtrans.settle(payment.reference)
    assert _notify(client, midtrans.notification(payment.reference)).json() == {"outcome": "accepted"}
    asked_before = len(midtrans.requests)

    assert services.payment_reconcile(payment_id=payment.id) == ""
    assert services.payment_reconcile(payment_id=payment.id + 1_000) == ""

    assert midtrans.requests[asked_before:] == []
    assert list(PaymentNotification.objects.values_list("outcome", flat=True)) == ["accepted"]


def test_reconciliation_of_a_payment_the_simulator_knows_nothing_of_answers_nothing(settings):
    (order,) = place(BUYER, (VariantFactory(price=100_000), 1))
    services.payment_open_session(payment_id=order.payment_id)

    assert services.payment_reconcile(payment_id=order.payment_id) == ""
    assert PaymentNotification.objects.count() == 0


def test_a_reconciled_payment_is_recorded_with_what_midtrans_said_and_not_logged_as_refused(midtrans, settings, caplog):
    payment, order, _variant = _opened()
    midtrans.settle(payment.reference)

    assert services.payment_reconcile(payment_id=payment.id) == "accepted"

    assert _state(order, payment) == ("paid", "paid")
    recorded = PaymentNotification.objects.get()
    assert (recorded.reference, recorded.outcome, recorded.body) == (
        payment.reference,
        "accepted",
        "reconciled: status 'paid', amount 215000",
    )
    assert "payment reconciliation refused" not in caplog.text


def test_a_refused_reconciliation_is_logged_with_its_outcome_and_reference(midtrans, caplog):
    payment, _order, _variant = _opened()
    midtrans.transactions[payment.reference].gross_amount = 214_999
    midtrans.settle(payment.reference)

    assert services.payment_reconcile(payment_id=payment.id) == "wrong_amount"

    assert f"payment reconciliation refused: wrong_amount (reference '{payment.reference}')" in [
        r.getMessage() for r in caplog.records
    ]


def test_a_reconciled_payment_is_applied_in_one_marketplace_transaction(midtrans):
    payment, order, _variant = _opened()
    midtrans.settle(payment.reference)

    with CaptureQueriesContext(connections["marketplace"]) as captured:
        assert services.payment_reconcile(payment_id=payment.id) == "accepted"

    statements = [q["sql"].lstrip().upper() for q in captured.captured_queries]
    opened = [i for i, s in enumerate(statements) if s.startswith("SAVEPOINT")]
    released = [i for i, s in enumerate(statements) if s.startswith("RELEASE SAVEPOINT")]
    writes = [i for i, s in enumerate(statements) if s.startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes and opened, statements
    # the payment, its orders, their stock, the ledger and the record: all inside the one transaction
    assert opened[0] < writes[0] and writes[-1] < released[-1]
    assert _state(order, payment) == ("paid", "paid")
