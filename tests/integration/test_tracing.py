"""Tracing (integration/tracing.py): one purchase is one trace across both sides, its events'
handlers included; with no exporter configured nothing is installed and nothing changes."""

import json
import os
import re
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from opentelemetry import trace
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from config.celery import app as celery_app
from integration import contracts, event_http, events, tracing
from integration.http import HttpPort
from integration.publish import publish
from marketplace.models import Order, OutboxEvent
from storefront.models import ProductCard
from tests.factories import ADDRESS_VALUES, UserFactory, VariantFactory
from tests.integration.processes import free_port
from tests.wsgi import connections_kept_open

pytestmark = pytest.mark.django_db(databases="__all__")
TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
PARENT_TRACE_ID = 0x0AF7651916CD43DD8448EB211C80319C


@pytest.fixture
def spans():
    """Tracing on, every finished span kept in memory."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    previous = tracing.install(provider)
    yield exporter
    tracing.install(previous)
    provider.shutdown()


def _named(finished, name):
    found = [s for s in finished if s.name == name]
    assert found, f"no span {name!r} among {sorted({s.name for s in finished})}"
    return found


def _checkout_through_the_pages(client, variant):
    shopper = UserFactory()
    client.force_login(shopper)
    assert client.post(reverse("storefront:cart_add"), {"variant_id": variant.id, "quantity": 2}).status_code == 302
    form = client.get(reverse("storefront:checkout"))
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', form.content.decode()).group(1)
    placed = client.post(
        reverse("storefront:checkout"),
        {**ADDRESS_VALUES, "payment_method": "virtual_account", "idempotency_key": key},
    )
    assert placed.status_code == 302, placed.content.decode()[:500]
    return Order.objects.get(buyer_id=shopper.id)


@pytest.mark.django_db(databases="__all__", transaction=True)
def test_one_checkout_over_http_is_one_trace_across_both_sides_down_to_the_storefront_handler(
    live_server, client, spans, rebuild_cards
):
    """The storefront page calls the marketplace over HTTP (a real server); the checkout's
    events go back to the storefront's endpoint over HTTP too (the relay runs on commit)."""
    tokens = {"marketplace": "mp-s3cret", "storefront": "sf-s3cret"}
    variant = VariantFactory(price=125_000, stock_on_hand=5)
    rebuild_cards()
    spans.clear()
    with (
        override_settings(
            INTEGRATION_TRANSPORT="http",
            MARKETPLACE_API_URL=f"{live_server.url}/internal/marketplace/v1/",
            MARKETPLACE_SERVICE_TOKEN="mp-s3cret",
            INTEGRATION_EVENT_TRANSPORT="http",
            INTEGRATION_SERVICE_TOKENS=tokens,
            INTEGRATION_EVENT_ENDPOINTS={
                "storefront": f"{live_server.url}/internal/storefront/v1/events/",
                "marketplace": f"http://127.0.0.1:{free_port()}/",
            },
        ),
    ):
        event_http._sink.cache_clear()
        order = _checkout_through_the_pages(client, variant)

    assert ProductCard.objects.get(product_id=variant.product_id).sold_count == 2  # the handler ran
    finished = spans.get_finished_spans()
    page = next(s for s in _named(finished, "POST /checkout/") if s.kind == SpanKind.SERVER)
    trace_id = page.context.trace_id
    in_trace = [s for s in finished if s.context.trace_id == trace_id]
    by_id = {s.context.span_id: s for s in in_trace}

    # The storefront's port call, and the marketplace's request continuing it over HTTP.
    call = next(s for s in _named(in_trace, "MarketplacePort.checkout") if s.kind == SpanKind.CLIENT)
    assert call.attributes["jalin.transport"] == "http" and call.attributes["http.response.status_code"] == 200
    served = [s for s in in_trace if s.attributes.get("http.route") == "/internal/marketplace/v1/<str:method>/"]
    internal = next(s for s in served if s.attributes["rpc.method"] == "checkout")
    assert internal.kind == SpanKind.SERVER and internal.parent.span_id == call.context.span_id
    assert internal.parent.is_remote  # it came from the traceparent header
    # The marketplace's checkout service, under its request.
    (service,) = _named(in_trace, "marketplace.checkout_place")
    assert service.parent.span_id == internal.context.span_id
    (payment,) = _named(in_trace, "marketplace.payment_open_session")
    assert payment.parent.span_id == internal.context.span_id
    # The relay (the task run on commit), its hand-over over HTTP, the storefront's endpoint.
    assert _named(in_trace, "celery.task integration.relay_outbox")
    relayed = _named(in_trace, "relay marketplace")
    assert all(r.attributes["jalin.transport"] == "http" for r in relayed)
    posts = _named(in_trace, "POST events")
    endpoint = [s for s in in_trace if s.name == "POST /internal/storefront/v1/events/"]
    assert endpoint and {e.parent.span_id for e in endpoint} <= {p.context.span_id for p in posts}
    # The storefront's handler of the order event continues the trace the event was written in:
    # its parent is the checkout service's span, where the outbox row was written.
    row = OutboxEvent.objects.get(type=events.OrderPlaced.TYPE, payload__order_id=order.id)
    (handled,) = [
        s
        for s in _named(in_trace, f"handle {events.OrderPlaced.TYPE}")
        if s.attributes["messaging.message.id"] == str(row.event_id)
    ]
    assert handled.attributes["jalin.side"] == "storefront"
    assert handled.parent.span_id == service.context.span_id
    assert by_id[handled.links[0].context.span_id].name in {"POST /internal/storefront/v1/events/"}
    assert handled.status.is_ok
    # Both sides, one trace.
    server_routes = {s.attributes.get("http.route") for s in in_trace if s.kind == SpanKind.SERVER}
    assert {"/checkout/", "/internal/marketplace/v1/<str:method>/", "/internal/storefront/v1/events/"} <= server_routes
    # The order's event row keeps that context; the envelope hands it over apart from the payload.
    assert row.payload[tracing.TRACE_KEY].split("-")[1] == f"{trace_id:032x}"
    envelope = row.envelope()
    assert tracing.TRACE_KEY not in envelope.payload and envelope.traceparent == row.payload[tracing.TRACE_KEY]
    assert events.decode(envelope).order_id == order.id


