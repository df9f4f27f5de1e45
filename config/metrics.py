"""`/internal/metrics`: Prometheus text for a scraper on the private network (the internal
network guard answers 404 to anyone else), and the request latency of every view.

The scrape joins two parts. The counters and histograms this process keeps (requests, port
calls, handler failures, checkouts, payouts, refunds): by default each process's own, so a
scraper reaches each process (or sums them); with `PROMETHEUS_MULTIPROC_DIR` set, those of
every process on the host that writes to that directory (`prometheus_client`'s multiprocess
mode). And the figures read from the databases at each scrape (outboxes, relay lag, the
ledger's reconciliation), the same whichever process answers.
"""

import os
import time

from django.http import HttpResponse
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Histogram, generate_latest, multiprocess
from prometheus_client.registry import CollectorRegistry

from integration.deployment import serves
from integration.metrics import OutboxCollector
from marketplace.metrics import LedgerCollector

REQUEST_SECONDS = Histogram(
    "jalin_http_request_duration_seconds",
    "Time to answer a request, by the view's URL name (or route) and HTTP method.",
    ["view", "method"],
)
UNMATCHED = "<unmatched>"


def view_label(request) -> str:
    """The resolved view's name, never the raw path (ids would make a label per object)."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return UNMATCHED
    return match.view_name or match.route or UNMATCHED


class RequestMetricsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        try:
            return self.get_response(request)
        finally:
            REQUEST_SECONDS.labels(view_label(request), request.method).observe(time.perf_counter() - started)


def _process_registry() -> CollectorRegistry:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return REGISTRY


def _database_registry() -> CollectorRegistry:
    """The databases' figures, of the contexts this process serves (each outbox's own side)."""
    registry = CollectorRegistry()
    if serves("marketplace"):
        registry.register(LedgerCollector())
    registry.register(OutboxCollector())
    return registry


def metrics(request):
    body = generate_latest(_process_registry()) + generate_latest(_database_registry())
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
