"""Dead-lettered events are visible in the admin and can be replayed."""

import pytest
from django.db import transaction

from integration import events
from integration.outbox import OutboxStatus
from integration.publish import publish
from marketplace.models import OutboxEvent
from tests.factories import UserFactory, VariantFactory

pytestmark = pytest.mark.django_db(databases="__all__")
CHANGELIST = "/admin/marketplace/outboxevent/"


def _dead_event(product_id: int) -> OutboxEvent:
    with transaction.atomic(using="marketplace"):
        publish(OutboxEvent, events.StockChanged(product_id=product_id, in_stock=False))
    row = OutboxEvent.objects.get()
    OutboxEvent.objects.filter(id=row.id).update(status=OutboxStatus.DEAD, attempts=8, last_error="boom")
    return row


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_dead_events_are_listed_by_status(admin_client):
    row = _dead_event(product_id=1)

    response = admin_client.get(CHANGELIST, {"status__exact": "dead"})

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [row]


def test_replaying_a_dead_event_queues_it_again_and_the_relay_delivers_it(admin_client, relay, rebuild_cards):
    variant = VariantFactory(stock_on_hand=1)
    rebuild_cards()
    row = _dead_event(product_id=variant.product_id)

    response = admin_client.post(CHANGELIST, {"action": "replay", "_selected_action": [row.id]}, follow=True)

    row.refresh_from_db()
    assert [str(m) for m in response.context["messages"]] == ["1 event queued for delivery again."]
    assert (row.status, row.attempts, row.last_error) == (OutboxStatus.PENDING, 0, "")
    assert relay() == 1
    assert OutboxEvent.objects.get().status == OutboxStatus.DELIVERED


def test_delivered_events_are_not_replayed(admin_client, relay):
    with transaction.atomic(using="marketplace"):
        publish(OutboxEvent, events.ProductUnpublished(product_id=5))
    relay()
    row = OutboxEvent.objects.get()

    response = admin_client.post(CHANGELIST, {"action": "replay", "_selected_action": [row.id]}, follow=True)

    assert [str(m) for m in response.context["messages"]] == ["Only undelivered events can be replayed."]
    assert OutboxEvent.objects.get().delivered_at == row.delivered_at


def test_nobody_adds_or_deletes_outbox_rows_by_hand(admin_client):
    assert admin_client.get(CHANGELIST + "add/").status_code == 403