def test_a_handler_continues_the_trace_of_its_event_even_when_a_later_sweep_relays_it(spans, relay):
    with tracing.span("seller archives a product") as publishing, transaction.atomic(using="marketplace"):
        publish(OutboxEvent, events.ProductUnpublished(product_id=41))
        publishing_context = publishing.get_span_context()
    spans.clear()
    OutboxEvent.objects.update(status="pending")  # as if the nudge was lost

    with tracing.span("beat sweep") as sweep:
        relay()

    (handled,) = [s for s in spans.get_finished_spans() if s.name == "handle marketplace.product.unpublished"]
    assert handled.context.trace_id == publishing_context.trace_id != sweep.get_span_context().trace_id
    assert handled.parent.span_id == publishing_context.span_id
    (relayed,) = _named(spans.get_finished_spans(), "relay marketplace")
    assert relayed.context.trace_id == sweep.get_span_context().trace_id
    assert [link.context.span_id for link in relayed.links] == [publishing_context.span_id]


def test_a_failing_handler_marks_its_span_failed(spans, relay, monkeypatch):
    def broken(event):
        raise RuntimeError("card store down")

    key = (events.ProductUnpublished.TYPE, events.ProductUnpublished.VERSION)
    monkeypatch.setattr(
        events,
        "_subscriptions",
        {key: [events.Subscription("test.broken", events.ProductUnpublished, broken, "storefront.InboxEvent")]},
    )
    with transaction.atomic(using="marketplace"):
        publish(OutboxEvent, events.ProductUnpublished(product_id=42))
    relay()

    handled = _named(spans.get_finished_spans(), "handle marketplace.product.unpublished")
    assert handled and all(not s.status.is_ok for s in handled)
    assert any(e.name == "exception" for s in handled for e in s.events)
    assert all(not s.status.is_ok for s in _named(spans.get_finished_spans(), "relay marketplace"))


