"""The admin's integration page: platform staff only; health, outboxes with their dead letters
and replay, the port's last hour, and each purchase followed from its request to its handlers."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.db import connections, transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from config.roles import CREATORS, SELLERS
from integration import contracts, events
from integration.dashboard import recent_purchases
from integration.http import HttpPort
from integration.outbox import OutboxStatus
from integration.publish import publish
from integration.transport import marketplace
from marketplace.models import Order, OutboxEvent
from tests.admin_world import staff_user
from tests.factories import ADDRESS_VALUES, ShopFactory, UserFactory, VariantFactory
from tests.integration.processes import free_port
from tests.queries import count_queries

pytestmark = pytest.mark.django_db(databases="__all__")
PAGE = "/admin/integration/"


@pytest.fixture
def operator():
    return UserFactory(username="operator", is_staff=True, is_superuser=True)


def _buy(client, *variants):
    """One checkout of one unit of each variant (cash on delivery); its request id."""
    for variant in variants:
        client.post(reverse("storefront:cart_add"), {"variant_id": variant.id, "quantity": 1})
    form = client.get(reverse("storefront:checkout"))
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', form.content.decode()).group(1)
    placed = client.post(
        reverse("storefront:checkout"), {**ADDRESS_VALUES, "payment_method": "cod", "idempotency_key": key}
    )
    assert placed.status_code == 302
    return placed["X-Request-ID"]


def _shopper(client, name):
    client.force_login(UserFactory(username=name))


def test_sellers_and_creators_are_refused_and_anonymous_visitors_sent_to_sign_in(client):
    for name, role in (("penjual", SELLERS), ("kreator", CREATORS)):
        client.force_login(staff_user(name, role))
        assert client.get(PAGE).status_code == 403
        assert client.post(PAGE, {"outbox": "marketplace.OutboxEvent", "ids": ["1"]}).status_code == 403
        assert "integration-link" not in client.get("/admin/").content.decode()
    client.logout()
    anonymous = client.get(PAGE)
    assert anonymous.status_code == 302 and anonymous.url.startswith("/admin/login/")
    client.force_login(UserFactory(username="pembeli"))
    assert client.get(PAGE).status_code == 302


def test_staff_who_may_view_the_outbox_see_the_page_but_replay_needs_the_change_permission(client):
    viewer = UserFactory(username="pengamat", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_outboxevent"))
    client.force_login(viewer)

    assert client.get(PAGE).status_code == 200
    assert "integration-link" in client.get("/admin/").content.decode()
    assert client.post(PAGE, {"outbox": "marketplace.OutboxEvent", "ids": ["1"]}).status_code == 403


def test_the_page_is_linked_from_the_admin_index_for_platform_staff(client, operator):
    client.force_login(operator)

    index = client.get("/admin/").content.decode()

    assert 'id="integration-link"' in index and f'href="{PAGE}"' in index


def test_health_shows_both_sides_ready(client, operator):
    client.force_login(operator)

    page = client.get(PAGE)

    health = page.content.decode().split('id="health"')[1].split("</ul>")[0]
    assert page.status_code == 200
    assert "Storefront: ready" in health and "Marketplace: ready" in health
    assert "<code>database:marketplace</code> ok" in health and "<code>database:storefront</code> ok" in health


def test_a_purchase_is_followed_from_its_request_to_its_orders_events_and_handlers(client, operator, relay):
    # Given a purchase from two shops, relayed to the storefront's handlers
    first, second = VariantFactory(stock_on_hand=3), VariantFactory(stock_on_hand=3)
    _shopper(client, "ayu")
    request_id = _buy(client, first, second)
    orders = list(Order.objects.order_by("id"))
    relay()

    # When an operator opens the page
    client.force_login(operator)
    page = client.get(PAGE)
    purchases = page.context["purchases"]

    # Then the purchase is there under its request id, with both orders and every event it published
    assert [p.request_id for p in purchases] == [request_id]
    (purchase,) = purchases
    assert [(o.order_id, o.number, o.total) for o in purchase.orders] == [(o.id, o.number, o.total) for o in orders]
    published = OutboxEvent.objects.filter(request_id=request_id).order_by("id")
    assert [(e.id, e.type, e.status) for e in purchase.events] == [
        (e.id, e.type, OutboxStatus.DELIVERED) for e in published
    ]
    placed = [e for e in purchase.events if e.type == events.OrderPlaced.TYPE]
    assert len(placed) == 2
    # ...each handled by every subscriber of its type, as the inbox records
    expected = [s.name for s in events.subscriptions_for(events.OrderPlaced.TYPE, 1)]
    assert (
        expected
        and [[(h.handler, h.state) for h in e.handlers] for e in placed]
        == [[(name, "handled") for name in expected]] * 2
    )
    assert all(h.processed_at is not None for e in purchase.events for h in e.handlers)
    body = page.content.decode()
    assert request_id in body and orders[0].number in body
    assert reverse("admin:marketplace_order_change", args=[orders[1].id]) in body


def test_a_failing_handler_shows_as_failed_with_its_error_until_it_is_handled(client, operator, relay, monkeypatch):
    variant = VariantFactory(stock_on_hand=3)
    _shopper(client, "budi")
    request_id = _buy(client, variant)

    def broken(event):
        raise RuntimeError("sold counts unreachable")

    subscription = events.Subscription("test.broken", events.OrderPlaced, broken, "storefront.InboxEvent")
    monkeypatch.setattr(events, "_subscriptions", {(events.OrderPlaced.TYPE, 1): [subscription]})
    relay()
    client.force_login(operator)

    (purchase,) = client.get(PAGE).context["purchases"]

    assert purchase.request_id == request_id
    placed = next(e for e in purchase.events if e.type == events.OrderPlaced.TYPE)
    assert (placed.status, placed.attempts, [(h.handler, h.state) for h in placed.handlers]) == (
        OutboxStatus.PENDING,
        1,
        [("test.broken", "failed")],
    )
    assert "sold counts unreachable" in placed.last_error


def _dead_event(product_id):
    with transaction.atomic(using="marketplace"):
        publish(OutboxEvent, events.ProductUnpublished(product_id=product_id))
    row = OutboxEvent.objects.order_by("-id").first()
    OutboxEvent.objects.filter(id=row.id).update(status=OutboxStatus.DEAD, attempts=8, last_error="boom")
    return row.id


def test_outbox_figures_and_dead_letters_and_their_replay(client, operator):
    dead = [_dead_event(1), _dead_event(2)]
    with transaction.atomic(using="marketplace"):
        publish(OutboxEvent, events.ProductUnpublished(product_id=3))
    client.force_login(operator)

    page = client.get(PAGE)
    (outbox,) = page.context["outboxes"]
    assert (outbox["report"].state.pending, outbox["report"].state.dead) == (1, 2)
    assert [d.id for d in outbox["report"].dead_letters] == dead[::-1]
    assert "Replay the selected events" in page.content.decode()

    replayed = client.post(PAGE, {"outbox": "marketplace.OutboxEvent", "ids": [str(dead[0])]}, follow=True)

    assert replayed.redirect_chain == [(PAGE, 302)]
    assert "1 event queued for delivery again." in replayed.content.decode()
    assert list(OutboxEvent.objects.filter(id__in=dead).order_by("id").values_list("status", "attempts")) == [
        (OutboxStatus.PENDING, 0),
        (OutboxStatus.DEAD, 8),
    ]
    (outbox,) = replayed.context["outboxes"]
    assert (outbox["report"].state.pending, outbox["report"].state.dead) == (2, 1)


def test_replaying_an_outbox_that_is_not_configured_is_refused(client, operator):
    client.force_login(operator)

    assert client.post(PAGE, {"outbox": "storefront.InboxEvent", "ids": ["1"]}).status_code == 403


def test_port_calls_of_the_last_hour_with_their_error_rate(client, operator):
    port = marketplace()
    down = HttpPort(contracts.MarketplacePort, base_url=f"http://127.0.0.1:{free_port()}/v1/", token="t", retries=0)
    now = timezone.now()
    with time_machine.travel(now - timedelta(minutes=75), tick=False):
        port.get_cart(1)  # over an hour ago: not shown
    with time_machine.travel(now - timedelta(minutes=20), tick=False):
        port.get_cart(1)
        port.get_cart(2)
        with pytest.raises(contracts.Unavailable):
            down.get_cart(1)
    with time_machine.travel(now, tick=False):
        port.get_cart(3)
        with pytest.raises(contracts.NotFound):  # the port's own answer, not an error
            port.get_order(buyer_id=3, order_id=999_999)
        client.force_login(operator)
        page = client.get(PAGE)

    traffic = page.context["traffic"]
    assert (traffic["calls"], traffic["errors"], traffic["error_rate"], traffic["per_minute"]) == (5, 1, 20.0, 0.1)
    by_minute = [(m.calls, m.errors) for m in traffic["minutes"]]
    assert len(by_minute) == 60
    assert by_minute[0] == (2, 0) and by_minute[20] == (3, 1) and sum(c for c, _e in by_minute) == 5
    assert '<span class="integration-value" id="port-error-rate">20.0 %</span>' in page.content.decode()


def test_the_last_purchases_are_the_newest_requests_however_many_orders_each_placed(client):
    shop = ShopFactory()
    request_ids = []
    for n in range(3):
        _shopper(client, f"langganan{n}")
        request_ids.append(_buy(client, VariantFactory(product__shop=shop), VariantFactory()))

    purchases = recent_purchases(limit=2)

    assert [p.request_id for p in purchases] == request_ids[:0:-1]
    assert [len(p.orders) for p in purchases] == [2, 2]


def _purchases(client, count):
    shop = ShopFactory()
    for n in range(count):
        _shopper(client, f"pembeli{n}")
        # every other purchase from two shops: more orders and events per purchase
        variants = [VariantFactory(stock_on_hand=5, product__shop=shop)]
        if n % 2:
            variants.append(VariantFactory(stock_on_hand=5))
        _buy(client, *variants)


@override_settings(INTEGRATION_TRANSPORT="inprocess")
def test_the_page_runs_the_same_queries_whatever_the_number_of_purchases_and_events(client, operator, relay):
    def queries_with(purchases):
        _purchases(client, purchases)
        relay()
        _dead_event(purchases)
        client.force_login(operator)
        client.get(PAGE)  # the session and the user are cached after the first page
        with count_queries() as queries:
            page = client.get(PAGE)
        assert page.status_code == 200
        return queries, page.context

    few, few_context = queries_with(1)
    many, many_context = queries_with(4)

    assert len(few_context["purchases"]) == 1 and len(many_context["purchases"]) == 5
    assert sum(len(p.events) for p in many_context["purchases"]) > 3 * sum(
        len(p.events) for p in few_context["purchases"]
    )
    assert len(many) == len(few), f"{few!r}\n---\n{many!r}"


def _table_gone(alias, table):
    """Makes `table` unreadable for the rest of the test (rolled back with it)."""
    with connections[alias].cursor() as cursor:
        cursor.execute(f"ALTER TABLE {table} RENAME TO {table}_away")


def test_an_unreadable_inbox_leaves_the_rest_of_the_page_standing(client, operator):
    _shopper(client, "citra")
    _buy(client, VariantFactory(stock_on_hand=2))
    client.force_login(operator)
    _table_gone("storefront", "storefront_inboxevent")

    page = client.get(PAGE)

    assert page.status_code == 200
    assert page.context["purchases"] == [] and page.context["purchases_error"]
    assert 'id="purchases-error"' in page.content.decode()
    (outbox,) = page.context["outboxes"]
    assert outbox["report"].state.pending == 2


def test_a_deployable_serving_the_marketplace_alone_never_reads_the_storefronts_inbox(client, operator, relay):
    _shopper(client, "dewi")
    request_id = _buy(client, VariantFactory(stock_on_hand=2))
    relay()
    client.force_login(operator)

    with override_settings(JALIN_CONTEXTS=["marketplace"]), count_queries() as queries:
        page = client.get(PAGE)

    (purchase,) = page.context["purchases"]
    assert purchase.request_id == request_id
    # Delivered: the storefront answered that its handlers took them
    assert {h.state for e in purchase.events for h in e.handlers} == {"handled"}
    assert all(h.processed_at is None for e in purchase.events for h in e.handlers)
    assert [alias for alias, _sql in queries.statements() if alias == "storefront"] == []


def test_a_deployable_serving_the_storefront_alone_shows_no_outbox_and_replays_none(client, operator):
    dead = _dead_event(5)
    client.force_login(operator)

    with override_settings(JALIN_CONTEXTS=["storefront"]), count_queries() as queries:
        page = client.get(PAGE)
    with override_settings(JALIN_CONTEXTS=["storefront"]):
        replay = client.post(PAGE, {"outbox": "marketplace.OutboxEvent", "ids": [str(dead)]})

    assert (page.context["outboxes"], page.context["purchases"]) == ([], [])
    assert [alias for alias, _sql in queries.statements() if alias == "marketplace"] == []
    assert replay.status_code == 403
    assert OutboxEvent.objects.get(id=dead).status == OutboxStatus.DEAD
