"""Cached pages: served from the cache while nothing changed, fresh as soon as an event or a post changes them."""

import pytest
from django.urls import reverse

from integration import contracts
from marketplace.services import product_set_status
from storefront.selectors import product_page
from storefront.services import post_create
from tests.factories import CreatorFactory, VariantFactory
from tests.queries import count_queries

pytestmark = pytest.mark.django_db(databases="__all__")


def test_a_repeated_feed_runs_no_query_and_a_new_post_shows_at_once(client, rebuild_cards):
    # Given a feed already shown once
    variant = VariantFactory(product__title="Kopi Gayo Asli")
    rebuild_cards()
    post_create(creator=CreatorFactory(), caption="Pagi ini", product_ids=[variant.product_id])
    client.get(reverse("storefront:feed"))

    # When it is shown again, then it comes from the cache
    with count_queries() as queries:
        again = client.get(reverse("storefront:feed"))
    assert "Kopi Gayo Asli" in again.content.decode()
    assert len(queries) == 0, queries

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
