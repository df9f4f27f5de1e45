"""Celery tasks of the event relay. Idempotent: running one twice delivers nothing twice."""

from celery import shared_task

from . import relay


@shared_task(name="integration.relay_outbox")
def relay_outbox_task(outbox_label: str) -> int:
    return relay.relay_outbox(outbox_label)


@shared_task(name="integration.relay_all_outboxes")
def relay_all_outboxes_task() -> int:
    """The periodic sweep (Celery beat): delivers whatever a lost nudge left pending."""
    return relay.relay_all_outboxes()
