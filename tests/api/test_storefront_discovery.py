"""Public endpoints: products from the read model, product detail through the port, feed, posts, creators."""

import pytest

from storefront.api.views import FeedPagination
from storefront.services import post_create
from tests.factories import CategoryFactory, CreatorFactory, ShopFactory, VariantFactory
from tests.queries import count_queries

pytestmark = pytest.mark.django_db(databases=["default", "storefront", "marketplace"])


def _ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


@pytest.fixture
def catalogue(rebuild_cards):
    batik = CategoryFactory(name="Batik")
    kopi = CategoryFactory(name="Kopi")
    jogja = ShopFactory(name="Toko Jogja", city="Yogyakarta", province="DI Yogyakarta", is_local_business=True)
    jakarta = ShopFactory(name="Mega Store", city="Jakarta Selatan", province="DKI Jakarta", is_local_business=False)
    products = {
        "batik": VariantFactory(
            product__shop=jogja, product__category=batik, product__title="Batik Parang", price=250_000
        ),
        "kopi": VariantFactory(product__shop=jogja, product__category=kopi, product__title="Kopi Gayo", price=60_000),
        "kain": VariantFactory(
            product__shop=jakarta, product__category=batik, product__title="Kain Batik", price=90_000
        ),
    }
    rebuild_cards()
    return {name: v.product for name, v in products.items()} | {"jogja": jogja, "batik_category": batik}


def test_products_are_listed_newest_first(api, catalogue):
    assert _ids(api.get("/api/v1/products/")) == [catalogue["kain"].id, catalogue["kopi"].id, catalogue["batik"].id]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=batik", ["kain", "batik"]),
        ("q=toko jogja", ["kopi", "batik"]),
        ("min_price=80000&max_price=250000", ["kain", "batik"]),
        ("location=jakarta", ["kain"]),
        ("local=true", ["kopi", "batik"]),
        ("ordering=price", ["kopi", "kain", "batik"]),
        ("ordering=-price", ["batik", "kain", "kopi"]),
    ],
)
def test_products_filter_and_order(api, catalogue, query, expected):
    assert _ids(api.get(f"/api/v1/products/?{query}")) == [catalogue[name].id for name in expected]


@pytest.mark.parametrize(
    "query",
    [
        "ordering=-price&ordering=newest",
        "ordering=-price,newest",
        "ordering=sold&ordering=-price",
        "ordering=sold,-price",
    ],
)
def test_products_order_by_every_field_given_in_turn(api, catalogue, query):
    # Prices all differ and sold counts are all zero: the first field decides the first
    # pair, the second field alone the other.
    assert _ids(api.get(f"/api/v1/products/?{query}")) == [catalogue[name].id for name in ("batik", "kain", "kopi")]


@pytest.mark.parametrize("query", ["ordering=cheapest&ordering=price", "ordering=price,cheapest"])
def test_an_unknown_ordering_field_among_several_is_refused_by_name(api, catalogue, query):
    response = api.get(f"/api/v1/products/?{query}")

    assert (response.status_code, list(response.json()["errors"])) == (400, ["ordering"])


def test_products_filter_by_category_and_shop(api, catalogue):
    by_category = _ids(api.get(f"/api/v1/products/?category={catalogue['batik_category'].id}"))
    by_shop = _ids(api.get(f"/api/v1/products/?shop={catalogue['jogja'].id}&ordering=newest"))

    assert by_category == [catalogue["kain"].id, catalogue["batik"].id]
    assert by_shop == [catalogue["batik"].id, catalogue["kopi"].id]


@pytest.mark.parametrize(
    "query",
    [
        "min_price=-1",
        "min_price=murah",
        "ordering=cheapest",
        "category=0",
        "category=2147483648",
        "shop=99999999999999999999",
        "local=maybe",
        "min_price=0.5",
        "category=1.5",
        "shop=",
        "page_size=0",
        "page_size=101",
        "page_size=ten",
    ],
)
def test_bad_filters_are_rejected_by_name(api, catalogue, query):
    response = api.get(f"/api/v1/products/?{query}")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == [query.split("=")[0]]


