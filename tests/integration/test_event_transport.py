"""Events across the split (`INTEGRATION_EVENT_TRANSPORT=http`): the marketplace's relay hands
its batches to the storefront's internal endpoint, which runs the storefront's own handlers
and inbox. httpx calls the WSGI application directly here; the last test uses a real server."""

import httpx
import pytest
from django.core.wsgi import get_wsgi_application
from django.db import transaction
from django.test import override_settings

from integration import event_http, events
from integration.outbox import OutboxStatus
from integration.publish import publish
from integration.relay import relay_all_outboxes
from marketplace.models import OutboxEvent
from marketplace.selectors import product_card_facts_by_id
from storefront.models import InboxEvent, ProductCard
from tests.factories import VariantFactory
from tests.integration.processes import free_port
from tests.wsgi import connections_kept_open

pytestmark = pytest.mark.django_db(databases="__all__")
URL = "http://testserver/internal/storefront/v1/events/"


class CountingTransport(httpx.WSGITransport):
    def __init__(self):
        super().__init__(app=get_wsgi_application())
        self.paths: list[str] = []

    def handle_request(self, request):
        self.paths.append(request.url.path)
        return super().handle_request(request)


@pytest.fixture
def split(monkeypatch):
    """The http event transport, the storefront's token set, and its endpoint reached in process."""
    transport = CountingTransport()
    sinks = {"token": "sf-s3cret", "url": URL}

    def sink(side):
        assert side == "storefront"
        return event_http.EventSink(url=sinks["url"], token=sinks["token"], transport=transport)

    monkeypatch.setattr(event_http, "sink", sink)
    tokens = {"marketplace": "", "storefront": "sf-s3cret"}
    with (
        connections_kept_open(),
        override_settings(INTEGRATION_EVENT_TRANSPORT="http", INTEGRATION_SERVICE_TOKENS=tokens),
    ):
        yield transport, sinks


def _published_product():
    variant = VariantFactory(price=50_000, stock_on_hand=3)
    with transaction.atomic(using="marketplace"):
        publish(OutboxEvent, events.ProductPublished(product=product_card_facts_by_id(variant.product_id)))
    return variant.product


def test_the_storefront_builds_the_card_from_the_batch_its_endpoint_received(split):
    transport, _sinks = split
    product = _published_product()

    assert relay_all_outboxes() == 1

    assert transport.paths == ["/internal/storefront/v1/events/"]
    card = ProductCard.objects.get(product_id=product.id)
    assert (card.title, card.price_min, card.shop_name) == (product.title, 50_000, product.shop.name)
    assert OutboxEvent.objects.get().status == OutboxStatus.DELIVERED
    assert InboxEvent.objects.filter(event_id=OutboxEvent.objects.get().event_id).count() >= 1


def test_a_redelivered_batch_changes_the_storefront_once(split):
    transport, _sinks = split
    product = _published_product()
    relay_all_outboxes()
    placed = events.OrderPlaced(
        order_id=1,
        number="INV/1",
        buyer_id=1,
        shop_id=product.shop_id,
        status="pending_payment",
        total=100_000,
        currency="IDR",
        lines=(events.OrderLineFact(product_id=product.id, variant_id=1, quantity=2, unit_price=50_000),),
    )
    with transaction.atomic(using="marketplace"):
        publish(OutboxEvent, placed)
    relay_all_outboxes()
    # The relay crashed after the storefront answered but before it marked the row.
    OutboxEvent.objects.filter(type=events.OrderPlaced.TYPE).update(status=OutboxStatus.PENDING)

    assert relay_all_outboxes() == 1

    assert len(transport.paths) == 3  # delivered again over the wire ...
    assert ProductCard.objects.get(product_id=product.id).sold_count == 2  # ... and counted once


def test_a_wrong_token_is_refused_and_the_events_wait_for_a_retry(split):
    _transport, sinks = split
    sinks["token"] = "guessed"
    product = _published_product()

    assert relay_all_outboxes() == 0

    row = OutboxEvent.objects.get()
    assert (row.status, row.attempts) == (OutboxStatus.PENDING, 1)
    assert "answered 401" in row.last_error
    assert not ProductCard.objects.filter(product_id=product.id).exists()


def test_an_unreachable_storefront_keeps_the_events_pending_until_it_answers(split):
    _transport, sinks = split
    sinks["url"] = URL
    product = _published_product()

    def refused(request):
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(CountingTransport, "handle_request", lambda self, request: refused(request))
        assert relay_all_outboxes() == 0
    row = OutboxEvent.objects.get()
    assert row.status == OutboxStatus.PENDING and "unreachable" in row.last_error
    assert not ProductCard.objects.filter(product_id=product.id).exists()

    OutboxEvent.objects.filter(id=row.id).update(available_at=row.occurred_at)
    assert relay_all_outboxes() == 1
    assert ProductCard.objects.filter(product_id=product.id).exists()


def test_a_handler_failing_on_one_event_holds_back_only_that_event(split, monkeypatch):
    ok, bad = _published_product(), _published_product()
    subscription = next(
        s for s in events.subscriptions_for(events.ProductPublished.TYPE, events.ProductPublished.VERSION)
    )

    def picky(event):
        if event.product.product_id == bad.id:
            raise RuntimeError("cannot build this card")
        subscription.handler(event)

    monkeypatch.setattr(
        events,
        "_subscriptions",
        {
            (events.ProductPublished.TYPE, events.ProductPublished.VERSION): [
                events.Subscription(subscription.name, events.ProductPublished, picky, subscription.inbox)
            ]
        },
    )

    assert relay_all_outboxes() == 1

    assert ProductCard.objects.filter(product_id=ok.id).exists()
    assert not ProductCard.objects.filter(product_id=bad.id).exists()
    failed = OutboxEvent.objects.get(status=OutboxStatus.PENDING)
    assert failed.payload["product"]["product_id"] == bad.id and "cannot build this card" in failed.last_error


def test_the_endpoint_refuses_a_malformed_batch_with_a_problem(client):
    with override_settings(INTEGRATION_SERVICE_TOKENS={"marketplace": "", "storefront": "sf-s3cret"}):
        answer = client.post(
            "/internal/storefront/v1/events/",
            data=b'{"events": [{"envelope": {"id": "not-a-uuid"}}]}',
            content_type="application/json",
            headers={"Authorization": "Bearer sf-s3cret"},
        )
        closed = client.post("/internal/storefront/v1/events/", data=b"{}", content_type="application/json")

    assert answer.status_code == 400 and answer["Content-Type"] == "application/problem+json"
    assert "Malformed event batch" in answer.json()["detail"]
    assert closed.status_code == 401


@pytest.mark.django_db(databases="__all__", transaction=True)
def test_over_real_http_the_storefront_server_takes_the_batch(live_server):
    url = f"{live_server.url}/internal/storefront/v1/events/"
    tokens = {"marketplace": "", "storefront": "sf-s3cret"}
    with override_settings(
        INTEGRATION_EVENT_TRANSPORT="http",
        INTEGRATION_SERVICE_TOKENS=tokens,
        INTEGRATION_EVENT_ENDPOINTS={"storefront": url, "marketplace": f"http://127.0.0.1:{free_port()}/"},
    ):
        event_http._sink.cache_clear()
        # Committing the event relays it at once (the eager task), through the server.
        product = _published_product()

    assert OutboxEvent.objects.get().status == OutboxStatus.DELIVERED
    assert ProductCard.objects.filter(product_id=product.id).exists()
