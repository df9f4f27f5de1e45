"""Publishing an event: an outbox row written in the publisher's own transaction."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.apps import apps
from django.db import router, transaction
from django.utils import timezone

from . import correlation, tracing
from .events import Event, to_payload
from .outbox import AbstractOutboxEvent, OutboxStatus
from .tasks import relay_outbox_task

logger = logging.getLogger(__name__)


def publish(outbox_model: type[AbstractOutboxEvent], event: Event) -> None:
    """Writes `event` to the outbox. Must run inside the change's transaction."""
    publish_many(outbox_model, [event])


def publish_many(outbox_model: type[AbstractOutboxEvent], events: Iterable[Event]) -> None:
    """Writes `events` to the outbox in one insert, in the order given (the relay
    delivers by id). Must run inside the change's transaction."""
    batch = list(events)
    if not batch:
        return
    alias = router.db_for_write(outbox_model)
    connection = transaction.get_connection(alias)
    if not connection.in_atomic_block:
        raise RuntimeError("publish() must be called inside transaction.atomic(using=<alias>)")
    request_id = correlation.current()
    # The trace the change belongs to, for its subscribers' spans to continue (integration.tracing).
    trace = {tracing.TRACE_KEY: traceparent} if (traceparent := tracing.current_traceparent()) else {}
    outbox_model._default_manager.using(alias).bulk_create(
        [
            outbox_model(
                type=event.TYPE, version=event.VERSION, payload=to_payload(event) | trace, request_id=request_id
            )
            for event in batch
        ]
    )
    transaction.on_commit(lambda: enqueue_relay(outbox_model._meta.label), using=alias)


def enqueue_relay(outbox_label: str) -> None:
    """Asks a worker to relay now. Losing this nudge loses nothing: the beat sweep relays too."""
    try:
        relay_outbox_task.delay(outbox_label)
    except Exception:  # broker down: the row stays pending for the sweep
        logger.warning("could not enqueue relay of %s; the periodic sweep will deliver it", outbox_label, exc_info=True)


def outbox_replay(*, outbox_label: str, ids: list[int]) -> int:
    """Puts dead (or stuck) rows back in the queue with fresh attempts; returns how many.

    Delivered rows are left alone: replaying them would change nothing anyway.
    """
    outbox_model = apps.get_model(outbox_label)
    alias = router.db_for_write(outbox_model)
    with transaction.atomic(using=alias):
        count: int = (
            outbox_model._default_manager.using(alias)
            .filter(id__in=ids)
            .exclude(status=OutboxStatus.DELIVERED)
            .update(status=OutboxStatus.PENDING, attempts=0, available_at=timezone.now(), last_error="")
        )
        if count:
            transaction.on_commit(lambda: enqueue_relay(outbox_label), using=alias)
    return count