def test_an_internal_call_continues_the_callers_trace_and_a_public_page_never_does(client, spans):
    with override_settings(MARKETPLACE_SERVICE_TOKEN="mp-s3cret"):
        client.get(
            "/internal/marketplace/v1/", headers={"Authorization": "Bearer mp-s3cret", "traceparent": TRACEPARENT}
        )
    client.get("/healthz", headers={"traceparent": TRACEPARENT})

    internal, public = spans.get_finished_spans()
    assert (internal.name, internal.context.trace_id, internal.parent.span_id) == (
        "GET /internal/marketplace/v1/",
        PARENT_TRACE_ID,
        0xB7AD6B7169203331,
    )
    assert public.name == "GET /healthz" and public.parent is None and public.context.trace_id != PARENT_TRACE_ID
    assert public.attributes["http.response.status_code"] == 200 and public.attributes["jalin.request_id"]


def test_the_http_port_sends_the_calls_traceparent(spans):
    seen = []

    class Recording(httpx.WSGITransport):
        def handle_request(self, request):
            seen.append(request.headers.get("traceparent"))
            return super().handle_request(request)

    variant = VariantFactory(stock_on_hand=3)
    with connections_kept_open(), override_settings(MARKETPLACE_SERVICE_TOKEN="s3cret"):
        port = HttpPort(
            contracts.MarketplacePort,
            base_url="http://testserver/internal/marketplace/v1/",
            token="s3cret",
            transport=Recording(app=get_wsgi_application()),
        )
        port.add_to_cart(buyer_id=7, variant_id=variant.id, quantity=1)

    finished = spans.get_finished_spans()
    (call,) = [s for s in finished if s.name == "MarketplacePort.add_to_cart"]
    context = call.context
    assert seen == [f"00-{context.trace_id:032x}-{context.span_id:016x}-{context.trace_flags:02x}"]
    (served,) = [s for s in finished if s.kind == SpanKind.SERVER]
    assert served.parent.span_id == call.context.span_id and served.attributes["rpc.method"] == "add_to_cart"


def test_a_celery_task_sent_to_a_worker_continues_the_senders_trace(spans):
    """A real worker (in a thread, on an in-memory broker) runs the task from its message."""
    app = Celery("trace-probe", broker="memory://", backend="cache+memory://", set_as_current=False)
    app.conf.task_always_eager = False
    ran = []

    @app.task(name="tests.trace_probe")
    def probe():
        ran.append(trace.get_current_span().get_span_context())

    try:
        with (
            start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10),
            tracing.span("seller presses a button") as sending,
        ):
            probe.delay().get(timeout=10)
    finally:
        # The worker made the probe's app the current one; the project's tasks need theirs back.
        celery_app.set_current()
        celery_app.set_default()

    task_span = next(s for s in spans.get_finished_spans() if s.name == "celery.task tests.trace_probe")
    assert task_span.kind == SpanKind.CONSUMER and task_span.parent.span_id == sending.get_span_context().span_id
    assert ran == [task_span.context]


# --- Tracing off -------------------------------------------------------------------------


def test_with_tracing_off_nothing_is_installed_and_a_purchase_goes_through_unchanged(client, relay, rebuild_cards):
    assert (settings.TRACING_OTLP_ENDPOINT, settings.TRACING_FILE) == ("", "")
    assert tracing.configure_from_settings() is None
    assert not tracing.enabled()
    # OpenTelemetry's own global provider is still the API's placeholder: no SDK, no exporter.
    assert not isinstance(trace.get_tracer_provider(), TracerProvider)

    variant = VariantFactory(price=60_000, stock_on_hand=5)
    rebuild_cards()
    order = _checkout_through_the_pages(client, variant)
    relay()

    assert order.total == 60_000 * 2 + order.shipping_fee
    assert ProductCard.objects.get(product_id=variant.product_id).sold_count == 2
    rows = OutboxEvent.objects.all()
    assert rows and not any(tracing.TRACE_KEY in row.payload for row in rows)
    assert all(row.envelope().traceparent == "" for row in rows)
    assert tracing.current_traceparent() == "" and tracing.extract({"traceparent": TRACEPARENT}) is None
    headers = {}
    tracing.inject(headers)
    assert headers == {}


