"""Celery tasks of the event relay. Idempotent: running one twice delivers nothing twice."""

from celery import shared_task
from django.conf import settings

from . import relay


@shared_task(name="integration.relay_outbox")
def relay_outbox_task(outbox_label: str) -> int:
    return relay.relay_outbox(outbox_label)


@shared_task(name="integration.relay_all_outboxes")
def relay_all_outboxes_task() -> int:
    """The periodic sweep (Celery beat): delivers whatever a lost nudge left pending. With a
    queue per context it only asks each outbox's own side to relay it, and touches no database."""
    if settings.INTEGRATION_CONTEXT_QUEUES:
        for label in settings.INTEGRATION_OUTBOXES:
            relay_outbox_task.delay(label)
        return 0
    return relay.relay_all_outboxes()
