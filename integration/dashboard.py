"""What the operators' integration page shows, read from the records the seam already keeps.

A purchase's path is rebuilt from the request id that every outbox row carries
(`integration.correlation`): the request -> the orders its `OrderPlaced` events name -> every
event that request published -> each subscriber's inbox row for it (handled, and when) or the
event's own state (waiting, failing with its last error, dead). Nothing is written for the page.

The number of queries does not depend on how many purchases or events are shown: per outbox,
one for its figures, one for its dead letters, one for the last purchases and one for their
events; then one per inbox. A deployable serving one context reads only its own outboxes and
inboxes: there a subscriber of the other side counts as having handled a delivered event.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.apps import apps
from django.db import router
from django.db.models import QuerySet

from . import events
from .deployment import serves
from .metrics import OutboxState, outbox_state, served_outboxes
from .outbox import AbstractOutboxEvent, OutboxStatus

# Order placed events read to find the last purchases: a checkout places one per shop.
_PLACED_PER_PURCHASE = 5


@dataclass(frozen=True)
class DeadLetter:
    id: int
    type: str
    attempts: int
    last_error: str
    occurred_at: datetime
    request_id: str


@dataclass(frozen=True)
class OutboxReport:
    state: OutboxState
    dead_letters: list[DeadLetter]


@dataclass(frozen=True)
class HandlerResult:
    handler: str
    state: str  # "handled", "failed" (the event carries the error), "waiting"
    processed_at: datetime | None


@dataclass(frozen=True)
class EventPath:
    outbox: str
    id: int
    event_id: uuid.UUID
    type: str
    status: str
    attempts: int
    last_error: str
    occurred_at: datetime
    delivered_at: datetime | None
    handlers: list[HandlerResult]


@dataclass(frozen=True)
class PlacedOrder:
    order_id: int
    number: str
    total: int
    currency: str


@dataclass(frozen=True)
class PurchasePath:
    request_id: str
    placed_at: datetime
    orders: list[PlacedOrder]
    events: list[EventPath]


def _outbox_rows(label: str) -> QuerySet[AbstractOutboxEvent]:
    model: type[AbstractOutboxEvent] = apps.get_model(label)
    return model._default_manager.using(router.db_for_read(model)).all()


def outbox_reports(*, dead_limit: int = 20) -> list[OutboxReport]:
    """Each outbox's figures and its most recent dead letters."""
    reports = []
    for label in served_outboxes():
        rows = _outbox_rows(label)
        dead = rows.filter(status=OutboxStatus.DEAD).order_by("-id")[:dead_limit]
        reports.append(
            OutboxReport(
                outbox_state(label),
                [DeadLetter(r.pk, r.type, r.attempts, r.last_error, r.occurred_at, r.request_id) for r in dead],
            )
        )
    return reports


def _handler_results(row: AbstractOutboxEvent, handled: dict[tuple[uuid.UUID, str], datetime]) -> list[HandlerResult]:
    """Each subscriber's result for the event: from its inbox when this process serves its side;
    otherwise from the event itself (delivered means that side answered that it handled it)."""
    results = []
    for subscription in events.subscriptions_for(row.type, row.version):
        processed_at = handled.get((row.event_id, subscription.name))
        if processed_at is not None or (row.status == OutboxStatus.DELIVERED and not _inbox_served(subscription)):
            state = "handled"
        elif row.last_error:
            state = "failed"
        else:
            state = "waiting"
        results.append(HandlerResult(subscription.name, state, processed_at))
    return results


def _inbox_served(subscription: events.Subscription) -> bool:
    return serves(subscription.inbox.partition(".")[0])


def recent_purchases(*, limit: int = 10) -> list[PurchasePath]:
    """The last `limit` purchases (requests that placed orders), newest first, with their path."""
    placed: dict[str, list[AbstractOutboxEvent]] = {}
    request_ids_by_outbox: dict[str, tuple[list[str], int]] = {}
    for label in served_outboxes():
        rows = _outbox_rows(label)
        recent = rows.filter(type=events.OrderPlaced.TYPE).exclude(request_id="").order_by("-id")
        ids: list[str] = []
        first_id = 0
        for row in recent[: limit * _PLACED_PER_PURCHASE]:
            if row.request_id not in placed:
                if len(placed) >= limit:
                    continue
                placed[row.request_id] = []
                ids.append(row.request_id)
            placed[row.request_id].append(row)
            first_id = row.pk
        if ids:
            request_ids_by_outbox[label] = (ids, first_id)
    # Every event those requests published, from their first order on (the primary key bounds
    # the scan to the rows since then).
    published: dict[str, list[tuple[str, AbstractOutboxEvent]]] = defaultdict(list)
    for label, (ids, first_id) in request_ids_by_outbox.items():
        rows = _outbox_rows(label)
        for row in rows.filter(request_id__in=ids, pk__gte=first_id).order_by("id"):
            published[row.request_id].append((label, row))
    handled = _inbox_rows([row.event_id for rows in published.values() for _label, row in rows])
    purchases = []
    for request_id, orders in placed.items():
        paths = [
            EventPath(
                label,
                row.pk,
                row.event_id,
                row.type,
                row.status,
                row.attempts,
                row.last_error,
                row.occurred_at,
                row.delivered_at,
                _handler_results(row, handled),
            )
            for label, row in published[request_id]
        ]
        purchases.append(
            PurchasePath(
                request_id,
                min(row.occurred_at for row in orders),
                [
                    PlacedOrder(
                        row.payload["order_id"], row.payload["number"], row.payload["total"], row.payload["currency"]
                    )
                    for row in sorted(orders, key=lambda r: r.pk)
                ],
                paths,
            )
        )
    return purchases


def _inbox_rows(event_ids: list[uuid.UUID]) -> dict[tuple[uuid.UUID, str], datetime]:
    """(event id, handler) -> when it was handled, from every subscriber's inbox: one query each."""
    handled: dict[tuple[uuid.UUID, str], datetime] = {}
    if not event_ids:
        return handled
    for label in sorted({s.inbox for s in events.all_subscriptions() if _inbox_served(s)}):
        model = apps.get_model(label)
        rows = model._default_manager.using(router.db_for_read(model)).filter(event_id__in=event_ids)
        for event_id, handler, processed_at in rows.values_list("event_id", "handler", "processed_at"):
            handled[(event_id, handler)] = processed_at
    return handled