def _product_list_queries(api, expected_rows: int) -> int:
    with count_queries() as queries:
        response = api.get("/api/v1/products/")
    assert response.status_code == 200, response.content
    assert len(response.json()["results"]) == expected_rows
    return len(queries)


def test_the_product_list_runs_a_constant_number_of_queries(api, catalogue, rebuild_cards):
    # Given the catalogue's 3 products, then 4 more
    three = _product_list_queries(api, 3)
    for _ in range(4):
        VariantFactory()
    rebuild_cards()
    seven = _product_list_queries(api, 7)

    # Then the list counts and pages in the same 2 queries (all databases), whatever its length
    assert three == seven == 2


def test_a_product_shows_its_variants_and_stock(api, catalogue):
    product = catalogue["kopi"]
    variant = product.variants.get()

    body = api.get(f"/api/v1/products/{product.id}/").json()

    assert (body["title"], body["stock_state"], body["shop_name"]) == ("Kopi Gayo", "in_stock", "Toko Jogja")
    assert body["variants"] == [
        {
            "id": variant.id,
            "name": "M",
            "sku": variant.sku,
            "price": 60_000,
            "currency": "IDR",
            "stock_available": 10,
            "in_stock": True,
            "max_per_order": 100,
        }
    ]


def test_a_sold_out_product_says_so(api, catalogue):
    variant = catalogue["kopi"].variants.get()
    variant.stock_on_hand = 0
    variant.save(using="marketplace")

    body = api.get(f"/api/v1/products/{catalogue['kopi'].id}/").json()

    assert body["stock_state"] == "out_of_stock"
    assert body["variants"][0]["in_stock"] is False


def test_an_unknown_product_is_404(api, catalogue):
    response = api.get("/api/v1/products/999999/")

    assert response.status_code == 404
    assert response.json()["type"] == "/api/problems/not_found/"


def test_the_feed_pages_with_a_cursor(api, catalogue, monkeypatch):
    monkeypatch.setattr(FeedPagination, "page_size", 2)
    # Given three published posts
    creator = CreatorFactory(handle="ayu")
    posts = [post_create(creator=creator, caption=f"Post {n}", product_ids=[catalogue["kopi"].id]) for n in range(3)]

    # When the feed is read two at a time
    first = api.get("/api/v1/feed/").json()
    assert first["previous"] is None

    # Then the pages follow each other newest first, with tagged product cards
    second = api.get(first["next"]).json()
    assert [p["id"] for p in first["results"]] == [posts[2].id, posts[1].id]
    assert [p["id"] for p in second["results"]] == [posts[0].id]
    assert second["next"] is None
    assert first["results"][0]["creator"]["handle"] == "ayu"
    assert [c["id"] for c in first["results"][0]["products"]] == [catalogue["kopi"].id]


def test_a_post_and_an_unknown_one(api, catalogue):
    post = post_create(creator=CreatorFactory(), caption="Halo", product_ids=[catalogue["batik"].id])

    body = api.get(f"/api/v1/posts/{post.id}/").json()

    assert (body["id"], body["caption"], [c["title"] for c in body["products"]]) == (post.id, "Halo", ["Batik Parang"])
    assert api.get("/api/v1/posts/999999/").status_code == 404


def test_creators_are_listed_and_found_by_handle(api):
    CreatorFactory(handle="budi", display_name="Budi")
    CreatorFactory(handle="ayu", display_name="Ayu")

    listed = api.get("/api/v1/creators/").json()["results"]
    found = api.get("/api/v1/creators/budi/").json()

    assert [c["handle"] for c in listed] == ["ayu", "budi"]
    assert (found["handle"], found["display_name"], found["follower_count"]) == ("budi", "Budi", 0)
    assert api.get("/api/v1/creators/nobody/").status_code == 404
