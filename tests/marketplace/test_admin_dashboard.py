"""The admin index: a seller's orders to ship, low stock and 30 days of sales; a creator's views."""

import re
from datetime import timedelta

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from marketplace.models import Commission, Order, OrderStatus, Shop, Variant
from storefront.models import Creator, Post
from tests.admin_world import build_world
from tests.factories import OrderFactory, OrderLineFactory, PostFactory, VariantFactory

DATABASES = ["default", "storefront", "marketplace"]
pytestmark = pytest.mark.django_db(databases=DATABASES)
# Queries the admin index costs per database: the session and user with their permissions in
# `default`; the creator's totals and chart in `storefront`; the seller's panel in `marketplace`.
BUDGET = {
    "seller_a": {"default": 4, "storefront": 1, "marketplace": 9},
    "creator_a": {"default": 4, "storefront": 7, "marketplace": 1},
}


@pytest.fixture
def world(settings):
    settings.LANGUAGE_CODE = "en"  # messages are asserted by their English msgids
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


def _queries_per_database(client, url) -> dict[str, int]:
    contexts = {alias: CaptureQueriesContext(connections[alias]) for alias in DATABASES}
    with contexts["default"], contexts["storefront"], contexts["marketplace"]:
        assert client.get(url).status_code == 200
    return {alias: len(context.captured_queries) for alias, context in contexts.items()}


def _grow(world):
    """More of everything a dashboard lists or sums, for both parties A."""
    shop = Shop.objects.get(owner_user_id=world["seller_a"].pk)
    for _ in range(5):
        OrderLineFactory(order__shop=shop, attribution_source="post", creator_id=1, post_id=1)
    for _ in range(3):
        VariantFactory(product__shop=shop, stock_on_hand=1)
    creator = Creator.objects.get(user_id=world["creator_a"].pk)
    for _ in range(4):
        PostFactory(creator=creator, view_count=10)


@pytest.mark.parametrize("actor", ["seller_a", "creator_a"])
def test_the_dashboard_takes_a_fixed_number_of_queries_on_each_database(client, world, actor):
    # Given party A signed in, with the index page warmed up (sessions, content types)
    client.force_login(world[actor])
    url = reverse("admin:index")
    client.get(url)

    # When the index is drawn before and after A's shop or posts grow
    before = _queries_per_database(client, url)
    _grow(world)
    after = _queries_per_database(client, url)

    # Then each database answers the same number of queries, within a small budget
    assert after == before
    assert before == BUDGET[actor]


def test_a_seller_sees_sales_through_creators_and_the_commission_owed(client, world):
    # Given seller A's sale of Rp 100.000 through a post, with Rp 5.000 commission earned
    # and one of Rp 2.000 reversed (not owed)
    shop = Shop.objects.get(owner_user_id=world["seller_a"].pk)
    line = OrderLineFactory(order__shop=shop, unit_price=50_000, quantity=2, attribution_source="post", post_id=7)
    reversed_line = OrderLineFactory(order__shop=shop, unit_price=1, quantity=1)
    for order_line, amount, status in ((line, 5_000, "earned"), (reversed_line, 2_000, "reversed")):
        Commission.objects.create(
            order_line=order_line,
            order=order_line.order,
            shop=shop,
            product_id=order_line.product_id,
            source="post",
            rate_bp=500,
            sale_amount=100_000,
            amount=amount,
            status=status,
        )
    client.force_login(world["seller_a"])

    page = client.get(reverse("admin:index")).content.decode()

    table = page.split('id="attributed-sales"')[1].split("</table>")[0]
    assert "<td>Toko penjual-a</td><td>Rp 100.000</td><td>Rp 5.000</td>" in table


def test_a_creator_sees_their_orders_sales_and_commission(client, world):
    Creator.objects.filter(user_id=world["creator_a"].pk).update(
        attributed_orders=3, attributed_sales=450_000, commission_earned=22_500
    )
    client.force_login(world["creator_a"])

    page = client.get(reverse("admin:index")).content.decode()

    earnings = page.split('id="creator-earnings">')[1].split("</p>")[0]
    assert earnings == ("3 orders through your posts and showcase: Rp 450.000 in sales, Rp 22.500 commission earned.")


def test_the_centre_carries_jalin_s_name_summary_cards_and_a_chart_with_labelled_axes(client, world):
    seller = world["seller_a"]
    client.force_login(seller)

    page = client.get(reverse("admin:index")).content.decode()

    assert "<title>Dashboard | Jalin Seller &amp; Creator Centre</title>" in page
    assert "Django administration" not in page
    card = re.search(r'id="card-to-ship"><span class="centre-card-value">([^<]*)</span>', page)
    assert card and card.group(1) == "1"  # the world's one paid order
    today = re.search(r'id="card-today"><span class="centre-card-value">([^<]*)</span>', page)
    assert today and today.group(1) == "Rp 140.000"
    section = page.split('id="seller-dashboard"')[1]
    chart = section.split("</svg>")[0]
    # The highest day is 140.000: the value axis rounds up to 200.000 and marks its half.
    assert re.findall(r'class="label">([\d.]+)</text>', chart) == ["0", "100.000", "200.000"]
    day_labels = re.findall(r'class="label">(\d+ \w+)</text>', chart)
    assert len(day_labels) == 3 and day_labels[-1] == f"{timezone.localdate().day} {timezone.localdate():%b}"
    figures = section.split("<details>")[1].split("</details>")[0]
    assert figures.count("<tr><td>") == 30
    assert f"<tr><td>{timezone.localdate().day} {timezone.localdate():%b %Y}</td><td>140.000</td></tr>" in figures
