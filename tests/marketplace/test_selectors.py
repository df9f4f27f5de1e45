from datetime import timedelta

import pytest
from django.utils import timezone

from integration import contracts
from marketplace import selectors, services
from marketplace.models import Order
from tests.factories import ShopFactory, VariantFactory
from tests.marketplace.conftest import place
from tests.queries import count_queries

pytestmark = pytest.mark.django_db(databases=["default", "marketplace"])
OWNER, BUYER = 1101, 1201


def _completed(variant, quantity=1, attribution=None):
    extra = {"attributions": (attribution,)} if attribution else {}
    (order,) = place(BUYER, (variant, quantity), method="cod", **extra)
    services.order_pack(order_id=order.id)
    services.order_ship(order_id=order.id, courier="jne-reg", tracking_number="T1")
    services.order_deliver(order_id=order.id)
    services.order_complete(order_id=order.id)
    return order


def test_seller_selectors_see_only_the_owners_shops():
    mine = VariantFactory(product__shop__owner_user_id=OWNER, stock_on_hand=3, price=100_000)
    theirs = VariantFactory(stock_on_hand=1)
    (pending,) = place(BUYER, (mine, 1))
    place(BUYER + 1, (theirs, 1))

    assert list(selectors.shops_for_owner(OWNER)) == [mine.product.shop]
    assert [o.id for o in selectors.orders_for_seller(OWNER)] == [pending.id]
    assert list(selectors.orders_for_seller(OWNER, status="paid")) == []
    assert [(v.id, v.available) for v in selectors.low_stock_variants(OWNER, threshold=2)] == [(mine.id, 2)]


def test_daily_sales_cover_30_days_with_zeros():
    variant = VariantFactory(product__shop__owner_user_id=OWNER, price=100_000)
    place(BUYER, (variant, 2), method="cod")
    (old,) = place(BUYER, (variant, 1), method="cod")
    Order.objects.filter(id=old.id).update(placed_at=timezone.now() - timedelta(days=2))
    place(BUYER, (variant, 1))  # awaiting payment: not a sale

    days = selectors.daily_sales(OWNER)

    today = timezone.localdate()
    assert len(days) == 30 and days[0][0] == today - timedelta(days=29)
    assert days[-1] == (today, 1, 215_000)
    assert days[-3] == (today - timedelta(days=2), 1, 115_000)
    assert sum(n for _, n, _ in days) == 2


def test_attributed_sales_and_commission_owed_per_shop():
    variant = VariantFactory(product__shop__owner_user_id=OWNER, price=200_000, product__commission_bp=500)
    empty_shop = ShopFactory(owner_user_id=OWNER)
    attribution = contracts.Attribution(product_id=variant.product_id, source="post", creator_id=5, post_id=6)
    _completed(variant, 2, attribution)
    _completed(variant, 1)  # not attributed

    rows = selectors.attributed_sales(OWNER)

    assert rows == [
        {
            "shop_id": variant.product.shop_id,
            "shop_name": variant.product.shop.name,
            "sales": 400_000,
            "commission_owed": 20_000,
        },
        {"shop_id": empty_shop.id, "shop_name": empty_shop.name, "sales": 0, "commission_owed": 0},
    ]


def _order_list_queries(port, expected: int) -> int:
    with count_queries() as queries:
        orders = port.list_orders(BUYER)
    assert len(orders) == expected and all(len(o.timeline) == 1 for o in orders)
    return len(queries)


def test_order_queries_run_a_constant_number_of_queries(port):
    # Given a buyer with 2 orders, then 6
    for _ in range(2):
        place(BUYER, (VariantFactory(), 1))
    two = _order_list_queries(port, 2)
    for _ in range(4):
        place(BUYER, (VariantFactory(), 1))
    six = _order_list_queries(port, 6)

    # Then the list takes the same queries, on every database, however many orders there are
    assert two == six == 4


def _preview_queries(expected_shops: int) -> int:
    with count_queries() as queries:
        preview = services.checkout_preview(buyer_id=BUYER, province="Bali")
    assert len(preview.shop_totals) == expected_shops
    assert len(preview.shipping_options) == 4 * expected_shops  # four couriers per shop
    return len(queries)


def test_the_checkout_preview_runs_a_constant_number_of_queries():
    # Given past orders (other shops' orders do not matter) and a cart of 2 shops' items, then 6
    for _ in range(3):
        place(BUYER, (VariantFactory(), 1))
    for _ in range(2):
        services.cart_add_item(buyer_id=BUYER, variant_id=VariantFactory().id, quantity=1)
    two = _preview_queries(2)
    for _ in range(4):
        services.cart_add_item(buyer_id=BUYER, variant_id=VariantFactory().id, quantity=1)
    six = _preview_queries(6)

    # Then the preview takes the same queries, across every database: the cart with its
    # variants and shops, the couriers, and the running free-shipping campaigns' shops
    assert two == six == 3
