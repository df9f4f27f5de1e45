"""The seam's metrics at /internal/metrics: a purchase shows up in the checkout counter, the port
call histogram and the outbox gauges; the relay's lag follows what is left to relay."""

import re
from datetime import timedelta

import httpx
import pytest
import time_machine
from django.core.wsgi import get_wsgi_application
from django.db import connections, transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from integration import contracts, events
from integration.http import HttpPort
from integration.metrics import port_minutes
from integration.outbox import OutboxStatus
from integration.publish import publish
from marketplace.models import Order, OutboxEvent
from tests.factories import ADDRESS_VALUES, UserFactory, VariantFactory
from tests.integration.processes import free_port
from tests.queries import count_queries
from tests.wsgi import connections_kept_open

pytestmark = pytest.mark.django_db(databases="__all__")
OUTBOX = {"outbox": "marketplace.OutboxEvent"}


def scrape(client) -> dict[tuple[str, frozenset], float]:
    response = client.get("/internal/metrics", REMOTE_ADDR="10.0.0.5")
    assert response.status_code == 200
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples, name: str, **labels) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def _buy(client, variant, quantity=1):
    client.post(reverse("storefront:cart_add"), {"variant_id": variant.id, "quantity": quantity})
    form = client.get(reverse("storefront:checkout"))
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', form.content.decode()).group(1)
    return client.post(
        reverse("storefront:checkout"), {**ADDRESS_VALUES, "payment_method": "cod", "idempotency_key": key}
    )


def test_a_purchase_shows_in_the_checkout_counter_the_port_histogram_and_the_outbox_gauges(client, relay):
    # Given a product and a signed-in shopper
    variant = VariantFactory(price=80_000, stock_on_hand=5)
    client.force_login(UserFactory(username="sari"))
    before = scrape(client)

    # When the shopper buys it through the pages
    placed = _buy(client, variant, quantity=2)
    after = scrape(client)

    # Then one checkout was placed, through one in-process port call to `checkout`
    assert placed.status_code == 302 and Order.objects.count() == 1
    checkouts = ("jalin_checkouts_total", {"outcome": "placed"})
    assert value(after, checkouts[0], **checkouts[1]) - value(before, checkouts[0], **checkouts[1]) == 1
    call = {"method": "checkout", "transport": "inprocess"}
    assert (
        value(after, "jalin_port_call_duration_seconds_count", **call)
        - value(before, "jalin_port_call_duration_seconds_count", **call)
        == 1
    )
    assert (
        value(after, "jalin_port_calls_total", **call, outcome="ok")
        - value(before, "jalin_port_calls_total", **call, outcome="ok")
        == 1
    )
    assert value(after, "jalin_port_call_duration_seconds_sum", **call) > value(
        before, "jalin_port_call_duration_seconds_sum", **call
    )
    # ...the checkout page's POST was timed under its view's name, not its path
    page = {"view": "storefront:checkout", "method": "POST"}
    assert (
        value(after, "jalin_http_request_duration_seconds_count", **page)
        - value(before, "jalin_http_request_duration_seconds_count", **page)
        == 1
    )
    assert not any(labels and ("view", "/checkout/") in labels for _, labels in after)
    # ...and its events wait in the outbox: the order placed and (cash on delivery) accepted
    pending = OutboxEvent.objects.filter(status=OutboxStatus.PENDING)
    assert list(pending.values_list("type", flat=True)) == ["marketplace.order.placed", "marketplace.order.paid"]
    assert value(before, "jalin_outbox_pending", **OUTBOX) == 0
    assert value(after, "jalin_outbox_pending", **OUTBOX) == 2
    assert value(after, "jalin_outbox_dead", **OUTBOX) == 0

    # When the relay delivers them, the outbox is empty again
    relay()
    assert value(scrape(client), "jalin_outbox_pending", **OUTBOX) == 0


def test_a_refused_checkout_is_counted_as_refused(client):
    client.force_login(UserFactory(username="dimas"))
    before = scrape(client)

    # An empty cart: the marketplace refuses the checkout
    form = client.get(reverse("storefront:checkout"))
    client.post(reverse("storefront:checkout"), {**ADDRESS_VALUES, "payment_method": "cod", "idempotency_key": "k"})
    after = scrape(client)

    assert form.status_code in (200, 302)
    assert Order.objects.count() == 0
    assert (
        value(after, "jalin_checkouts_total", outcome="refused")
        - value(before, "jalin_checkouts_total", outcome="refused")
        == 1
    )
    assert value(after, "jalin_checkouts_total", outcome="placed") == value(
        before, "jalin_checkouts_total", outcome="placed"
    )


def _publish_unpublished(product_id: int) -> None:
    with transaction.atomic(using="marketplace"):
        publish(OutboxEvent, events.ProductUnpublished(product_id=product_id))


def test_the_relay_lag_is_the_age_of_the_oldest_pending_event_and_falls_to_zero_once_relayed(client, relay):
    start = timezone.now()
    with time_machine.travel(start - timedelta(hours=1), tick=False):
        _publish_unpublished(99)  # dead long ago: not waiting for the relay, no lag
    OutboxEvent.objects.update(status=OutboxStatus.DEAD)
    with time_machine.travel(start, tick=False):
        _publish_unpublished(1)
        assert value(scrape(client), "jalin_relay_lag_seconds", **OUTBOX) == 0
    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        _publish_unpublished(2)
    with time_machine.travel(start + timedelta(seconds=90), tick=False):
        waiting = scrape(client)
        relay()
        caught_up = scrape(client)

    assert (value(waiting, "jalin_relay_lag_seconds", **OUTBOX), value(waiting, "jalin_outbox_pending", **OUTBOX)) == (
        90,
        2,
    )
    assert (
        value(caught_up, "jalin_relay_lag_seconds", **OUTBOX),
        value(caught_up, "jalin_outbox_pending", **OUTBOX),
        value(caught_up, "jalin_outbox_dead", **OUTBOX),
    ) == (0, 0, 1)


