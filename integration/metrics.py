"""What the seam between the two contexts does, for operators: port calls, event handler
failures and the outboxes' backlog.

Two kinds of figures, read differently:

- Counters and histograms of this process (`prometheus_client`'s default registry): port
  calls by method with their latency and outcome, handler failures. Each process counts what
  it did; a scraper sums the processes (or, with `PROMETHEUS_MULTIPROC_DIR` set, the scrape
  sums every process on the host that shares the directory; `config.metrics`).
- Gauges read from the database at each scrape (`OutboxCollector`): pending and dead events
  and the relay's lag per outbox. Every process answers the same, whichever one relayed.

Port calls are also counted per minute in the cache (`port_minutes`), so the admin's
integration page can show the last hour without a Prometheus server; with several processes
the cache must be shared (`CACHE_URL` pointing at Redis) for the page to see them all.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, router
from django.db.models import Count, Min, Q
from django.utils import timezone
from prometheus_client import Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from .contracts import PortError, Unavailable
from .deployment import serves
from .outbox import OutboxStatus

logger = logging.getLogger(__name__)

PORT_CALL_SECONDS = Histogram(
    "jalin_port_call_duration_seconds",
    "Time a MarketplacePort call took, by method and transport (inprocess, http: the caller; served: "
    "the provider's end of an HTTP call).",
    ["method", "transport"],
)
PORT_CALLS = Counter(
    "jalin_port_calls",
    "MarketplacePort calls by method, transport and outcome (ok; refused: the port's own answer, "
    "e.g. not found or invalid; unavailable; error: anything else).",
    ["method", "transport", "outcome"],
)
HANDLER_FAILURES = Counter(
    "jalin_event_handler_failures",
    "Events a subscriber's handler failed on (each failure of a retried event counts again).",
    ["handler", "type"],
)

# Outcomes that count as errors in the error rate: the port could not answer.
ERROR_OUTCOMES = frozenset({"unavailable", "error"})
# Transports of the calling side; "served" calls are the same calls seen by the provider.
CALLER_TRANSPORTS = frozenset({"inprocess", "http"})
MINUTES_KEPT = 60
_BUCKET_TTL = 2 * 3600
_PREFIX = "jalin:port-minute"


def _minute(moment: datetime) -> int:
    return int(moment.timestamp()) // 60


def _count(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:  # the minute's first call: create it, unless another process just did
        if not cache.add(key, 1, _BUCKET_TTL):
            cache.incr(key)


def record_port_call(method: str, transport: str, seconds: float, outcome: str) -> None:
    PORT_CALL_SECONDS.labels(method, transport).observe(seconds)
    PORT_CALLS.labels(method, transport, outcome).inc()
    if transport not in CALLER_TRANSPORTS:
        return
    minute = _minute(timezone.now())
    try:
        _count(f"{_PREFIX}:{minute}:calls")
        if outcome in ERROR_OUTCOMES:
            _count(f"{_PREFIX}:{minute}:errors")
    except Exception:  # a cache outage must not fail the call it only counts
        logger.debug("port call not counted in the cache", exc_info=True)


@contextlib.contextmanager
def port_call(method: str, transport: str) -> Iterator[None]:
    """Times the port call made inside and records it with its outcome."""
    started = time.perf_counter()
    outcome = "ok"
    try:
        yield
    except Unavailable:
        outcome = "unavailable"
        raise
    except PortError:
        outcome = "refused"
        raise
    except Exception:
        outcome = "error"
        raise
    finally:
        record_port_call(method, transport, time.perf_counter() - started, outcome)


@dataclass(frozen=True)
class PortMinute:
    start: datetime
    calls: int
    errors: int


def port_minutes(*, now: datetime | None = None, minutes: int = MINUTES_KEPT) -> list[PortMinute]:
    """The port calls of each of the last `minutes` minutes (oldest first), in one cache read."""
    current = _minute(now or timezone.now())
    span = range(current - minutes + 1, current + 1)
    keys = [f"{_PREFIX}:{minute}:{kind}" for minute in span for kind in ("calls", "errors")]
    try:
        found = cache.get_many(keys)
    except Exception:
        logger.warning("port call counts unreadable from the cache", exc_info=True)
        found = {}
    return [
        PortMinute(
            start=datetime.fromtimestamp(minute * 60, tz=timezone.get_current_timezone()),
            calls=int(found.get(f"{_PREFIX}:{minute}:calls", 0)),
            errors=int(found.get(f"{_PREFIX}:{minute}:errors", 0)),
        )
        for minute in span
    ]


def handler_failed(handler: str, event_type: str) -> None:
    HANDLER_FAILURES.labels(handler, event_type).inc()


# --- The outboxes, from their tables -------------------------------------------------------


@dataclass(frozen=True)
class OutboxState:
    label: str
    pending: int
    retrying: int  # pending after at least one failed attempt
    dead: int
    oldest_pending_at: datetime | None

    def lag_seconds(self, now: datetime) -> float:
        """Age of the oldest pending event: 0 when the relay has caught up."""
        if self.oldest_pending_at is None:
            return 0.0
        return max(0.0, (now - self.oldest_pending_at).total_seconds())


def outbox_state(label: str) -> OutboxState:
    """One query: the outbox's pending, retrying and dead counts and its oldest pending event."""
    model = apps.get_model(label)
    pending = Q(status=OutboxStatus.PENDING)
    figures = (
        model._default_manager.using(router.db_for_read(model))
        .filter(status__in=[OutboxStatus.PENDING, OutboxStatus.DEAD])
        .aggregate(
            pending=Count("id", filter=pending),
            retrying=Count("id", filter=pending & Q(attempts__gt=0)),
            dead=Count("id", filter=Q(status=OutboxStatus.DEAD)),
            oldest=Min("occurred_at", filter=pending),
        )
    )
    return OutboxState(label, figures["pending"], figures["retrying"], figures["dead"], figures["oldest"])


def served_outboxes() -> list[str]:
    """The outboxes of `INTEGRATION_OUTBOXES` whose context this process serves: a deployable
    serving one context never opens the other's database."""
    return [label for label in settings.INTEGRATION_OUTBOXES if serves(label.partition(".")[0])]


class OutboxCollector(Collector):
    """Per outbox this process serves: one query at each scrape, whatever its size. An outbox
    whose database does not answer is left out (and logged), the rest still scraped."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        families = {
            name: GaugeMetricFamily(f"jalin_{name}", documentation, labels=["outbox"])
            for name, documentation in (
                ("outbox_pending", "Events waiting to be relayed."),
                ("outbox_retrying", "Pending events that failed at least once (waiting for a retry)."),
                ("outbox_dead", "Dead-lettered events (retries exhausted; replay them in the admin)."),
                ("relay_lag_seconds", "Age of the oldest pending event (0: the relay has caught up)."),
            )
        }
        now = timezone.now()
        for label in served_outboxes():
            try:
                state = outbox_state(label)
            except DatabaseError:
                logger.warning("outbox %s unreadable for the metrics", label, exc_info=True)
                continue
            families["outbox_pending"].add_metric([label], state.pending)
            families["outbox_retrying"].add_metric([label], state.retrying)
            families["outbox_dead"].add_metric([label], state.dead)
            families["relay_lag_seconds"].add_metric([label], state.lag_seconds(now))
        yield from families.values()
