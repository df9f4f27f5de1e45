"""The outbox relay: at-least-once delivery, handled once, retried with backoff."""

import pytest
from django.db import connections, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from integration import events
from integration.outbox import OutboxStatus
from integration.publish import publish, publish_many
from marketplace.models import OutboxEvent
from marketplace.selectors import product_card_facts_by_id
from storefront.models import InboxEvent, ProductCard
from tests.factories import VariantFactory
from tests.storefront.test_handlers import _line, _placed

pytestmark = pytest.mark.django_db(databases="__all__")


def _publish(event):
    with transaction.atomic(using="marketplace"):
        publish(OutboxEvent, event)


def _only_subscriber(monkeypatch, event_class, name, handler):
    """Replaces every subscription with one `handler` of `event_class`."""
    subscription = events.Subscription(name, event_class, handler, "storefront.InboxEvent")
    monkeypatch.setattr(events, "_subscriptions", {(event_class.TYPE, event_class.VERSION): [subscription]})


def _published_product():
    variant = VariantFactory(price=50_000, stock_on_hand=3)
    _publish(events.ProductPublished(product=product_card_facts_by_id(variant.product_id)))
    return variant.product


@pytest.mark.django_db(databases="__all__", transaction=True)
def test_publish_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError):
        publish(OutboxEvent, events.ProductUnpublished(product_id=1))
    assert OutboxEvent.objects.count() == 0


@pytest.mark.django_db(databases="__all__", transaction=True)
def test_publish_many_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError):
        publish_many(OutboxEvent, [events.ProductUnpublished(product_id=1)])
    assert OutboxEvent.objects.count() == 0


def test_publish_many_writes_its_events_in_one_insert_in_order():
    # Given three events
    batch = [events.ProductUnpublished(product_id=n) for n in (3, 1, 2)]

    # When they are published together
    with transaction.atomic(using="marketplace"), CaptureQueriesContext(connections["marketplace"]) as queries:
        publish_many(OutboxEvent, batch)

    # Then one statement wrote them, ids in the order given
    assert [q["sql"].split()[0] for q in queries.captured_queries if "outboxevent" in q["sql"]] == ["INSERT"]
    assert [row.payload["product_id"] for row in OutboxEvent.objects.order_by("id")] == [3, 1, 2]


def test_relay_builds_the_card_from_a_published_event(relay):
    product = _published_product()

    assert relay() == 1

    card = ProductCard.objects.get(product_id=product.id)
    assert (card.title, card.price_min, card.in_stock, card.shop_name) == (
        product.title,
        50_000,
        True,
        product.shop.name,
    )
    assert OutboxEvent.objects.get().status == OutboxStatus.DELIVERED


def test_relaying_the_same_row_twice_changes_the_projection_once(relay):
    product = _published_product()
    relay()
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
    _publish(placed)
    relay()
    row = OutboxEvent.objects.get(type=events.OrderPlaced.TYPE)

    # A crash after the handler committed but before the row was marked: it comes again.
    OutboxEvent.objects.filter(id=row.id).update(status=OutboxStatus.PENDING)
    assert relay() == 1

    assert ProductCard.objects.get(product_id=product.id).sold_count == 2
    assert InboxEvent.objects.filter(event_id=row.event_id).count() == 1


def test_an_event_for_an_unknown_product_is_ignored_not_retried(relay):
    _publish(
        events.OrderPlaced(
            order_id=1,
            number="INV/1",
            buyer_id=1,
            shop_id=1,
            status="paid",
            total=1,
            currency="IDR",
            lines=(events.OrderLineFact(product_id=987654, variant_id=1, quantity=1, unit_price=1),),
        )
    )
    assert relay() == 1
    assert OutboxEvent.objects.get().status == OutboxStatus.DELIVERED
    assert not ProductCard.objects.filter(product_id=987654).exists()


@override_settings(INTEGRATION_RELAY_MAX_ATTEMPTS=2)
def test_a_failing_subscriber_is_retried_then_dead_lettered(relay, monkeypatch):
    product = _published_product()

    def broken(event):
        raise ValueError("projection store refused")

    _only_subscriber(monkeypatch, events.ProductPublished, "test.broken", broken)
    assert relay() == 0
    row = OutboxEvent.objects.get()
    assert (row.status, row.attempts) == (OutboxStatus.PENDING, 1)
    assert "projection store refused" in row.last_error
    assert row.available_at > row.occurred_at  # backed off

    OutboxEvent.objects.filter(id=row.id).update(available_at=row.occurred_at)
    relay()
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboxStatus.DEAD, 2)
    # The failed handler's transaction rolled back: nothing recorded as processed.
    assert not InboxEvent.objects.exists()
    assert not ProductCard.objects.filter(product_id=product.id).exists()


def test_payload_round_trips_through_json():
    product = _published_product()
    row = OutboxEvent.objects.get()
    event = events.decode(row.envelope())
    assert isinstance(event, events.ProductPublished)
    assert event.product.product_id == product.id
    assert event.product == product_card_facts_by_id(product.id)


