import pytest
import time_machine
from django.urls import reverse

from integration import contracts
from marketplace import services
from marketplace.models import Order, OutboxEvent, Payment, PaymentNotification, Variant
from marketplace.payments import GatewaySession, SimulatedGateway
from marketplace.tasks import expire_unpaid_orders
from tests.factories import VariantFactory
from tests.marketplace.conftest import place
from tests.transactions import one_transaction_on

pytestmark = pytest.mark.django_db(databases=["default", "marketplace"])
BUYER = 701
CALLBACK = "/gateway/sim/callback/"


def _callback(client, body: bytes, signature: str):
    return client.post(CALLBACK, data=body, content_type="application/json", HTTP_X_SIM_SIGNATURE=signature)


def _pending_payment(stock=5, quantity=2):
    variant = VariantFactory(price=100_000, stock_on_hand=stock)
    (order,) = place(BUYER, (variant, quantity))
    return Payment.objects.get(id=order.payment_id), order, variant


def test_a_signed_callback_pays_the_orders_and_a_replay_changes_nothing(client):
    payment, order, variant = _pending_payment()
    gateway = SimulatedGateway()
    body = gateway.notification_body(reference=payment.reference, amount=215_000)

    first = _callback(client, body, gateway.sign(body))
    replay = _callback(client, body, gateway.sign(body))

    assert (first.status_code, first.json()) == (200, {"outcome": "accepted"})
    assert (replay.status_code, replay.json()) == (200, {"outcome": "duplicate"})
    assert (Order.objects.get(id=order.id).status, Payment.objects.get(id=payment.id).status) == ("paid", "paid")
    stock = Variant.objects.get(id=variant.id)
    assert (stock.stock_on_hand, stock.stock_reserved) == (3, 0)
    assert OutboxEvent.objects.filter(type="marketplace.order.paid").count() == 1
    assert list(PaymentNotification.objects.order_by("id").values_list("outcome", flat=True)) == [
        "accepted",
        "duplicate",
    ]


@pytest.mark.parametrize(
    ("amount", "signature", "outcome"),
    [
        (215_000, "0" * 64, "forged"),
        (215_000, "", "forged"),
        (1_000, None, "wrong_amount"),
    ],
)
def test_a_forged_or_wrong_amount_callback_is_rejected_and_logged(client, caplog, amount, signature, outcome):
    payment, order, _variant = _pending_payment()
    gateway = SimulatedGateway()
    body = gateway.notification_body(reference=payment.reference, amount=amount)

    response = _callback(client, body, signature if signature is not None else gateway.sign(body))

    assert (response.status_code, response.json()) == (400, {"outcome": outcome})
    assert Order.objects.get(id=order.id).status == "pending_payment"
    assert PaymentNotification.objects.get().outcome == outcome
    reference = "''" if outcome == "forged" else repr(payment.reference)  # a forged body names none
    assert [r.getMessage() for r in caplog.records if "refused" in r.getMessage()] == [
        f"payment notification refused: {outcome} (reference {reference}) "  # and no gateway error
    ]


def test_garbage_and_unknown_references_are_refused(client):
    gateway = SimulatedGateway()
    garbage = b"not json"
    unknown = gateway.notification_body(reference="nope", amount=1)

    assert _callback(client, garbage, gateway.sign(garbage)).json() == {"outcome": "forged"}
    assert _callback(client, unknown, gateway.sign(unknown)).json() == {"outcome": "unknown"}
    assert client.get(CALLBACK).status_code == 405


def test_the_hosted_page_pays_and_returns_the_shopper(client, settings):
    settings.PAYMENT_RETURN_URL = "/orders/"
    payment, order, _variant = _pending_payment()
    page = reverse("marketplace:gateway_sim", args=[payment.reference])

    shown = client.get(page)
    paid = client.post(page)

    assert shown.status_code == 200 and "Rp 215.000" in shown.content.decode()
    assert (paid.status_code, paid.url) == (302, "/orders/")
    assert Order.objects.get(id=order.id).status == "paid"
    assert client.get(reverse("marketplace:gateway_sim", args=["unknown"])).status_code == 404