def test_with_tracing_off_the_http_port_sends_no_traceparent():
    seen = []

    class Recording(httpx.WSGITransport):
        def handle_request(self, request):
            seen.append(request.headers)
            return super().handle_request(request)

    with connections_kept_open(), override_settings(MARKETPLACE_SERVICE_TOKEN="s3cret"):
        HttpPort(
            contracts.MarketplacePort,
            base_url="http://testserver/internal/marketplace/v1/",
            token="s3cret",
            transport=Recording(app=get_wsgi_application()),
        ).get_cart(5)

    assert "traceparent" not in seen[0] and "x-request-id" in seen[0]


# --- Exporters ---------------------------------------------------------------------------


def test_the_file_exporter_writes_one_json_object_per_span_and_line(tmp_path, client):
    path = tmp_path / "spans.jsonl"
    provider = tracing.build_provider(service_name="jalin-test", file_path=str(path))
    previous = tracing.install(provider)
    try:
        client.get("/healthz")
        client.get("/readyz")
        provider.force_flush()
    finally:
        tracing.install(previous)
        provider.shutdown()

    lines = path.read_text().splitlines()
    spans_written = [json.loads(line) for line in lines]
    assert [s["name"] for s in spans_written] == ["GET /healthz", "GET /readyz"]
    assert spans_written[0]["resource"]["attributes"]["service.name"] == "jalin-test"
    assert spans_written[0]["kind"] == "SpanKind.SERVER"
    assert spans_written[0]["context"]["trace_id"] != spans_written[1]["context"]["trace_id"]


def test_the_otlp_exporter_posts_the_spans_to_the_collector(client):
    received = []

    class Collector(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.path, self.headers["Content-Type"], ExportTraceServiceRequest.FromString(body)))
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.end_headers()

        def log_message(self, *args):
            pass

    collector = ThreadingHTTPServer(("127.0.0.1", 0), Collector)
    threading.Thread(target=collector.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{collector.server_port}/v1/traces"
    provider = tracing.build_provider(service_name="jalin-marketplace", otlp_endpoint=url)
    previous = tracing.install(provider)
    try:
        client.get("/healthz")
        assert provider.force_flush(timeout_millis=10_000)
    finally:
        tracing.install(previous)
        provider.shutdown()
        collector.shutdown()

    ((path, content_type, request),) = received
    assert (path, content_type) == ("/v1/traces", "application/x-protobuf")
    (resource_spans,) = request.resource_spans
    service = {a.key: a.value.string_value for a in resource_spans.resource.attributes}["service.name"]
    names = [s.name for scope in resource_spans.scope_spans for s in scope.spans]
    assert (service, names) == ("jalin-marketplace", ["GET /healthz"])


def test_a_sampled_out_trace_is_not_kept_but_a_callers_sampled_one_is_continued(tmp_path, client):
    path = tmp_path / "spans.jsonl"
    provider = tracing.build_provider(service_name="jalin", file_path=str(path), sample_ratio=0.0)
    previous = tracing.install(provider)
    try:
        client.get("/healthz")  # a new trace: sampled out
        with override_settings(MARKETPLACE_SERVICE_TOKEN="mp-s3cret"):
            client.get(
                "/internal/marketplace/v1/", headers={"Authorization": "Bearer mp-s3cret", "traceparent": TRACEPARENT}
            )
        provider.force_flush()
    finally:
        tracing.install(previous)
        provider.shutdown()

    written = [json.loads(line) for line in path.read_text().splitlines()]
    assert [(s["name"], s["context"]["trace_id"]) for s in written] == [
        ("GET /internal/marketplace/v1/", f"0x{PARENT_TRACE_ID:032x}")
    ]


def test_no_exporter_configured_builds_no_provider():
    assert tracing.build_provider(service_name="jalin") is None


@pytest.mark.django_db(databases=[])
@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({}, ""),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://jaeger:4318/"}, "http://jaeger:4318/v1/traces"),
        (
            {
                "OTEL_EXPORTER_OTLP_ENDPOINT": "http://x:4318",
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://t/api/traces",
            },
            "http://t/api/traces",
        ),
    ],
)
def test_the_collector_url_comes_from_the_standard_variables(environment, expected):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    found = subprocess.run(
        [sys.executable, "-c", "import config.settings as s; print(s.TRACING_OTLP_ENDPOINT)"],
        env={**clean, **environment},
        capture_output=True,
        text=True,
        check=True,
        cwd=settings.BASE_DIR,
    )
    assert found.stdout.strip() == expected
