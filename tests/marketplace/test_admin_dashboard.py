"""The admin index: a seller's orders to ship, low stock and 30 days of sales; a creator's views."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from marketplace.models import Order, OrderStatus, Shop, Variant
from storefront.models import Creator, Post
from tests.admin_world import FAST_HASHERS, build_world
from tests.factories import OrderFactory, PostFactory

pytestmark = pytest.mark.django_db(databases=["default", "storefront", "marketplace"])


@pytest.fixture
def world(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    return build_world()


def _bars(page: str, panel: str) -> list[str]:
    """The tooltip of each bar of a panel's chart, e.g. '2026-11-28: 140.000'."""
    section = page.split(f'id="{panel}"')[1].split("</svg>")[0]
    return re.findall(r"<rect [^>]*><title>([^<]*)</title>", section)


def test_a_seller_sees_orders_to_ship_low_stock_and_daily_sales(client, world):
    # Given seller A: the world's paid order placed today, a completed one 3 days ago,
    # a cancelled one today (not a sale), and a variant down to 2 available
    seller = world["seller_a"]
    shop = Shop.objects.get(owner_user_id=seller.pk)
    earlier = OrderFactory(shop=shop, status=OrderStatus.COMPLETED, subtotal=60_000)
    Order.objects.filter(pk=earlier.pk).update(placed_at=timezone.now() - timedelta(days=3))
    OrderFactory(shop=shop, status=OrderStatus.CANCELLED, subtotal=999_000)
    variant = Variant.objects.get(product__shop=shop)
    Variant.objects.filter(pk=variant.pk).update(stock_on_hand=5, stock_reserved=3)
    to_ship = Order.objects.get(shop=shop, status=OrderStatus.PAID)
    client.force_login(seller)

    page = client.get(reverse("admin:index")).content.decode()

    assert to_ship.number in page and earlier.number not in page
    assert f"{variant.sku}</a></td><td>Produk penjual-a — M</td><td>2</td>" in page
    bars = _bars(page, "seller-dashboard")
    today = timezone.localdate()
    assert len(bars) == 30
    assert bars[-1] == f"{today.isoformat()}: 140.000"
    assert bars[-4] == f"{(today - timedelta(days=3)).isoformat()}: 75.000"
    assert sum(not bar.endswith(": 0") for bar in bars) == 2
    assert "Sales, last 30 days: Rp 215.000" in page
    assert "rahasia" not in page.lower()
    assert 'id="creator-dashboard"' not in page


def test_a_creator_sees_views_of_their_posts_by_day(client, world):
    creator = Creator.objects.get(user_id=world["creator_a"].pk)
    Post.objects.filter(creator=creator).update(view_count=120)
    PostFactory(creator=creator, view_count=30, published_at=timezone.now() - timedelta(days=1))
    client.force_login(world["creator_a"])

    page = client.get(reverse("admin:index")).content.decode()

    bars = _bars(page, "creator-dashboard")
    today = timezone.localdate()
    assert bars[-2:] == [f"{(today - timedelta(days=1)).isoformat()}: 30", f"{today.isoformat()}: 120"]
    assert "2 posts, 150 views" in page
    assert 'id="seller-dashboard"' not in page


def test_the_dashboard_takes_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    seller = world["seller_a"]
    shop = Shop.objects.get(owner_user_id=seller.pk)
    for _ in range(5):
        OrderFactory(shop=shop)
    client.force_login(seller)

    with django_assert_max_num_queries(20):
        client.get(reverse("admin:index"))
