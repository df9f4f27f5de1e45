"""Redis stops while shoppers check out and starts again (empty): every committed
order's events are delivered afterwards; no order is lost or placed twice."""

import pytest
from django.conf import settings
from kombu import pools

from config.celery import app as celery_app
from integration import contracts
from integration.outbox import OutboxStatus
from marketplace.models import Order, OutboxEvent
from storefront.models import InboxEvent, ProductCard
from tests.conftest import on_postgres
from tests.factories import VariantFactory
from tests.integration.processes import private_redis, start_worker, stop, wait_for
from tests.postgres import postgres_unavailable

pytestmark = [pytest.mark.worker, pytest.mark.django_db(databases="__all__", transaction=True)]
SHOPPERS = 30
ADDRESS = contracts.Address("Ayu", "0812345678", "Jl. Kaliurang 5", "Sleman", "DI Yogyakarta", "55281")


@pytest.fixture
def broker():
    """A Redis of our own, used by this process and by the worker, stoppable at will."""
    if not (settings.REDIS_URL and on_postgres()):
        postgres_unavailable("needs PostgreSQL and REDIS_URL (the CI's PostgreSQL run)")
    previous = celery_app.conf.broker_url, celery_app.conf.result_backend
    with private_redis() as redis:
        _point_celery_at(redis.url, redis.url)
        try:
            yield redis
        finally:
            _point_celery_at(*previous)


def _point_celery_at(broker_url: str, backend_url: str | None) -> None:
    # kombu keeps one pool per broker URL: forget them all, then let Celery rebuild its own.
    pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    celery_app.conf.broker_url = broker_url
    celery_app.conf.result_backend = backend_url


def _check_out(port, buyer_id: int, variant_id: int) -> contracts.CheckoutResult:
    port.add_to_cart(buyer_id=buyer_id, variant_id=variant_id, quantity=1)
    return port.checkout(
        contracts.CheckoutCommand(
            buyer_id=buyer_id, address=ADDRESS, payment_method="cod", idempotency_key=f"redis-down-{buyer_id}"
        )
    )


def test_orders_placed_while_redis_is_down_are_all_delivered_once_after(broker, port, rebuild_cards, tmp_path):
    # Given a product card and a worker with the beat sweep, both on our Redis
    variant = VariantFactory(stock_on_hand=SHOPPERS)
    rebuild_cards()
    worker = start_worker(beat_schedule=tmp_path / "beat", REDIS_URL=broker.url, INTEGRATION_SWEEP_SECONDS="1")
    try:
        # When shoppers check out before, during and after a Redis outage
        placed = [_check_out(port, buyer, variant.id) for buyer in range(1, 11)]
        broker.stop()
        during = [_check_out(port, buyer, variant.id) for buyer in range(11, 21)]
        pending_during_outage = OutboxEvent.objects.exclude(status=OutboxStatus.DELIVERED).count()
        undelivered_of_the_outage = (
            OutboxEvent.objects.filter(
                type="marketplace.order.placed", payload__order_id__in=[r.orders[0].id for r in during]
            )
            .exclude(status=OutboxStatus.DELIVERED)
            .count()
        )
        broker.start()
        placed += during
        placed += [_check_out(port, buyer, variant.id) for buyer in range(21, SHOPPERS + 1)]

        # Then every order's event is delivered once the worker is back on Redis
        assert wait_for(
            lambda: (
                OutboxEvent.objects.filter(type="marketplace.order.placed", status=OutboxStatus.DELIVERED).count()
                == SHOPPERS
            ),
            timeout=120,
        )
    finally:
        stop(worker)

    # The outage did happen: the 10 orders placed meanwhile were taken, their events held back
    assert len(during) == 10 and undelivered_of_the_outage == 10
    assert pending_during_outage >= 10
    orders = Order.objects.order_by("buyer_id")
    assert [o.buyer_id for o in orders] == list(range(1, SHOPPERS + 1))
    assert sorted(r.orders[0].id for r in placed) == sorted(o.id for o in orders)
    assert InboxEvent.objects.filter(handler="storefront.card.sold").count() == SHOPPERS
    assert ProductCard.objects.get(product_id=variant.product_id).sold_count == SHOPPERS
    assert OutboxEvent.objects.filter(status=OutboxStatus.DEAD).count() == 0
    print(
        f"\nredis down: {SHOPPERS} checkouts (10 during the outage, {pending_during_outage} events undelivered "
        f"meanwhile); {orders.count()} orders, {SHOPPERS} order events delivered once each"
    )