def test_a_batch_of_events_records_its_inbox_rows_in_one_insert(relay):
    # Given a card and five orders of it waiting in the outbox
    product = _published_product()
    relay()
    with transaction.atomic(using="marketplace"):
        publish_many(OutboxEvent, [_placed(_line(product.id, n), order_id=n) for n in range(1, 6)])

    # When the relay delivers them
    with CaptureQueriesContext(connections["storefront"]) as queries:
        assert relay() == 5

    # Then one statement wrote the five inbox rows, and every order counted once
    inbox_inserts = [q for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "storefront_inboxevent"')]
    assert len(inbox_inserts) == 1
    assert InboxEvent.objects.filter(handler="storefront.card.sold").count() == 5
    assert ProductCard.objects.get(product_id=product.id).sold_count == 1 + 2 + 3 + 4 + 5


def test_a_batch_skips_the_events_its_subscriber_already_handled(relay):
    # Given two orders relayed, then a crash before their rows were marked, and a third order
    product = _published_product()
    relay()
    with transaction.atomic(using="marketplace"):
        publish_many(
            OutboxEvent, [_placed(_line(product.id, 1), order_id=1), _placed(_line(product.id, 2), order_id=2)]
        )
    relay()
    OutboxEvent.objects.filter(type=events.OrderPlaced.TYPE).update(status=OutboxStatus.PENDING)
    _publish(_placed(_line(product.id, 4), order_id=3))

    # When the three come in one batch
    assert relay() == 3

    # Then only the new one moved the count
    assert ProductCard.objects.get(product_id=product.id).sold_count == 1 + 2 + 4
    assert InboxEvent.objects.filter(handler="storefront.card.sold").count() == 3


def test_one_failing_event_does_not_hold_back_the_rest_of_its_batch(relay, monkeypatch):
    # Given three orders, the second of which the subscriber cannot handle
    product = _published_product()
    relay()

    def picky(event):
        if event.order_id == 2:
            raise ValueError("order 2 refused")

    _only_subscriber(monkeypatch, events.OrderPlaced, "test.picky", picky)
    with transaction.atomic(using="marketplace"):
        publish_many(OutboxEvent, [_placed(_line(product.id, 1), order_id=n) for n in (1, 2, 3)])

    # When the relay delivers the batch
    assert relay() == 2

    # Then the batch fell back to one event at a time: two delivered, the refused one waits for a retry
    rows = {row.payload["order_id"]: row for row in OutboxEvent.objects.filter(type=events.OrderPlaced.TYPE)}
    assert [rows[n].status for n in (1, 2, 3)] == [OutboxStatus.DELIVERED, OutboxStatus.PENDING, OutboxStatus.DELIVERED]
    assert (rows[2].attempts, "order 2 refused" in rows[2].last_error) == (1, True)
    handled = set(InboxEvent.objects.filter(handler="test.picky").values_list("event_id", flat=True))
    assert handled == {rows[1].event_id, rows[3].event_id}


def _outbox_row(event_type, version, payload):
    with transaction.atomic(using="marketplace"):
        return OutboxEvent.objects.create(type=event_type, version=version, payload=payload)


@override_settings(INTEGRATION_RELAY_MAX_ATTEMPTS=2)
def test_an_unknown_event_version_is_refused_retried_then_dead_lettered(relay):
    # Given a v99 of a known event type, which no subscriber here can read
    row = _outbox_row("marketplace.order.delivered", 99, {"order_id": 1, "buyer_id": 2, "shop_id": 3})

    # When it is relayed twice (the second time after its backoff)
    assert relay() == 0
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboxStatus.PENDING, 1)
    assert "unknown event marketplace.order.delivered v99" in row.last_error
    OutboxEvent.objects.filter(id=row.id).update(available_at=row.occurred_at)
    relay()

    # Then it is dead, and no subscriber recorded it
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboxStatus.DEAD, 2)
    assert not InboxEvent.objects.exists()


def test_an_ill_typed_payload_is_refused_before_any_subscriber_sees_it(relay, monkeypatch):
    seen = []
    _only_subscriber(monkeypatch, events.StockChanged, "test.seen", seen.append)
    row = _outbox_row("marketplace.stock.changed", 1, {"product_id": "7", "in_stock": True})

    assert relay() == 0

    row.refresh_from_db()
    assert (row.status, row.attempts, seen) == (OutboxStatus.PENDING, 1, [])
    assert "Expected `int`, got `str` at product_id" in row.last_error


def test_one_refused_event_holds_back_no_other_in_its_batch(relay, monkeypatch):
    seen = []
    _only_subscriber(monkeypatch, events.StockChanged, "test.seen", seen.append)
    bad = _outbox_row("marketplace.stock.changed", 2, {"product_id": 7, "in_stock": True})
    good = _outbox_row("marketplace.stock.changed", 1, {"product_id": 8, "in_stock": False})

    assert relay() == 1

    assert seen == [events.StockChanged(product_id=8, in_stock=False)]
    assert OutboxEvent.objects.get(id=good.id).status == OutboxStatus.DELIVERED
    assert OutboxEvent.objects.get(id=bad.id).status == OutboxStatus.PENDING
