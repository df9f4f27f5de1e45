"""Tracing across real processes: a Celery worker of its own (tracing to a JSON-lines file)
relays an event published here and hands it to the storefront's endpoint over HTTP; the
worker's spans and the storefront handler's span (in this process) are one trace."""

import json

import pytest
from django.conf import settings
from django.db import transaction
from django.test import override_settings
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from config.celery import app as celery_app
from integration import events, tracing
from integration.publish import publish
from marketplace.models import OutboxEvent
from marketplace.selectors import product_card_facts_by_id
from storefront.models import ProductCard
from tests.conftest import on_postgres
from tests.factories import VariantFactory
from tests.integration.processes import start_worker, stop, wait_for
from tests.postgres import postgres_unavailable

pytestmark = [pytest.mark.worker, pytest.mark.django_db(databases="__all__", transaction=True)]
TOKEN = "storefront-events-token"
QUEUE = "marketplace"


@pytest.fixture
def spans():
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    previous = tracing.install(provider)
    yield exporter
    tracing.install(previous)
    provider.shutdown()


def _spans_in(path):
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_the_worker_continues_the_publishers_trace_and_the_storefront_handler_too(live_server, spans, tmp_path):
    if not (settings.REDIS_URL and on_postgres()):
        postgres_unavailable("needs PostgreSQL and REDIS_URL (the CI's PostgreSQL run)")
    # The worker takes the marketplace's own queue (INTEGRATION_CONTEXT_QUEUES), emptied first,
    # so no task or worker left on the default queue by another test can come between.
    with celery_app.connection_for_write() as connection:
        connection.default_channel.queue_purge(QUEUE)
    file = tmp_path / "worker-spans.jsonl"
    worker = start_worker(
        queues=QUEUE,
        INTEGRATION_CONTEXT_QUEUES="1",
        TRACING_FILE=str(file),
        OTEL_SERVICE_NAME="jalin-marketplace-worker",
        OTEL_BSP_SCHEDULE_DELAY="100",  # export within a tenth of a second
        INTEGRATION_EVENT_TRANSPORT="http",
        STOREFRONT_SERVICE_TOKEN=TOKEN,
        STOREFRONT_EVENTS_URL=f"{live_server.url}/internal/storefront/v1/events/",
    )
    try:
        variant = VariantFactory(price=75_000, stock_on_hand=4)
        tokens = {"marketplace": "", "storefront": TOKEN}
        with override_settings(INTEGRATION_SERVICE_TOKENS=tokens, INTEGRATION_CONTEXT_QUEUES=True):
            # The row is committed, and the relay task sent, inside the span.
            with tracing.span("seller publishes a product") as publishing, transaction.atomic(using="marketplace"):
                publish(OutboxEvent, events.ProductPublished(product=product_card_facts_by_id(variant.product_id)))
            origin = publishing.get_span_context()

            # The timeout includes the worker's start, slow on a loaded machine.
            assert wait_for(lambda: ProductCard.objects.filter(product_id=variant.product_id).exists(), timeout=120)
            assert wait_for(lambda: any(s["name"] == "relay marketplace" for s in _spans_in(file)), timeout=20)
    finally:
        stop(worker)

    trace_id = f"0x{origin.trace_id:032x}"
    worker_spans = _spans_in(file)
    # The task sent inside the publisher's span continues its trace. (Another relay task, such
    # as one left from an earlier worker, may reach the row first: its batch then links to it.)
    tasks = [s for s in worker_spans if s["name"] == "celery.task integration.relay_outbox"]
    task = next(s for s in tasks if s["context"]["trace_id"] == trace_id)
    assert task["parent_id"] == f"0x{origin.span_id:016x}"
    assert task["resource"]["attributes"]["service.name"] == "jalin-marketplace-worker"
    # Here, in the storefront's process: its endpoint continues the worker's hand-over ...
    finished = spans.get_finished_spans()
    (endpoint,) = [s for s in finished if s.name == "POST /internal/storefront/v1/events/"]
    (sent,) = [s for s in worker_spans if s["context"]["span_id"] == f"0x{endpoint.parent.span_id:016x}"]
    assert sent["name"] == "POST events"
    (relay,) = [
        s for s in worker_spans if s["name"] == "relay marketplace" and s["context"]["span_id"] == sent["parent_id"]
    ]
    linked = {link["context"]["trace_id"] for link in relay.get("links", [])}
    assert relay["context"]["trace_id"] == trace_id or trace_id in linked
    # ... and its handler the publisher's span, where the outbox row was written.
    (handled,) = [s for s in finished if s.name == f"handle {events.ProductPublished.TYPE}"]
    assert (handled.context.trace_id, handled.parent.span_id) == (origin.trace_id, origin.span_id)
