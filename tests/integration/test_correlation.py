"""The request id written on an outbox row is the one bound while its handlers run."""

import logging

import pytest
from django.db import transaction

from integration import correlation, events
from integration.publish import publish
from marketplace.models import OutboxEvent

pytestmark = pytest.mark.django_db(databases="__all__")


def test_the_relay_restores_the_request_id_of_each_row_for_its_handlers(monkeypatch, relay):
    seen = []
    monkeypatch.setattr(
        events,
        "_subscriptions",
        {
            (events.ProductUnpublished.TYPE, 1): [
                events.Subscription(
                    "test.seen",
                    events.ProductUnpublished,
                    lambda e: seen.append(correlation.current()),
                    "storefront.InboxEvent",
                )
            ]
        },
    )
    for request_id in ("req-a", "req-b"):
        with correlation.bound(request_id), transaction.atomic(using="marketplace"):
            publish(OutboxEvent, events.ProductUnpublished(product_id=1))

    relay()

    assert list(OutboxEvent.objects.order_by("id").values_list("request_id", flat=True)) == ["req-a", "req-b"]
    assert seen == ["req-a", "req-b"]


def test_log_records_carry_the_bound_request_id():
    record_filter = correlation.RequestIdFilter()
    inside = logging.LogRecord("jalin", logging.INFO, __file__, 1, "checkout placed", (), None)
    outside = logging.LogRecord("jalin", logging.INFO, __file__, 1, "idle", (), None)

    with correlation.bound("req-log"):
        record_filter.filter(inside)
    record_filter.filter(outside)

    assert (inside.request_id, outside.request_id) == ("req-log", "-")
