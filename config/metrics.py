"""`/internal/metrics`: Prometheus text for a scraper on the private network (the internal
network guard answers 404 to anyone else). The figures come from the contexts' collectors."""

from django.http import HttpResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.registry import CollectorRegistry

from integration.deployment import serves
from marketplace.metrics import LedgerCollector


def metrics(request):
    registry = CollectorRegistry()
    if serves("marketplace"):
        registry.register(LedgerCollector())
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
