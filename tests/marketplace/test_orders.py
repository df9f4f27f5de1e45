from datetime import timedelta

import pytest

from integration import contracts
from marketplace import services
from marketplace.models import Commission, Order, OrderStatus, OutboxEvent, Variant
from marketplace.tasks import complete_delivered_orders
from tests.factories import VariantFactory
from tests.marketplace.conftest import place

pytestmark = pytest.mark.django_db(databases=["default", "marketplace"])
BUYER = 601


def _pay(order):
    """Pays through the gateway's signed notification, as the real callback does."""
    from marketplace.payments import SimulatedGateway

    gateway = SimulatedGateway()
    payment = order.payment
    body = gateway.notification_body(reference=payment.reference, amount=payment.amount)
    assert services.payment_notification_receive(body=body, signature=gateway.sign(body)) == "accepted"


def _shipped_order(**extra):
    variant = VariantFactory(price=100_000, stock_on_hand=5, **extra)
    (order,) = place(BUYER, (variant, 2), method="cod")
    services.order_pack(order_id=order.id)
    services.order_ship(order_id=order.id, courier="jne-reg", tracking_number="JNE123")
    return order, variant


def test_an_order_moves_through_its_states_and_keeps_a_timeline():
    variant = VariantFactory(stock_on_hand=5)
    (order,) = place(BUYER, (variant, 2))
    _pay(order)
    owner = order.shop.owner_user_id

    services.order_pack(order_id=order.id, owner_user_id=owner)
    services.order_ship(order_id=order.id, courier="sicepat-reg", tracking_number=" SC-42 ", owner_user_id=owner)
    services.order_deliver(order_id=order.id, buyer_id=BUYER)
    services.order_complete(order_id=order.id)

    order.refresh_from_db()
    assert (order.status, order.courier, order.tracking_number) == ("completed", "sicepat-reg", "SC-42")
    assert list(order.timeline.values_list("status", flat=True)) == [
        "pending_payment",
        "paid",
        "packed",
        "shipped",
        "delivered",
        "completed",
    ]
    stock = Variant.objects.get(id=variant.id)
    assert (stock.stock_on_hand, stock.stock_reserved) == (3, 0)
    assert list(OutboxEvent.objects.values_list("type", flat=True)) == [
        "marketplace.order.placed",
        "marketplace.order.paid",
        "marketplace.order.shipped",
        "marketplace.order.delivered",
        "marketplace.order.completed",
    ]


ACTIONS = {
    "pack": lambda o: services.order_pack(order_id=o.id),
    "ship": lambda o: services.order_ship(order_id=o.id, courier="jne-reg", tracking_number="T1"),
    "deliver": lambda o: services.order_deliver(order_id=o.id),
    "complete": lambda o: services.order_complete(order_id=o.id),
    "cancel": lambda o: services.order_cancel(order_id=o.id, reason="stok habis"),
    "refund": lambda o: services.order_refund(order_id=o.id, reason="barang rusak"),
}
ALLOWED = {
    "pending_payment": {"cancel"},
    "paid": {"pack", "cancel"},
    "packed": {"ship", "cancel"},
    "shipped": {"deliver"},
    "delivered": {"complete", "refund"},
    "completed": {"refund"},
    "cancelled": set(),
    "expired": set(),
    "refunded": set(),
}


@pytest.mark.parametrize("status", list(ALLOWED))
@pytest.mark.parametrize("action", list(ACTIONS))
def test_every_illegal_transition_is_refused_and_changes_nothing(status, action):
    # Given an order in `status`
    (order,) = place(BUYER, (VariantFactory(), 1))
    Order.objects.filter(id=order.id).update(status=status)
    before = order.timeline.count()

    if action in ALLOWED[status]:
        ACTIONS[action](order)
        assert order.timeline.count() == before + 1
        return
    # When an action not allowed from it is asked, Then it is refused with a clear error
    with pytest.raises(contracts.InvalidRequest) as refused:
        ACTIONS[action](order)
    assert refused.value.code == "illegal_transition"
    assert Order.objects.get(id=order.id).status == status
    assert order.timeline.count() == before