def test_start_payment_opens_a_session_for_a_pending_order_only():
    payment, order, _variant = _pending_payment()

    opened = services.payment_for_order(buyer_id=BUYER, order_id=order.id)

    assert opened.pay_url == f"/gateway/sim/{payment.reference}/"
    assert opened.virtual_account.startswith("8808") and len(opened.virtual_account) == 16
    with pytest.raises(contracts.NotFound):
        services.payment_for_order(buyer_id=BUYER + 1, order_id=order.id)
    (cod,) = place(BUYER, (VariantFactory(), 1), method="cod")
    with pytest.raises(contracts.InvalidRequest, match="paid on delivery"):
        services.payment_for_order(buyer_id=BUYER, order_id=cod.id)


def test_expiry_releases_stock_exactly_once_and_a_late_payment_changes_nothing(client, settings):
    # Given an unpaid order whose window has passed
    payment, order, variant = _pending_payment(stock=3, quantity=3)
    Payment.objects.filter(id=payment.id).update(expires_at=payment.created_at)

    # When the sweep runs twice
    assert expire_unpaid_orders() == 1
    assert expire_unpaid_orders() == 0

    # Then the stock came back once, and the order and payment are expired
    stock = Variant.objects.get(id=variant.id)
    assert (stock.stock_on_hand, stock.stock_reserved) == (3, 0)
    assert (Order.objects.get(id=order.id).status, Payment.objects.get(id=payment.id).status) == (
        "expired",
        "expired",
    )
    assert OutboxEvent.objects.filter(type="marketplace.order.expired").count() == 1
    assert OutboxEvent.objects.filter(type="marketplace.stock.changed").count() == 2  # out at checkout, back now
    gateway = SimulatedGateway()
    body = gateway.notification_body(reference=payment.reference, amount=payment.amount)
    assert _callback(client, body, gateway.sign(body)).json() == {"outcome": "late"}
    assert Order.objects.get(id=order.id).status == "expired"


def test_an_order_within_its_window_does_not_expire():
    payment, order, _variant = _pending_payment()

    assert expire_unpaid_orders() == 0
    assert services.payment_expire(payment_id=payment.id) == 0
    assert Order.objects.get(id=order.id).status == "pending_payment"


def test_cancelling_one_order_of_a_shared_payment_voids_the_session_for_the_old_amount(client):
    # Given one payment for two shops' orders, whose gateway page is open for 2 x 115,000
    first, second = VariantFactory(price=100_000), VariantFactory(price=100_000)
    orders = place(BUYER, (first, 1), (second, 1))
    opened = services.payment_for_order(buyer_id=BUYER, order_id=orders[0].id)
    old_reference, old_amount = opened.reference, opened.amount
    assert (old_amount, opened.pay_url) == (230_000, f"/gateway/sim/{old_reference}/")

    # When the buyer cancels one of them
    services.order_cancel(order_id=orders[0].id, reason="salah pilih", buyer_id=BUYER)

    # Then the old session is gone: a new reference, no page until the payment is started again
    payment = Payment.objects.get(id=opened.id)
    assert (payment.amount, payment.status, payment.pay_url) == (115_000, "pending", "")
    assert payment.reference != old_reference
    reopened = services.payment_for_order(buyer_id=BUYER, order_id=orders[1].id)
    assert reopened.pay_url == f"/gateway/sim/{payment.reference}/"
    gateway = SimulatedGateway()
    stale = gateway.notification_body(reference=old_reference, amount=old_amount)
    fresh = gateway.notification_body(reference=payment.reference, amount=115_000)
    assert _callback(client, stale, gateway.sign(stale)).json() == {"outcome": "unknown"}
    assert _callback(client, fresh, gateway.sign(fresh)).json() == {"outcome": "accepted"}
    assert list(Order.objects.order_by("id").values_list("status", flat=True)) == ["cancelled", "paid"]


