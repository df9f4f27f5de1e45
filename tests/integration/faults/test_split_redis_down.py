"""Redis stops on the marketplace's side while shoppers check out, with the two sides
deployed apart: every committed order's events cross to the storefront afterwards, once."""

import pytest

from integration.outbox import OutboxStatus
from marketplace.models import Order, OutboxEvent
from storefront.models import InboxEvent, ProductCard
from tests.factories import VariantFactory
from tests.integration.faults.test_redis_down import _check_out, broker  # noqa: F401 (fixture)
from tests.integration.processes import wait_for
from tests.integration.test_split_deployables import split  # noqa: F401 (fixture)

pytestmark = [pytest.mark.worker, pytest.mark.django_db(databases="__all__", transaction=True)]
SHOPPERS = 24


@pytest.fixture
def marketplace_redis_url(broker):  # noqa: F811
    return broker.url


def test_orders_placed_while_the_marketplaces_redis_is_down_reach_the_storefront_once(
    broker,  # noqa: F811
    split,  # noqa: F811
    port,
    rebuild_cards,
):
    variant = VariantFactory(stock_on_hand=SHOPPERS)
    rebuild_cards()
    third = SHOPPERS // 3
    placed = [_check_out(port, buyer, variant.id) for buyer in range(1, third + 1)]
    broker.stop()
    during = [_check_out(port, buyer, variant.id) for buyer in range(third + 1, 2 * third + 1)]
    held_back = (
        OutboxEvent.objects.filter(
            type="marketplace.order.placed", payload__order_id__in=[r.orders[0].id for r in during]
        )
        .exclude(status=OutboxStatus.DELIVERED)
        .count()
    )
    broker.start()
    placed += during + [_check_out(port, buyer, variant.id) for buyer in range(2 * third + 1, SHOPPERS + 1)]

    sold = OutboxEvent.objects.filter(type="marketplace.order.placed", status=OutboxStatus.DELIVERED)
    assert wait_for(lambda: sold.count() == SHOPPERS, timeout=120)
    # The outage did happen: the orders placed meanwhile were taken, their events held back
    assert (len(during), held_back) == (third, third)
    assert sorted(r.orders[0].id for r in placed) == sorted(Order.objects.values_list("id", flat=True))
    assert InboxEvent.objects.filter(handler="storefront.card.sold").count() == SHOPPERS
    assert ProductCard.objects.get(product_id=variant.product_id).sold_count == SHOPPERS
