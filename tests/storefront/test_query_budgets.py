"""Query budgets of the shopper pages, counted across all databases."""

import pytest
from django.urls import reverse

from storefront.services import post_create
from tests.factories import CreatorFactory, UserFactory, VariantFactory
from tests.queries import count_queries

pytestmark = pytest.mark.django_db(databases="__all__")

FEED_BUDGET = 6
# The product in the marketplace reads whether its shop ships free too; the heart, whether
# the shopper saved it (one query for every heart of the page).
PRODUCT_PAGE_BUDGET = 10


def _posts(count: int, rebuild_cards) -> None:
    """`count` posts by different creators, each tagging three products of its own."""
    variants = [VariantFactory() for _ in range(3 * count)]
    rebuild_cards()
    for n in range(count):
        post_create(
            creator=CreatorFactory(),
            caption=f"Post {n}",
            product_ids=[v.product_id for v in variants[3 * n : 3 * n + 3]],
        )


def _feed_queries(client) -> int:
    with count_queries() as queries:
        response = client.get(reverse("storefront:feed"))
    assert response.status_code == 200
    return len(queries)


def test_the_feed_runs_the_same_queries_for_one_post_as_for_a_full_page(client, rebuild_cards):
    # Given a signed-in shopper and a feed with a single post
    client.force_login(UserFactory())
    _posts(1, rebuild_cards)
    one = _feed_queries(client)

    # When the feed fills a whole page (20 posts, 60 tagged products)
    _posts(24, rebuild_cards)
    full = _feed_queries(client)

    # Then the count does not grow with the page, and stays within the budget
    assert full == one
    assert full <= FEED_BUDGET


def test_the_anonymous_feed_stays_within_its_budget(client, rebuild_cards):
    _posts(20, rebuild_cards)

    assert _feed_queries(client) <= FEED_BUDGET


def test_the_product_page_reached_from_a_post_stays_within_its_budget(client, rebuild_cards):
    # Given a product with three variants, tagged on a post, and a signed-in shopper
    first = VariantFactory(name="S")
    VariantFactory(product=first.product, name="M")
    VariantFactory(product=first.product, name="L")
    rebuild_cards()
    post = post_create(creator=CreatorFactory(), caption="Lihat ini", product_ids=[first.product_id])
    client.force_login(UserFactory())

    # When the shopper opens the product from the post (which also records the attribution)
    with count_queries() as queries:
        response = client.get(reverse("storefront:product_detail", args=[first.product_id]), {"post": post.id})

    # Then every variant is offered, within the budget
    assert response.status_code == 200
    assert response.content.decode().count('name="variant_id"') == 3
    assert len(queries) <= PRODUCT_PAGE_BUDGET, queries
