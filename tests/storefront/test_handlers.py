"""Marketplace events keep the storefront's read model and creator statistics fresh.

Each test publishes exactly as the marketplace does (an outbox row written inside a
marketplace transaction) and relays it, so nothing here depends on marketplace internals.
"""

import dataclasses

import pytest
from django.db import transaction

from integration import events
from integration.outbox import OutboxStatus
from integration.publish import publish
from marketplace.models import OutboxEvent
from storefront.models import InboxEvent, Post, ProductCard
from storefront.ranking import post_score
from tests.factories import CampaignFactory, CreatorFactory, PostFactory, ProductCardFactory

pytestmark = pytest.mark.django_db(databases=["default", "storefront", "marketplace"])

SUMMARY = events.ProductCardFacts(
    product_id=501,
    shop_id=9,
    shop_name="Toko Kopi Gayo",
    shop_slug="kopi-gayo",
    shop_city="Takengon",
    shop_province="Aceh",
    is_local_business=True,
    title="Kopi Gayo 250 g",
    image_url="/static/img/product-1.svg",
    category_id=3,
    category_name="Kopi",
    price_min=65_000,
    price_max=80_000,
    currency="IDR",
    in_stock=True,
    rating=0,
    review_count=0,
    sold_count=4,
    commission_bp=700,
    status="active",
)


def _publish(*items):
    with transaction.atomic(using="marketplace"):
        for event in items:
            publish(OutboxEvent, event)


def _line(product_id=501, quantity=2, unit_price=65_000, **origin):
    return events.OrderLineFact(product_id=product_id, variant_id=1, quantity=quantity, unit_price=unit_price, **origin)


def _placed(*lines, order_id=1):
    return events.OrderPlaced(
        order_id=order_id,
        number=f"INV/{order_id}",
        buyer_id=5,
        shop_id=9,
        status="pending_payment",
        total=sum(line.quantity * line.unit_price for line in lines),
        currency="IDR",
        lines=lines,
    )


def _paid(*lines, order_id=1):
    return events.OrderPaid(
        order_id=order_id,
        number=f"INV/{order_id}",
        buyer_id=5,
        shop_id=9,
        total=sum(line.quantity * line.unit_price for line in lines),
        currency="IDR",
        lines=lines,
    )


def _commission(cls, creator_id, amount, commission_id=1):
    return cls(
        commission_id=commission_id,
        order_id=1,
        order_line_id=1,
        product_id=501,
        creator_id=creator_id,
        post_id=None,
        campaign_id=None,
        source="showcase",
        sale_amount=130_000,
        amount=amount,
    )


def _card():
    return ProductCard.objects.get(product_id=501)


def test_product_published_creates_the_card(relay):
    _publish(events.ProductPublished(product=SUMMARY))

    assert relay() == 1

    card = _card()
    assert (card.title, card.shop_name, card.shop_city, card.price_min, card.price_max) == (
        "Kopi Gayo 250 g",
        "Toko Kopi Gayo",
        "Takengon",
        65_000,
        80_000,
    )
    assert (card.is_local_business, card.in_stock, card.sold_count, card.commission_bp, card.is_visible) == (
        True,
        True,
        4,
        700,
        True,
    )


def test_product_updated_refreshes_the_card_and_creates_an_unknown_one(relay):
    # An update that arrives before (or without) its published event creates the card.
    _publish(
        events.ProductUpdated(
            product=dataclasses.replace(SUMMARY, title="Kopi Gayo 500 g", price_min=120_000, price_max=120_000)
        )
    )
    relay()
    assert (_card().title, _card().price_min) == ("Kopi Gayo 500 g", 120_000)

    _publish(events.ProductUpdated(product=dataclasses.replace(SUMMARY, status="archived")))
    relay()
    assert (_card().title, _card().is_visible) == ("Kopi Gayo 250 g", False)


def test_product_unpublished_hides_the_card(relay):
    ProductCardFactory(product_id=501)
    _publish(events.ProductUnpublished(product_id=501))

    relay()

    assert _card().is_visible is False


def test_stock_crossing_flips_the_in_stock_flag(relay):
    ProductCardFactory(product_id=501, in_stock=True)

    _publish(events.StockChanged(product_id=501, in_stock=False))
    relay()
    assert _card().in_stock is False

    _publish(events.StockChanged(product_id=501, in_stock=True))
    relay()
    assert _card().in_stock is True


