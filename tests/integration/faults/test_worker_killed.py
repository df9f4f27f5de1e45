"""A worker killed with SIGKILL in the middle of relaying: after a restart every
event's effect has happened exactly once (late acks, the beat sweep, the inbox)."""

import signal

import pytest
from django.conf import settings
from django.db import connections, transaction

from config.celery import app as celery_app
from integration import events
from integration.outbox import OutboxStatus
from integration.publish import publish
from marketplace.models import OutboxEvent
from storefront.models import InboxEvent, ProductCard
from tests.conftest import on_postgres
from tests.factories import VariantFactory
from tests.integration.processes import start_worker, stop, wait_for
from tests.postgres import postgres_unavailable

pytestmark = [pytest.mark.worker, pytest.mark.django_db(databases="__all__", transaction=True)]
EVENTS = 500


def _placed(product, number: int) -> events.OrderPlaced:
    line = events.OrderLineFact(product_id=product.id, variant_id=1, quantity=1, unit_price=10_000)
    return events.OrderPlaced(
        order_id=number,
        number=f"INV/{number}",
        buyer_id=number,
        shop_id=product.shop_id,
        status="pending_payment",
        total=10_000,
        currency="IDR",
        lines=(line,),
    )


def _handled() -> int:
    return InboxEvent.objects.filter(handler="storefront.card.sold").count()


def _delivered() -> int:
    return OutboxEvent.objects.filter(status=OutboxStatus.DELIVERED).count()


def test_a_worker_killed_mid_batch_delivers_every_event_once_after_restart(tmp_path, rebuild_cards):
    if not (settings.REDIS_URL and on_postgres()):
        postgres_unavailable("needs PostgreSQL and REDIS_URL (the CI's PostgreSQL run)")
    celery_app.control.purge()
    # Given a product card and 500 "order placed" events waiting in the outbox
    product = VariantFactory().product
    rebuild_cards()
    with transaction.atomic(using="marketplace"):
        for number in range(1, EVENTS + 1):
            publish(OutboxEvent, _placed(product, number))

    # When a worker starts relaying them and is killed with SIGKILL part-way: after a
    # batch was handled, before it is marked delivered. A SHARE lock on the outbox table
    # lets the relay claim rows (FOR UPDATE) and handle them, but holds back its UPDATE.
    worker = start_worker(INTEGRATION_RELAY_BATCH_SIZE="50")
    try:
        assert wait_for(lambda: _handled() >= 100, timeout=60, interval=0.01)
        with transaction.atomic(using="marketplace"), connections["marketplace"].cursor() as cursor:
            cursor.execute(f"LOCK TABLE {OutboxEvent._meta.db_table} IN SHARE MODE")
            assert wait_for(lambda: _handled() > _delivered(), timeout=60, interval=0.01)
            stop(worker, signal.SIGKILL)
            handled_at_kill, delivered_at_kill = _handled(), _delivered()
    finally:
        stop(worker, signal.SIGKILL)
    # Then the kill fell between the two: whole batches handled, not marked delivered
    assert 0 < delivered_at_kill < handled_at_kill < EVENTS
    assert (handled_at_kill - delivered_at_kill) % 50 == 0
    assert _delivered() == delivered_at_kill  # the killed relay's UPDATE never committed

    # ...and a new worker (with the beat sweep) takes over
    worker = start_worker(beat_schedule=tmp_path / "beat", INTEGRATION_SWEEP_SECONDS="1")
    try:
        assert wait_for(lambda: OutboxEvent.objects.filter(status=OutboxStatus.DELIVERED).count() == EVENTS, timeout=90)
    finally:
        stop(worker)

    # Then every event took effect exactly once
    assert _handled() == EVENTS
    assert ProductCard.objects.get(product_id=product.id).sold_count == EVENTS
    assert OutboxEvent.objects.exclude(status=OutboxStatus.DELIVERED).count() == 0
    print(
        f"\nworker SIGKILL: {EVENTS} events; {handled_at_kill} handled and {delivered_at_kill} marked delivered "
        f"at the kill; after restart {_handled()} handled once each, sold count {EVENTS}"
    )
