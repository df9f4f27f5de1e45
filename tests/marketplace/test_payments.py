import pytest
from django.urls import reverse

from integration import contracts
from marketplace import services
from marketplace.models import Order, OutboxEvent, Payment, PaymentNotification, Variant
from marketplace.payments import SimulatedGateway
from marketplace.tasks import expire_unpaid_orders
from tests.factories import VariantFactory
from tests.marketplace.conftest import place

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
    assert f"payment notification refused: {outcome}" in caplog.text


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