def test_an_empty_key_never_verifies_a_callback(client, settings):
    import hashlib
    import hmac

    payment, order, _variant = _pending_payment()
    settings.PAYMENT_SIM_SECRET = ""
    body = SimulatedGateway().notification_body(reference=payment.reference, amount=215_000)
    signed_with_no_key = hmac.new(b"", body, hashlib.sha256).hexdigest()

    response = _callback(client, body, signed_with_no_key)

    assert (response.status_code, response.json()) == (400, {"outcome": "forged"})
    assert Order.objects.get(id=order.id).status == "pending_payment"


class _RecordingGateway:
    """Stands in for the gateway: records what it was asked to open."""

    name = "recording"

    def __init__(self):
        self.sessions = []

    def create_session(self, *, reference, amount, method):
        self.sessions.append({"reference": reference, "amount": amount, "method": method})
        return GatewaySession(pay_url=f"https://pay.example/{reference}", virtual_account="8808123")


def test_the_gateway_is_asked_for_the_payments_own_reference_amount_and_method(monkeypatch):
    payment, _order, _variant = _pending_payment()  # 2 x 100.000 + 15.000 shipping
    other, _other_order, _other_variant = _pending_payment()
    recording = _RecordingGateway()
    monkeypatch.setattr("marketplace.payments.gateway", lambda: recording)

    opened = services.payment_open_session(payment_id=payment.id)

    assert recording.sessions == [{"reference": payment.reference, "amount": 215_000, "method": "virtual_account"}]
    stored = Payment.objects.get(id=payment.id)
    assert (stored.gateway, stored.pay_url, stored.virtual_account) == (
        "recording",
        f"https://pay.example/{payment.reference}",
        "8808123",
    )
    assert (opened.gateway, opened.pay_url, opened.virtual_account) == (
        stored.gateway,
        stored.pay_url,
        stored.virtual_account,
    )
    assert Payment.objects.get(id=other.id).pay_url == ""  # only this payment's session was opened


@pytest.mark.parametrize("status", ["paid", "expired"])
def test_a_payment_no_longer_pending_gets_no_session(monkeypatch, status):
    payment, _order, _variant = _pending_payment()
    Payment.objects.filter(id=payment.id).update(status=status)
    recording = _RecordingGateway()
    monkeypatch.setattr("marketplace.payments.gateway", lambda: recording)

    opened = services.payment_open_session(payment_id=payment.id)

    assert (recording.sessions, opened.pay_url, Payment.objects.get(id=payment.id).pay_url) == ([], "", "")


def test_an_open_session_is_shown_again_without_asking_the_gateway(monkeypatch):
    payment, _order, _variant = _pending_payment()
    Payment.objects.filter(id=payment.id).update(pay_url="https://pay.example/first")
    recording = _RecordingGateway()
    monkeypatch.setattr("marketplace.payments.gateway", lambda: recording)

    opened = services.payment_open_session(payment_id=payment.id)

    assert (recording.sessions, opened.pay_url) == ([], "https://pay.example/first")


def test_a_session_opened_meanwhile_is_the_one_shown(monkeypatch):
    payment, _order, _variant = _pending_payment()

    class _Slow(_RecordingGateway):
        def create_session(self, **asked):
            # another request opened the page while this one talked to the gateway
            Payment.objects.filter(id=payment.id).update(pay_url="https://pay.example/theirs", gateway="sim")
            return super().create_session(**asked)

    monkeypatch.setattr("marketplace.payments.gateway", _Slow)

    opened = services.payment_open_session(payment_id=payment.id)

    assert (opened.pay_url, opened.gateway) == ("https://pay.example/theirs", "sim")
    assert Payment.objects.get(id=payment.id).pay_url == "https://pay.example/theirs"


def test_an_order_no_longer_awaiting_payment_is_not_paid_again():
    _payment, order, _variant = _pending_payment()
    Order.objects.filter(id=order.id).update(status="cancelled")

    with pytest.raises(contracts.InvalidRequest) as refused:
        services.payment_for_order(buyer_id=BUYER, order_id=order.id)

    message = "This order no longer awaits payment."
    assert (refused.value.message, refused.value.fields) == (message, {"order_id": [message]})


