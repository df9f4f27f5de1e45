"""Relaying outbox rows to subscribers, at least once, each handled once."""

from __future__ import annotations

import logging
import random
import uuid
from collections import defaultdict
from datetime import timedelta
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, router, transaction
from django.utils import timezone
from opentelemetry.trace import SpanKind

from . import codec, correlation, event_http, events, metrics, tracing
from .events import Envelope, Subscription, subscriptions_for
from .outbox import OutboxStatus

logger = logging.getLogger(__name__)

# An envelope, its decoded event and the request id it was published under.
Delivery = tuple[Envelope, Any, str]


def handle_once(subscription: Subscription, envelope: Envelope, event: Any) -> bool:
    """Runs the handler on `event` (decoded from `envelope`) and records the event in the
    inbox, atomically. False if already done."""
    inbox_model = apps.get_model(subscription.inbox)
    alias = router.db_for_write(inbox_model)
    with transaction.atomic(using=alias):
        try:
            with transaction.atomic(using=alias):
                inbox_model.objects.using(alias).create(event_id=envelope.id, handler=subscription.name)
        except IntegrityError:
            return False
        _run_handler(subscription, envelope, event)
    return True


def _run_handler(subscription: Subscription, envelope: Envelope, event: Any) -> None:
    """The handler on one event, in a span continuing the trace the event was published in
    (linked to the delivery that runs it, often another trace: a batch, a sweep)."""
    if not tracing.enabled():
        subscription.handler(event)
        return
    with tracing.span(
        f"handle {envelope.type}",
        kind=SpanKind.CONSUMER,
        parent=tracing.context_of(envelope.traceparent),
        links=tracing.link_to_current(),
        attributes={
            "messaging.system": "jalin",
            "messaging.operation.type": "process",
            "messaging.destination.name": envelope.type,
            "messaging.message.id": str(envelope.id),
            "messaging.consumer.group.name": subscription.name,
            "jalin.side": side_of(subscription),
            "jalin.event.version": envelope.version,
        },
    ):
        subscription.handler(event)


def handle_batch(subscription: Subscription, batch: list[Delivery]) -> int:
    """Runs the handler on every event of `batch` not yet in the inbox, and records them
    there, in one transaction. Returns how many were handled.

    A concurrent relay that recorded one of them first makes the inbox insert fail and
    the whole batch roll back; the caller then goes one by one.
    """
    inbox_model = apps.get_model(subscription.inbox)
    alias = router.db_for_write(inbox_model)
    with transaction.atomic(using=alias):
        done = set(
            inbox_model.objects.using(alias)
            .filter(handler=subscription.name, event_id__in=[envelope.id for envelope, _, _ in batch])
            .values_list("event_id", flat=True)
        )
        fresh = list({delivery[0].id: delivery for delivery in batch if delivery[0].id not in done}.values())
        inbox_model.objects.using(alias).bulk_create(
            [inbox_model(event_id=envelope.id, handler=subscription.name) for envelope, _, _ in fresh]
        )
        for envelope, event, request_id in fresh:
            with correlation.bound(request_id):
                _run_handler(subscription, envelope, event)
    return len(fresh)


def side_of(subscription: Subscription) -> str:
    """The context a subscription belongs to: its inbox's app label."""
    return subscription.inbox.partition(".")[0]


def deliver_many(batch: list[tuple[Envelope, str]], *, side: str | None = None) -> dict[uuid.UUID, str]:
    """Hands the events of `batch` (envelope, request id) to their subscribers (only those of
    `side` when given, as a subscriber deployed apart does): one
    transaction per subscription for the whole batch, falling back to one transaction
    per event when that fails, so one bad event holds back no other. Returns the
    errors of the events some subscriber failed on, by event id.

    An event of a type or version not known here, or whose payload does not fit its
    class, is refused before any subscriber sees it: it fails like a handler error,
    so it is retried (a newer worker may know it) and then dead-lettered."""
    failures: dict[uuid.UUID, list[str]] = defaultdict(list)
    by_subscription: dict[str, tuple[Subscription, list[Delivery]]] = {}
    for envelope, request_id in batch:
        try:
            event = events.decode(envelope)
        except (events.UnknownEvent, codec.CodecError) as exc:
            logger.error("event %s (%s v%d) refused: %s", envelope.id, envelope.type, envelope.version, exc)
            metrics.handler_failed("refused", envelope.type)
            failures[envelope.id].append(f"refused: {exc}")
            continue
        for subscription in subscriptions_for(envelope.type, envelope.version):
            if side is not None and side_of(subscription) != side:
                continue
            by_subscription.setdefault(subscription.name, (subscription, []))[1].append((envelope, event, request_id))
    for subscription, deliveries in by_subscription.values():
        try:
            handle_batch(subscription, deliveries)
            continue
        except Exception:
            logger.warning("subscriber %s failed on a batch; retrying event by event", subscription.name)
        for envelope, event, request_id in deliveries:
            try:
                with correlation.bound(request_id):
                    handle_once(subscription, envelope, event)
            except Exception as exc:
                logger.exception("subscriber %s failed on event %s", subscription.name, envelope.id)
                metrics.handler_failed(subscription.name, envelope.type)
                failures[envelope.id].append(f"{subscription.name}: {exc!r}")
    return {event_id: "; ".join(errors) for event_id, errors in failures.items()}


