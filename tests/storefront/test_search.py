"""Search over the read model, creators and posts, with filters."""

import pytest
from django.urls import reverse

from storefront.models import PostProduct
from storefront.selectors import ProductFilters, product_search, search
from tests.factories import CreatorFactory, PostFactory, ProductCardFactory
from tests.queries import count_queries

pytestmark = pytest.mark.django_db(databases=["default", "storefront", "marketplace"])


@pytest.fixture
def cards():
    return {
        "gayo": ProductCardFactory(
            title="Kopi Gayo Arabika",
            category_id=1,
            category_name="Kopi",
            price_min=65_000,
            price_max=80_000,
            shop_city="Takengon",
            shop_province="Aceh",
            is_local_business=True,
            sold_count=5,
        ),
        "toraja": ProductCardFactory(
            title="Kopi Toraja Robusta",
            category_id=1,
            category_name="Kopi",
            price_min=45_000,
            price_max=45_000,
            shop_city="Makassar",
            shop_province="Sulawesi Selatan",
            is_local_business=False,
            sold_count=9,
        ),
        "batik": ProductCardFactory(
            title="Batik Tulis Parang",
            category_id=2,
            category_name="Batik",
            price_min=350_000,
            price_max=350_000,
            shop_city="Yogyakarta",
            shop_province="DI Yogyakarta",
            is_local_business=True,
            sold_count=1,
        ),
        "hidden": ProductCardFactory(title="Kopi Lama", category_id=1, is_visible=False),
    }


def _ids(found):
    return [card.product_id for card in found]


def test_a_word_finds_matching_visible_products_best_sellers_first(cards):
    assert _ids(product_search(ProductFilters(query="kopi"))) == [cards["toraja"].product_id, cards["gayo"].product_id]


def test_two_words_must_both_match(cards):
    assert _ids(product_search(ProductFilters(query="kopi gayo"))) == [cards["gayo"].product_id]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (ProductFilters(category_id=2), ["batik"]),
        (ProductFilters(price_min=50_000, price_max=100_000), ["gayo"]),
        (ProductFilters(price_max=50_000), ["toraja"]),
        (ProductFilters(location="aceh"), ["gayo"]),
        (ProductFilters(location="Yogyakarta"), ["batik"]),
        (ProductFilters(local_only=True), ["gayo", "batik"]),
        (ProductFilters(query="kopi", local_only=True), ["gayo"]),
    ],
)
def test_filters_narrow_the_products(cards, filters, expected):
    assert _ids(product_search(filters)) == [cards[name].product_id for name in expected]


def test_a_query_also_finds_creators_and_published_posts(cards):
    sari = CreatorFactory(handle="sari-kopi", display_name="Sari Pecinta Kopi")
    CreatorFactory(handle="budi", display_name="Budi Batik")
    post = PostFactory(creator=sari, caption="Pagi dengan kopi gayo #belilokal")
    PostFactory(creator=sari, caption="kopi rahasia", status="draft")

    results = search(ProductFilters(query="kopi"))

    assert [c.id for c in results.creators] == [sari.id]
    assert [v.post.id for v in results.posts] == [post.id]


def test_the_search_page_shows_results_and_rejects_a_reversed_price_range(client, cards):
    page = client.get(reverse("storefront:search"), {"q": "batik"})
    assert page.status_code == 200
    assert "Batik Tulis Parang" in page.content.decode()

    bad = client.get(reverse("storefront:search"), {"price_min": 100, "price_max": 10})
    assert bad.status_code == 400
    assert bad.context["form"].errors == {"price_max": ["The highest price must not be below the lowest."]}


@pytest.mark.parametrize("size", [5, 20])
def test_the_search_page_makes_the_same_queries_whatever_it_finds(client, size):
    creator = CreatorFactory(display_name="Kopi Lover")
    for _ in range(size):
        card = ProductCardFactory(title="Kopi Bubuk")
        PostProduct.objects.create(post=PostFactory(creator=creator, caption="#kopi pagi"), product_id=card.product_id)

    with count_queries() as queries:
        response = client.get(reverse("storefront:search"), {"q": "kopi"})

    assert response.status_code == 200
    results = response.context["results"]
    assert (len(results.products), len(results.creators), len(results.posts)) == (size, 1, size)
    # categories, products, creators, posts, their tags, their cards
    assert len(queries) == 6