def test_a_cash_order_and_a_strangers_order_say_why_they_cannot_be_paid():
    (cod,) = place(BUYER, (VariantFactory(), 1), method="cod")

    with pytest.raises(contracts.InvalidRequest) as refused:
        services.payment_for_order(buyer_id=BUYER, order_id=cod.id)
    with pytest.raises(contracts.NotFound) as missing:
        services.payment_for_order(buyer_id=BUYER + 1, order_id=cod.id)

    message = "This order is paid on delivery."
    assert (refused.value.message, refused.value.fields) == (message, {"order_id": [message]})
    assert missing.value.message == "Order not found."


def test_a_callback_is_recorded_with_its_reference_and_body_cut_to_their_columns(client):
    gateway = SimulatedGateway()
    reference = "R" * 70
    body = gateway.notification_body(reference=reference, amount=1) + b" " * 4_000

    response = _callback(client, body, gateway.sign(body))

    assert response.json() == {"outcome": "unknown"}
    recorded = PaymentNotification.objects.get()
    assert recorded.reference == "R" * 64
    assert len(recorded.body) == 4_000 and recorded.body.startswith('{"amount": 1, "reference": "RRR')


def test_an_undecodable_body_is_recorded_with_replacement_characters(client):
    body = b'{"broken": "\xff"}'

    assert _callback(client, body, "0" * 64).json() == {"outcome": "forged"}

    assert PaymentNotification.objects.get().body == '{"broken": "\ufffd"}'


def test_a_failed_payment_notice_changes_nothing_and_is_not_logged_as_refused(client, caplog):
    payment, order, _variant = _pending_payment()
    gateway = SimulatedGateway()
    body = gateway.notification_body(reference=payment.reference, amount=payment.amount, status="failed")

    outcome = services.payment_notification_receive(body=body, signature=gateway.sign(body))

    assert outcome == "failed"
    assert (Order.objects.get(id=order.id).status, Payment.objects.get(id=payment.id).status) == (
        "pending_payment",
        "pending",
    )
    assert "payment notification refused" not in caplog.text


def test_accepted_and_duplicate_notices_are_not_logged_as_refused(client, caplog):
    payment, _order, _variant = _pending_payment()
    gateway = SimulatedGateway()
    body = gateway.notification_body(reference=payment.reference, amount=payment.amount)

    outcomes = [services.payment_notification_receive(body=body, signature=gateway.sign(body)) for _ in range(2)]

    assert outcomes == ["accepted", "duplicate"]
    assert "payment notification refused" not in caplog.text
    stored = Payment.objects.get(id=payment.id)
    assert stored.status == "paid" and stored.paid_at is not None


def test_paying_one_of_the_buyers_orders_opens_that_orders_payment():
    first_payment, first, _variant = _pending_payment()
    second_payment, second, _other = _pending_payment()

    opened = services.payment_for_order(buyer_id=BUYER, order_id=second.id)
    earlier = services.payment_for_order(buyer_id=BUYER, order_id=first.id)

    assert first_payment.id != second_payment.id
    assert (opened.id, opened.pay_url) == (second_payment.id, f"/gateway/sim/{second_payment.reference}/")
    # the earlier order too, not the buyer's latest one
    assert (earlier.id, earlier.pay_url) == (first_payment.id, f"/gateway/sim/{first_payment.reference}/")


def test_a_payment_expires_at_the_very_instant_its_window_closes():
    payment, order, _variant = _pending_payment()

    with time_machine.travel(payment.expires_at, tick=False):
        assert services.payment_expire(payment_id=payment.id) == 1

    assert (Order.objects.get(id=order.id).status, Payment.objects.get(id=payment.id).status) == (
        "expired",
        "expired",
    )


def test_a_paid_or_unknown_payment_past_its_window_does_not_expire():
    payment, order, _variant = _pending_payment()
    Payment.objects.filter(id=payment.id).update(status="paid", expires_at=payment.created_at)

    assert services.payment_expire(payment_id=payment.id) == 0
    assert services.payment_expire(payment_id=payment.id + 1_000) == 0
    assert (Order.objects.get(id=order.id).status, Payment.objects.get(id=payment.id).status) == (
        "pending_payment",
        "paid",
    )