def dispatch(batch: list[tuple[Envelope, str]], *, publisher: str) -> dict[uuid.UUID, str]:
    """Delivers `batch` from the `publisher` side's outbox. In process (the default) every
    subscriber runs here; over HTTP the publisher's own subscribers run here and each other
    side's receive the events it subscribes to at its internal endpoint. The failures of all.

    A span of its own when tracing is on, linked to the trace of each event it carries (at
    most the first 100: the handlers' spans continue those traces anyway)."""
    if not tracing.enabled():
        return _dispatch(batch, publisher=publisher)
    links = [link for envelope, _ in batch[:100] for link in tracing.link_to(envelope.traceparent)]
    attributes = {
        "messaging.system": "jalin",
        "messaging.operation.type": "send",
        "messaging.batch.message_count": len(batch),
        "jalin.publisher": publisher,
        "jalin.transport": settings.INTEGRATION_EVENT_TRANSPORT,
    }
    with tracing.span(f"relay {publisher}", links=links, attributes=attributes) as relay_span:
        failures = _dispatch(batch, publisher=publisher)
        tracing.set_attributes(relay_span, {"jalin.failed_events": len(failures)})
        if failures:
            tracing.fail(relay_span, f"{len(failures)} of {len(batch)} events failed")
        return failures


def _dispatch(batch: list[tuple[Envelope, str]], *, publisher: str) -> dict[uuid.UUID, str]:
    if settings.INTEGRATION_EVENT_TRANSPORT == "inprocess":
        return deliver_many(batch)
    if settings.INTEGRATION_EVENT_TRANSPORT != "http":
        raise ValueError(f"unknown INTEGRATION_EVENT_TRANSPORT {settings.INTEGRATION_EVENT_TRANSPORT!r}")
    failures = deliver_many(batch, side=publisher)
    remote: dict[str, list[tuple[Envelope, str]]] = defaultdict(list)
    for envelope, request_id in batch:
        for side in {side_of(s) for s in subscriptions_for(envelope.type, envelope.version)} - {publisher}:
            remote[side].append((envelope, request_id))
    for side, events_of_side in remote.items():
        for event_id, error in event_http.sink(side).deliver(events_of_side).items():
            failures[event_id] = f"{failures[event_id]}; {error}" if event_id in failures else error
    return failures


def _backoff(attempts: int) -> timedelta:
    # Exponential with full jitter, capped at one hour.
    return timedelta(seconds=random.uniform(0, min(3600, 2**attempts)))


def relay_outbox(outbox_label: str, *, batch_size: int | None = None, max_batches: int = 50) -> int:
    """Delivers due pending rows of one outbox; returns how many were delivered.

    Rows are claimed with SELECT ... FOR UPDATE SKIP LOCKED, so several relays can
    run at once without delivering a row twice concurrently.
    """
    outbox_model = apps.get_model(outbox_label)
    alias = router.db_for_write(outbox_model)
    batch_size = batch_size or settings.INTEGRATION_RELAY_BATCH_SIZE
    max_attempts = settings.INTEGRATION_RELAY_MAX_ATTEMPTS
    delivered = 0
    for _ in range(max_batches):
        with transaction.atomic(using=alias):
            rows = list(
                outbox_model.objects.using(alias)
                .select_for_update(skip_locked=True)
                .filter(status=OutboxStatus.PENDING, available_at__lte=timezone.now())
                .order_by("id")[:batch_size]
            )
            if not rows:
                break
            failures = dispatch(
                [(row.envelope(), row.request_id or correlation.new_id()) for row in rows],
                publisher=outbox_model._meta.app_label,
            )
            done = [row.id for row in rows if row.event_id not in failures]
            if done:  # the common case in one plain UPDATE
                outbox_model.objects.using(alias).filter(id__in=done).update(
                    status=OutboxStatus.DELIVERED, delivered_at=timezone.now()
                )
                delivered += len(done)
            failed = [row for row in rows if row.event_id in failures]
            for row in failed:
                row.attempts += 1
                row.last_error = failures[row.event_id][:2000]
                if row.attempts >= max_attempts:
                    row.status = OutboxStatus.DEAD
                else:
                    row.available_at = timezone.now() + _backoff(row.attempts)
            if failed:
                outbox_model.objects.using(alias).bulk_update(
                    failed, ["status", "attempts", "last_error", "available_at"]
                )
        if len(rows) < batch_size:
            break
    return delivered


def relay_all_outboxes() -> int:
    return sum(relay_outbox(label) for label in settings.INTEGRATION_OUTBOXES)