@override_settings(INTEGRATION_RELAY_MAX_ATTEMPTS=2)
def test_a_failing_handler_is_counted_retried_and_dead_lettered(client, relay, monkeypatch):
    def broken(event):
        raise RuntimeError("projection down")

    subscription = events.Subscription("test.broken", events.ProductUnpublished, broken, "storefront.InboxEvent")
    monkeypatch.setattr(events, "_subscriptions", {(events.ProductUnpublished.TYPE, 1): [subscription]})
    failures = {"handler": "test.broken", "type": events.ProductUnpublished.TYPE}
    before = scrape(client)
    _publish_unpublished(7)

    relay()
    _publish_unpublished(8)  # not relayed yet: pending, but it has not failed
    retrying = scrape(client)
    OutboxEvent.objects.update(available_at=timezone.now())  # the backoff is over
    relay()
    dead = scrape(client)

    def delta(samples):
        return value(samples, "jalin_event_handler_failures_total", **failures) - value(
            before, "jalin_event_handler_failures_total", **failures
        )

    assert delta(retrying) == 1
    assert (
        value(retrying, "jalin_outbox_pending", **OUTBOX),
        value(retrying, "jalin_outbox_retrying", **OUTBOX),
        value(retrying, "jalin_outbox_dead", **OUTBOX),
    ) == (2, 1, 0)
    # The first event failed its last attempt, the second its first
    assert delta(dead) == 3
    assert (
        value(dead, "jalin_outbox_pending", **OUTBOX),
        value(dead, "jalin_outbox_retrying", **OUTBOX),
        value(dead, "jalin_outbox_dead", **OUTBOX),
    ) == (1, 1, 1)


def test_port_calls_over_http_are_timed_on_both_ends_and_an_unreachable_marketplace_is_an_error(client):
    variant = VariantFactory(stock_on_hand=3)
    call = {"method": "add_to_cart"}
    before = scrape(client)
    with connections_kept_open(), override_settings(MARKETPLACE_SERVICE_TOKEN="s3cret"):
        port = HttpPort(
            contracts.MarketplacePort,
            base_url="http://testserver/internal/marketplace/v1/",
            token="s3cret",
            transport=httpx.WSGITransport(app=get_wsgi_application()),
        )
        port.add_to_cart(buyer_id=5, variant_id=variant.id, quantity=1)
        with pytest.raises(contracts.InvalidRequest):
            port.add_to_cart(buyer_id=5, variant_id=variant.id + 1000, quantity=1)
    down = HttpPort(
        contracts.MarketplacePort, base_url=f"http://127.0.0.1:{free_port()}/v1/", token="s3cret", retries=0
    )
    with pytest.raises(contracts.Unavailable):
        down.get_cart(5)
    after = scrape(client)

    def delta(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("jalin_port_calls_total", **call, transport="http", outcome="ok") == 1
    assert delta("jalin_port_calls_total", **call, transport="http", outcome="refused") == 1
    assert delta("jalin_port_calls_total", **call, transport="served", outcome="ok") == 1
    assert delta("jalin_port_calls_total", **call, transport="served", outcome="refused") == 1
    assert delta("jalin_port_call_duration_seconds_count", **call, transport="http") == 2
    assert delta("jalin_port_calls_total", method="get_cart", transport="http", outcome="unavailable") == 1
    # The admin's per-minute figures count the caller's three calls once each, one of them an error
    assert port_minutes()[-1].calls == 3 and port_minutes()[-1].errors == 1


def test_the_scrape_reads_each_outbox_in_one_query_whatever_its_size(client):
    def scrape_queries(events_published):
        for n in range(events_published):
            _publish_unpublished(n)
        with count_queries() as queries:
            samples = scrape(client)
        return [sql for _alias, sql in queries.statements() if "outboxevent" in sql], samples

    few, few_samples = scrape_queries(1)
    many, many_samples = scrape_queries(30)

    assert (len(few), len(many)) == (1, 1)
    assert (
        value(few_samples, "jalin_outbox_pending", **OUTBOX),
        value(many_samples, "jalin_outbox_pending", **OUTBOX),
    ) == (
        1,
        31,
    )


def test_an_unreadable_outbox_is_left_out_and_the_rest_still_scraped(client):
    with connections["marketplace"].cursor() as cursor:  # rolled back with the test
        cursor.execute("ALTER TABLE marketplace_outboxevent RENAME TO marketplace_outboxevent_away")

    samples = scrape(client)

    assert ("jalin_outbox_pending", frozenset(OUTBOX.items())) not in samples
    assert value(samples, "jalin_payouts_in_flight") == 0
    assert any(name == "jalin_checkouts_total" or name.startswith("jalin_http") for name, _ in samples)


def test_a_deployable_serving_the_storefront_alone_reads_no_marketplace_table(client):
    _publish_unpublished(1)

    with override_settings(JALIN_CONTEXTS=["storefront"]), count_queries() as queries:
        samples = scrape(client)

    assert [alias for alias, _sql in queries.statements() if alias == "marketplace"] == []
    assert ("jalin_outbox_pending", frozenset(OUTBOX.items())) not in samples
