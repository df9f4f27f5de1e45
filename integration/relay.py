"""Relaying outbox rows to subscribers, at least once, each handled once."""

import logging
import random
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, router, transaction
from django.utils import timezone

from . import correlation
from .events import Envelope, Subscription, from_payload, subscriptions_for
from .outbox import OutboxStatus

logger = logging.getLogger(__name__)


def handle_once(subscription: Subscription, envelope: Envelope) -> bool:
    """Runs the handler and records the event in the inbox, atomically. False if already done."""
    inbox_model = apps.get_model(subscription.inbox)
    alias = router.db_for_write(inbox_model)
    event = from_payload(subscription.event_class, envelope.payload)
    with transaction.atomic(using=alias):
        try:
            with transaction.atomic(using=alias):
                inbox_model.objects.using(alias).create(event_id=envelope.id, handler=subscription.name)
        except IntegrityError:
            return False
        subscription.handler(event)
    return True


def deliver(envelope: Envelope) -> None:
    """Hands one event to every subscriber. Raises if any subscriber failed."""
    failures = []
    for subscription in subscriptions_for(envelope.type, envelope.version):
        try:
            handle_once(subscription, envelope)
        except Exception as exc:  # one failing subscriber must not starve the others
            logger.exception("subscriber %s failed on event %s", subscription.name, envelope.id)
            failures.append(f"{subscription.name}: {exc!r}")
    if failures:
        raise RuntimeError("; ".join(failures))


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
            for row in rows:
                try:
                    with correlation.bound(row.request_id or correlation.new_id()):
                        deliver(row.envelope())
                except Exception as exc:
                    row.attempts += 1
                    row.last_error = str(exc)[:2000]
                    if row.attempts >= max_attempts:
                        row.status = OutboxStatus.DEAD
                    else:
                        row.available_at = timezone.now() + _backoff(row.attempts)
                else:
                    row.status = OutboxStatus.DELIVERED
                    row.delivered_at = timezone.now()
                    delivered += 1
            outbox_model.objects.using(alias).bulk_update(
                rows, ["status", "attempts", "last_error", "available_at", "delivered_at"]
            )
        if len(rows) < batch_size:
            break
    return delivered


def relay_all_outboxes() -> int:
    return sum(relay_outbox(label) for label in settings.INTEGRATION_OUTBOXES)