def test_placed_orders_add_to_sold_counts_and_cancelled_or_expired_ones_take_back(relay):
    ProductCardFactory(product_id=501, sold_count=10)
    ProductCardFactory(product_id=502, sold_count=1)

    _publish(_placed(_line(501, 2), _line(502, 1), _line(501, 1), order_id=1), _placed(_line(501, 4), order_id=2))
    relay()
    assert [c.sold_count for c in ProductCard.objects.order_by("product_id")] == [17, 2]

    _publish(
        events.OrderCancelled(
            order_id=1, buyer_id=5, shop_id=9, reason="buyer", refunded=False, lines=(_line(501, 3), _line(502, 1))
        ),
        events.OrderExpired(order_id=2, buyer_id=5, shop_id=9, lines=(_line(501, 4),)),
    )
    relay()
    assert [c.sold_count for c in ProductCard.objects.order_by("product_id")] == [10, 1]


def test_a_sold_count_never_goes_below_zero(relay):
    ProductCardFactory(product_id=501, sold_count=1)

    _publish(events.OrderExpired(order_id=2, buyer_id=5, shop_id=9, lines=(_line(501, 3),)))
    relay()

    assert _card().sold_count == 0


def test_a_review_sets_the_rating_aggregates(relay):
    ProductCardFactory(product_id=501)

    _publish(
        events.ReviewPosted(
            review_id=1,
            product_id=501,
            shop_id=9,
            stars=4,
            product_rating=450,
            product_review_count=2,
            shop_rating=470,
            shop_review_count=10,
        )
    )
    relay()

    assert (_card().rating, _card().review_count) == (450, 2)


def test_a_paid_order_credits_creators_campaigns_and_posts(relay):
    creator = CreatorFactory()
    post = PostFactory(creator=creator)
    campaign = CampaignFactory()
    before = post_score(Post.objects.get(id=post.id))

    _publish(
        _paid(
            _line(501, 2, 65_000, attribution_source="post", creator_id=creator.id, post_id=post.id),
            _line(502, 1, 40_000, attribution_source="showcase", creator_id=creator.id),
            _line(503, 3, 10_000, attribution_source="campaign", campaign_id=campaign.id),
            _line(504, 1, 99_000),
        )
    )
    relay()

    creator.refresh_from_db()
    campaign.refresh_from_db()
    post.refresh_from_db()
    assert (creator.attributed_orders, creator.attributed_sales) == (1, 170_000)
    assert (campaign.attributed_orders, campaign.attributed_sales) == (1, 30_000)
    assert post.sale_count == 2
    assert post.rank_score == post_score(post) > before


def test_commissions_earned_and_reversed_move_the_creators_total(relay):
    creator = CreatorFactory()

    _publish(
        _commission(events.CommissionEarned, creator.id, 9_100, commission_id=1),
        _commission(events.CommissionEarned, creator.id, 5_000, commission_id=2),
        _commission(events.CommissionReversed, creator.id, 5_000, commission_id=2),
        _commission(events.CommissionEarned, None, 1_000, commission_id=3),
    )
    relay()

    creator.refresh_from_db()
    assert creator.commission_earned == 9_100


def test_a_replayed_event_changes_nothing(relay):
    creator = CreatorFactory()
    ProductCardFactory(product_id=501, sold_count=0)
    _publish(
        _placed(_line(501, 2)),
        _paid(_line(501, 2, attribution_source="showcase", creator_id=creator.id)),
        _commission(events.CommissionEarned, creator.id, 9_100),
    )
    relay()

    # A crash after the handlers committed but before the rows were marked: they come again.
    OutboxEvent.objects.update(status=OutboxStatus.PENDING)
    assert relay() == 3

    creator.refresh_from_db()
    assert (_card().sold_count, creator.attributed_sales, creator.commission_earned) == (2, 130_000, 9_100)
    assert InboxEvent.objects.count() == 3


def test_events_about_unknown_products_and_creators_are_ignored_without_retries(relay):
    _publish(
        events.StockChanged(product_id=999, in_stock=False),
        events.ProductUnpublished(product_id=999),
        _placed(_line(999, 1)),
        _paid(_line(999, 1, attribution_source="post", creator_id=888, post_id=777, campaign_id=666)),
        _commission(events.CommissionEarned, 888, 1_000),
    )

    assert relay() == 5

    assert set(OutboxEvent.objects.values_list("status", flat=True)) == {OutboxStatus.DELIVERED}
    assert ProductCard.objects.count() == 0