def test_the_seller_cancelling_a_paid_order_refunds_it_and_restocks():
    variant = VariantFactory(stock_on_hand=5)
    (order,) = place(BUYER, (variant, 2))
    _pay(order)

    services.order_cancel(order_id=order.id, reason="stok habis", owner_user_id=order.shop.owner_user_id)

    order.refresh_from_db()
    assert (order.status, order.cancel_reason) == ("refunded", "stok habis")
    stock = Variant.objects.get(id=variant.id)
    assert (stock.stock_on_hand, stock.stock_reserved) == (5, 0)
    event = OutboxEvent.objects.get(type="marketplace.order.cancelled")
    assert (event.payload["refunded"], event.payload["lines"][0]["quantity"]) == (True, 2)


def test_a_buyer_may_cancel_only_while_awaiting_payment():
    variant = VariantFactory(stock_on_hand=5)
    (order,) = place(BUYER, (variant, 2))

    services.order_cancel(order_id=order.id, reason="salah ukuran", buyer_id=BUYER)

    order.refresh_from_db()
    assert order.status == "cancelled" and order.payment.status == "failed" and order.payment.amount == 0
    assert Variant.objects.get(id=variant.id).stock_reserved == 0
    (paid,) = place(BUYER, (variant, 1), method="cod")
    with pytest.raises(contracts.InvalidRequest, match="ask the seller"):
        services.order_cancel(order_id=paid.id, reason="berubah pikiran", buyer_id=BUYER)


def test_another_buyer_or_shop_owner_cannot_touch_an_order():
    (order,) = place(BUYER, (VariantFactory(), 1))

    with pytest.raises(contracts.NotFound):
        services.order_cancel(order_id=order.id, reason="x", buyer_id=BUYER + 1)
    with pytest.raises(contracts.NotFound):
        services.order_cancel(order_id=order.id, reason="x", owner_user_id=order.shop.owner_user_id + 1)
    assert Order.objects.get(id=order.id).status == "pending_payment"


@pytest.mark.parametrize(
    ("courier", "tracking", "field"), [("jne-reg", " ", "tracking_number"), ("kuda", "T1", "courier")]
)
def test_shipping_needs_a_known_courier_and_a_tracking_number(courier, tracking, field):
    variant = VariantFactory()
    (order,) = place(BUYER, (variant, 1), method="cod")
    services.order_pack(order_id=order.id)

    with pytest.raises(contracts.InvalidRequest) as refused:
        services.order_ship(order_id=order.id, courier=courier, tracking_number=tracking)

    assert list(refused.value.fields) == [field]
    assert Order.objects.get(id=order.id).status == "packed"


def test_completion_earns_commission_and_a_refund_reverses_it():
    variant = VariantFactory(price=123_457, product__commission_bp=1_000)
    attribution = contracts.Attribution(product_id=variant.product_id, source="showcase", creator_id=3)
    (order,) = place(BUYER, (variant, 1), method="cod", attributions=(attribution,))
    services.order_pack(order_id=order.id)
    services.order_ship(order_id=order.id, courier="jne-reg", tracking_number="T1")
    services.order_deliver(order_id=order.id, buyer_id=BUYER)

    services.order_complete(order_id=order.id)
    commission = Commission.objects.get()
    assert (commission.sale_amount, commission.amount, commission.status, commission.creator_id) == (
        123_457,
        12_345,
        "earned",
        3,
    )

    services.order_refund(order_id=order.id, reason="barang rusak")
    commission.refresh_from_db()
    assert commission.status == "reversed"
    assert [e.payload["amount"] for e in OutboxEvent.objects.filter(type__startswith="marketplace.commission")] == [
        12_345,
        12_345,
    ]
    assert Order.objects.get(id=order.id).status == OrderStatus.REFUNDED


def test_delivered_orders_complete_after_the_configured_days(settings):
    settings.ORDER_AUTO_COMPLETE_DAYS = 3
    order, _variant = _shipped_order()
    services.order_deliver(order_id=order.id, buyer_id=BUYER)
    assert complete_delivered_orders() == 0

    Order.objects.filter(id=order.id).update(delivered_at=order.placed_at - timedelta(days=3))
    assert complete_delivered_orders() == 1
    assert complete_delivered_orders() == 0
    assert Order.objects.get(id=order.id).status == "completed"
