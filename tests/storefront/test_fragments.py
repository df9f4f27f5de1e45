"""Cached pages: served from the cache while nothing changed, fresh as soon as an event or a post changes them."""

import pytest
from django.db import transaction
from django.urls import reverse

from integration import contracts
from marketplace.services import product_set_status
from storefront.handlers import on_order_placed
from storefront.selectors import category_choices, post_detail, product_page
from storefront.services import post_create, post_like
from tests.factories import CreatorFactory, UserFactory, VariantFactory
from tests.queries import count_queries
from tests.storefront.test_handlers import _line, _placed

pytestmark = pytest.mark.django_db(databases="__all__")


def test_a_repeated_feed_runs_no_query_and_a_new_post_shows_at_once(client, rebuild_cards):
    # Given a feed already shown once
    variant = VariantFactory(product__title="Kopi Gayo Asli")
    rebuild_cards()
    post_create(creator=CreatorFactory(), caption="Pagi ini", product_ids=[variant.product_id])
    client.get(reverse("storefront:feed"))

    # When it is shown again, then the posts come from the cache: only the live campaigns are read
    with count_queries() as queries:
        again = client.get(reverse("storefront:feed"))
    assert "Kopi Gayo Asli" in again.content.decode()
    assert len(queries) == 1, queries
    assert "storefront_campaign" in queries.by_alias["storefront"].captured_queries[0]["sql"]

    # When a creator posts, then the next feed shows the post
    post_create(creator=CreatorFactory(), caption="Sore ini juga", product_ids=[variant.product_id])
    fresh = client.get(reverse("storefront:feed")).content.decode()
    assert "Sore ini juga" in fresh and "Pagi ini" in fresh


def test_an_unpublished_product_leaves_its_cached_page_once_the_event_is_relayed(client, rebuild_cards, relay):
    # Given a product page and a post page, both cached
    variant = VariantFactory(product__title="Tas Anyaman")
    rebuild_cards()
    post = post_create(creator=CreatorFactory(), caption="Tas baru", product_ids=[variant.product_id])
    product_url = reverse("storefront:product_detail", args=[variant.product_id])
    post_url = reverse("storefront:post_detail", args=[post.id])
    assert client.get(product_url).status_code == 200
    assert "Tas Anyaman" in client.get(post_url).content.decode()
    with count_queries() as queries:
        assert client.get(product_url).status_code == 200
    assert len(queries) == 0, queries

    # When the seller archives the product and the marketplace's event reaches the storefront
    product_set_status(product_id=variant.product_id, status="archived")
    assert relay() == 1

    # Then neither page shows it any more
    assert client.get(product_url).status_code == 404
    assert "Tas Anyaman" not in client.get(post_url).content.decode()


class _MarketplaceDown:
    """The port while the marketplace does not answer."""

    def get_product(self, product_id):
        raise contracts.Unavailable("The marketplace is not answering.")


def test_a_product_page_without_the_marketplace_is_not_cached(port, rebuild_cards):
    # Given a product whose page is asked for while the marketplace is down
    variant = VariantFactory(price=99_000)
    rebuild_cards()
    degraded = product_page(variant.product_id, port=_MarketplaceDown())

    # When the marketplace answers again
    restored = product_page(variant.product_id, port=port)

    # Then the card was shown alone, and the next page has the variants
    assert (degraded.card.product_id, degraded.detail) == (variant.product_id, None)
    assert [v.price for v in restored.detail.variants] == [99_000]


def _sold(product_id: int, quantity: int) -> None:
    """The storefront's handler of an order for `quantity` units of one product."""
    with transaction.atomic(using="storefront"):
        on_order_placed(_placed(_line(product_id, quantity)))


def test_a_sale_rebuilds_only_the_pages_that_show_the_sold_product(client, port, rebuild_cards):
    # Given two products, a post tagging the first, and all three pages cached
    sold, other = VariantFactory(product__title="Batik Tulis"), VariantFactory(product__title="Kain Tenun")
    rebuild_cards()
    post = post_create(creator=CreatorFactory(), caption="Batik", product_ids=[sold.product_id])
    pages = [
        reverse("storefront:product_detail", args=[sold.product_id]),
        reverse("storefront:product_detail", args=[other.product_id]),
        reverse("storefront:post_detail", args=[post.id]),
    ]
    for url in pages:
        client.get(url)
        client.get(url)  # a page is cached once its versions exist

    # When 3 units of the first product are sold
    _sold(sold.product_id, 3)

    # Then the other product's page is still a cache hit, while both pages showing the sold product are rebuilt
    with count_queries() as untouched:
        client.get(pages[1])
    with count_queries() as product_again:
        client.get(pages[0])
    with count_queries() as post_again:
        post_html = client.get(pages[2]).content.decode()
    assert len(untouched) == 0, untouched
    assert len(product_again) > 0 and len(post_again) > 0
    assert "3 sold" in post_html


def test_a_cached_post_page_shows_each_viewer_their_own_like(port, rebuild_cards):
    # Given a post liked by one shopper and cached for everyone
    variant = VariantFactory()
    rebuild_cards()
    post = post_create(creator=CreatorFactory(), caption="Suka", product_ids=[variant.product_id])
    fan, other = UserFactory(), UserFactory()
    post_detail(post.id)

    # When one shopper likes it
    post_like(post_id=post.id, user_id=fan.id)

    # Then the like count moves for everyone, and only the fan sees it liked
    fan_view, other_view = post_detail(post.id, viewer_id=fan.id), post_detail(post.id, viewer_id=other.id)
    assert (fan_view.post.like_count, fan_view.liked) == (1, True)
    assert (other_view.post.like_count, other_view.liked) == (1, False)


def test_the_search_categories_are_read_once_until_the_cards_are_rebuilt(rebuild_cards):
    # Given the categories of the cards, read once
    first = VariantFactory(product__category__name="Kopi")
    rebuild_cards()
    assert category_choices() == [(first.product.category_id, "Kopi")]

    # When they are asked again, then no query runs
    with count_queries() as queries:
        assert category_choices() == [(first.product.category_id, "Kopi")]
    assert len(queries) == 0, queries

    # When a product of a new category arrives with a rebuild, then it is offered
    second = VariantFactory(product__category__name="Batik")
    rebuild_cards()
    assert category_choices() == [(second.product.category_id, "Batik"), (first.product.category_id, "Kopi")]


def test_the_anonymous_feed_html_is_reused_until_a_post_on_it_changes(client, rebuild_cards):
    # Given an anonymous visitor who saw the feed twice (its page and HTML cached)
    variant = VariantFactory()
    rebuild_cards()
    post = post_create(creator=CreatorFactory(), caption="Sambal baru", product_ids=[variant.product_id])
    client.get(reverse("storefront:feed"))
    assert "0 likes" in client.get(reverse("storefront:feed")).content.decode()

    # When a shopper likes the post
    fan = UserFactory()
    post_like(post_id=post.id, user_id=fan.id)

    # Then the visitor's next feed counts the like, and the fan's own feed offers "Unlike"
    assert "1 like" in client.get(reverse("storefront:feed")).content.decode()
    client.force_login(fan)
    assert 'value="unlike"' in client.get(reverse("storefront:feed")).content.decode()