def test_expiry_leaves_an_order_of_the_payment_that_was_cancelled_meanwhile():
    first, second = VariantFactory(price=100_000), VariantFactory(price=100_000)
    orders = place(BUYER, (first, 1), (second, 1))
    services.order_cancel(order_id=orders[0].id, reason="salah pilih", buyer_id=BUYER)
    payment = Payment.objects.get(id=orders[1].payment_id)
    Payment.objects.filter(id=payment.id).update(expires_at=payment.created_at)

    with one_transaction_on("marketplace"):
        expired = services.payment_expire(payment_id=payment.id)

    assert expired == 1
    assert list(Order.objects.order_by("id").values_list("status", flat=True)) == ["cancelled", "expired"]


def test_expiry_tells_which_order_of_which_buyer_and_shop_expired_with_its_lines():
    payment, order, variant = _pending_payment(stock=5, quantity=3)
    Payment.objects.filter(id=payment.id).update(expires_at=payment.created_at)

    assert services.payment_expire(payment_id=payment.id) == 1

    event = OutboxEvent.objects.get(type="marketplace.order.expired")
    assert event.payload == {
        "order_id": order.id,
        "buyer_id": BUYER,
        "shop_id": variant.product.shop_id,
        "lines": [
            {
                "product_id": variant.product_id,
                "variant_id": variant.id,
                "quantity": 3,
                "unit_price": 100_000,
                "attribution_source": "",
                "creator_id": None,
                "post_id": None,
                "campaign_id": None,
            }
        ],
    }


def test_a_payment_notes_its_reference_on_the_order_and_tells_what_was_paid(client):
    payment, order, variant = _pending_payment(stock=5, quantity=2)
    gateway = SimulatedGateway()
    body = gateway.notification_body(reference=payment.reference, amount=215_000)

    assert _callback(client, body, gateway.sign(body)).json() == {"outcome": "accepted"}

    assert list(Order.objects.get(id=order.id).timeline.values_list("status", "note")) == [
        ("pending_payment", ""),
        ("paid", payment.reference),
    ]
    paid = OutboxEvent.objects.get(type="marketplace.order.paid").payload
    assert (paid["order_id"], paid["buyer_id"], paid["total"]) == (order.id, BUYER, 215_000)
    assert [(line["variant_id"], line["quantity"], line["unit_price"]) for line in paid["lines"]] == [
        (variant.id, 2, 100_000)
    ]


@pytest.mark.parametrize(
    ("status_before", "said", "outcome"),
    [
        ("expired", "expired", "expired"),  # a repeat of the expiry: acknowledged
        ("paid", "expired", "out_of_order"),
        ("refunded", "expired", "out_of_order"),
        ("paid", "refunded", "refunded"),
        ("refunded", "refunded", "refunded"),
        ("pending", "refunded", "out_of_order"),
        ("expired", "refunded", "out_of_order"),
        ("paid", "pending", "out_of_order"),
        ("expired", "failed", "out_of_order"),
        ("pending", "settled-ish", "unverified"),
    ],
)
def test_a_notice_about_a_payment_past_that_stage_changes_nothing(status_before, said, outcome):
    payment, order, _variant = _pending_payment()
    Payment.objects.filter(id=payment.id).update(status=status_before)
    gateway = SimulatedGateway()
    body = gateway.notification_body(reference=payment.reference, amount=215_000, status=said)

    assert services.payment_notification_receive(body=body, signature=gateway.sign(body)) == outcome

    assert (Payment.objects.get(id=payment.id).status, Order.objects.get(id=order.id).status) == (
        status_before,
        "pending_payment",
    )
    assert PaymentNotification.objects.get().outcome == outcome


def test_a_notification_is_applied_and_recorded_in_one_marketplace_transaction():
    payment, order, _variant = _pending_payment()
    gateway = SimulatedGateway()
    body = gateway.notification_body(reference=payment.reference, amount=215_000)

    with one_transaction_on("marketplace"):
        assert services.payment_notification_receive(body=body, signature=gateway.sign(body)) == "accepted"

    assert (Order.objects.get(id=order.id).status, PaymentNotification.objects.get().outcome) == ("paid", "accepted")
