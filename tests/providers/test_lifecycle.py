"""The payment life cycle, the same through every gateway: the simulator's signed callback
and Midtrans's notification (against its contract server)."""

import pytest

from marketplace import services
from marketplace.models import Order, OutboxEvent, Payment, Variant
from marketplace.payments import SimulatedGateway
from marketplace.tasks import expire_unpaid_orders
from tests.factories import VariantFactory
from tests.marketplace.conftest import place

pytestmark = pytest.mark.django_db(databases=["default", "marketplace"])
BUYER = 703


class _Sim:
    def __init__(self, client):
        self.client, self.gateway = client, SimulatedGateway()

    def pay(self, reference: str, amount: int) -> dict:
        body = self.gateway.notification_body(reference=reference, amount=amount)
        signature = self.gateway.sign(body)
        return self.client.post(
            "/gateway/sim/callback/", data=body, content_type="application/json", HTTP_X_SIM_SIGNATURE=signature
        ).json()


class _Midtrans:
    def __init__(self, client, server):
        self.client, self.server = client, server

    def pay(self, reference: str, amount: int) -> dict:
        self.server.settle(reference)
        body = self.server.notification(reference)
        return self.client.post("/gateway/midtrans/notification/", data=body, content_type="application/json").json()


@pytest.fixture(params=["sim", "midtrans"])
def gateway(request, client, settings):
    settings.PAYMENT_SIMULATOR_ENABLED = True
    if request.param == "sim":
        settings.PAYMENT_GATEWAY = "marketplace.payments.SimulatedGateway"
        return _Sim(client)
    return _Midtrans(client, request.getfixturevalue("midtrans"))


def _opened(stock=5, quantity=2):
    variant = VariantFactory(price=100_000, stock_on_hand=stock)
    (order,) = place(BUYER, (variant, quantity))
    return services.payment_for_order(buyer_id=BUYER, order_id=order.id), order, variant


def test_a_payment_pays_its_orders_once(gateway):
    payment, order, variant = _opened()

    assert gateway.pay(payment.reference, 215_000) == {"outcome": "accepted"}
    assert gateway.pay(payment.reference, 215_000) == {"outcome": "duplicate"}

    assert (Order.objects.get(id=order.id).status, Payment.objects.get(id=payment.id).status) == ("paid", "paid")
    stock = Variant.objects.get(id=variant.id)
    assert (stock.stock_on_hand, stock.stock_reserved) == (3, 0)
    assert OutboxEvent.objects.filter(type="marketplace.order.paid").count() == 1


def test_a_payment_after_expiry_is_late_and_changes_nothing(gateway):
    payment, order, variant = _opened(stock=3, quantity=3)
    Payment.objects.filter(id=payment.id).update(expires_at=payment.created_at)
    assert expire_unpaid_orders() == 1

    assert gateway.pay(payment.reference, payment.amount) == {"outcome": "late"}

    assert Order.objects.get(id=order.id).status == "expired"
    stock = Variant.objects.get(id=variant.id)
    assert (stock.stock_on_hand, stock.stock_reserved) == (3, 0)


def test_cancelling_one_order_of_a_shared_payment_voids_the_old_session(gateway):
    first, second = VariantFactory(price=100_000), VariantFactory(price=100_000)
    orders = place(BUYER, (first, 1), (second, 1))
    opened = services.payment_for_order(buyer_id=BUYER, order_id=orders[0].id)
    services.order_cancel(order_id=orders[0].id, reason="salah pilih", buyer_id=BUYER)
    reopened = services.payment_for_order(buyer_id=BUYER, order_id=orders[1].id)

    assert gateway.pay(opened.reference, 230_000) == {"outcome": "unknown"}
    assert gateway.pay(reopened.reference, 115_000) == {"outcome": "accepted"}
    assert list(Order.objects.order_by("id").values_list("status", flat=True)) == ["cancelled", "paid"]
