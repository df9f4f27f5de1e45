"""Which Celery queue a task goes to when the two sides run apart.

With `INTEGRATION_CONTEXT_QUEUES` on, a context's tasks go to the queue named after
it ("marketplace", "storefront"), and an outbox's relay to the queue of the context
that owns the outbox: a worker started with `-Q marketplace` then needs only the
marketplace's database, and one with `-Q storefront` only the storefront's. Off (the
default), everything shares Celery's default queue, as one `make worker` expects.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

CONTEXTS = ("marketplace", "storefront")


def queue_of_outbox(outbox_label: str) -> str:
    return outbox_label.partition(".")[0]


def route_task(
    name: str, args: tuple[Any, ...], kwargs: dict[str, Any], options: dict[str, Any], task: Any = None, **_: Any
) -> dict[str, str] | None:
    if not settings.INTEGRATION_CONTEXT_QUEUES:
        return None
    if name == "integration.relay_outbox":
        label = args[0] if args else kwargs["outbox_label"]
        return {"queue": queue_of_outbox(label)}
    context = name.partition(".")[0]
    return {"queue": context} if context in CONTEXTS else None
