"""The storefront's shop cards follow the marketplace's shop, order and review events."""

import dataclasses

import pytest

from integration import events
from marketplace import services
from storefront import handlers
from storefront.models import ProductCard, ShopCard
from storefront.services import shop_cards_rebuild, shop_follow
from tests.factories import ShopFactory, VariantFactory
from tests.marketplace.conftest import place

pytestmark = pytest.mark.django_db(databases=["default", "storefront", "marketplace"])
BUYER = 4_101

FACTS = events.ShopFacts(
    shop_id=77,
    name="Toko Sekar",
    slug="sekar",
    city="Solo",
    province="Jawa Tengah",
    is_local_business=True,
    is_verified=False,
    rating=0,
    review_count=0,
    sold_count=5,
    revision=2,
)


def _changed(**changes) -> None:
    handlers.on_shop_changed(events.ShopChanged(shop=dataclasses.replace(FACTS, **changes)))


def test_an_opened_shop_gets_its_card_through_the_relay(relay):
    shop = services.shop_open(
        owner_user_id=9,
        name="Toko Sekar",
        slug="sekar",
        city="Solo",
        province="Jawa Tengah",
        pickup_address="Jl. Slamet Riyadi 1",
        phone="0812 1111 2222",
        declares_local_business=True,
    )

    relay()

    card = ShopCard.objects.get(shop_id=shop.id)
    assert (card.name, card.slug, card.is_local_business, card.is_verified, card.revision) == (
        "Toko Sekar",
        "sekar",
        True,
        False,
        1,
    )
    assert not card.shows_local_badge


def test_an_older_shop_event_arriving_late_changes_nothing():
    _changed(revision=3, name="Toko Sekar Baru", is_verified=True)
    _changed(revision=2, name="Toko Sekar Lama", is_verified=False)

    card = ShopCard.objects.get(shop_id=77)
    assert (card.name, card.is_verified, card.revision, card.sold_count) == ("Toko Sekar Baru", True, 3, 5)


def test_a_newer_shop_event_keeps_the_counts_of_the_order_events_and_the_followers():
    _changed()
    ShopCard.objects.filter(shop_id=77).update(sold_count=9)
    shop_follow(shop_id=77, user_id=1)

    _changed(revision=3, sold_count=1, name="Toko Sekar Jaya")

    card = ShopCard.objects.get(shop_id=77)
    assert (card.name, card.sold_count, card.follower_count) == ("Toko Sekar Jaya", 9, 1)


def test_a_shop_event_renames_the_shop_on_its_products_cards_and_marks_them_local_once_verified(rebuild_cards):
    shop = ShopFactory(id=77, verified_at=None, is_local_business=True)
    variant = VariantFactory(product__shop=shop)
    rebuild_cards()
    before = ProductCard.objects.get(product_id=variant.product_id).is_local_business

    _changed(revision=shop.card_revision + 5, name="Toko Sekar Jaya", slug="sekar-jaya", is_verified=True)

    card = ProductCard.objects.get(product_id=variant.product_id)
    assert before is False
    assert (card.shop_name, card.shop_slug, card.is_local_business) == ("Toko Sekar Jaya", "sekar-jaya", True)


def test_orders_move_the_shops_sold_count_and_give_it_back_when_cancelled(relay, rebuild_cards):
    shop = ShopFactory()
    first, second = VariantFactory(product__shop=shop), VariantFactory(product__shop=shop)
    rebuild_cards()

    orders = place(BUYER, (first, 2), (second, 3))
    relay()
    placed = ShopCard.objects.get(shop_id=shop.id).sold_count
    services.order_cancel(order_id=orders[0].id, reason="Tidak jadi")
    relay()

    assert placed == 5
    assert ShopCard.objects.get(shop_id=shop.id).sold_count == 0


def test_a_review_moves_the_shops_rating():
    _changed()

    handlers.on_review_posted(
        events.ReviewPosted(
            review_id=1,
            product_id=5,
            shop_id=77,
            stars=4,
            product_rating=400,
            product_review_count=1,
            shop_rating=425,
            shop_review_count=8,
        )
    )

    card = ShopCard.objects.get(shop_id=77)
    assert (card.rating, card.review_count) == (425, 8)


def test_a_rebuild_takes_the_marketplaces_figures_and_keeps_the_followers(port):
    shop = ShopFactory(name="Toko Sekar", rating=480, review_count=3)
    VariantFactory(product__shop=shop, product__sold_count=4)
    VariantFactory(product__shop=shop, product__sold_count=6)
    shop_cards_rebuild(port=port)
    shop_follow(shop_id=shop.id, user_id=1)
    ShopCard.objects.filter(shop_id=shop.id).update(sold_count=0, name="Lama")

    assert shop_cards_rebuild(port=port, batch_size=1) == 1

    card = ShopCard.objects.get(shop_id=shop.id)
    assert (card.name, card.rating, card.review_count, card.sold_count, card.follower_count) == (
        "Toko Sekar",
        480,
        3,
        10,
        1,
    )
