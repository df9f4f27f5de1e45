"""The shop endpoints: a shop's header and vouchers, its products, following it."""

import pytest

from tests.api.conftest import client_for
from tests.factories import CategoryFactory, ShopFactory, UserFactory, VariantFactory, VoucherFactory
from tests.queries import count_queries

pytestmark = pytest.mark.django_db(databases="__all__")


@pytest.fixture
def shop(rebuild_cards):
    shop = ShopFactory(name="Toko Batik Sekar", slug="batik-sekar", city="Solo", province="Jawa Tengah", rating=450)
    kain, baju = CategoryFactory(name="Kain"), CategoryFactory(name="Baju")
    VariantFactory(
        product__shop=shop, product__title="Kain Murah", product__category=kain, price=50_000, product__sold_count=9
    )
    VariantFactory(
        product__shop=shop, product__title="Baju Mahal", product__category=baju, price=300_000, product__sold_count=2
    )
    VariantFactory(product__shop=shop, product__title="Kain Baru", product__category=kain, price=120_000)
    VoucherFactory(shop=shop, code="HEMAT10", value=10, min_spend=50_000, max_discount=25_000)
    rebuild_cards()
    shop.kain = kain
    return shop


def test_the_shop_answers_its_header_and_open_vouchers(api, shop):
    body = api.get("/api/v1/shops/batik-sekar/").json()

    vouchers = body.pop("vouchers")
    assert body == {
        "id": shop.id,
        "slug": "batik-sekar",
        "name": "Toko Batik Sekar",
        "city": "Solo",
        "province": "Jawa Tengah",
        "is_local_business": True,
        "is_verified": True,
        "rating": 450,
        "review_count": 0,
        "sold_count": 11,
        "follower_count": 0,
        "following": False,
    }
    assert [(v["code"], v["kind"], v["value"], v["min_spend"], v["max_discount"]) for v in vouchers] == [
        ("HEMAT10", "percent", 10, 50_000, 25_000)
    ]


def test_an_unverified_shop_shows_no_local_mark(api, rebuild_cards):
    ShopFactory(slug="menunggu", verified_at=None, is_local_business=True)
    rebuild_cards()

    body = api.get("/api/v1/shops/menunggu/").json()

    assert (body["is_local_business"], body["is_verified"]) == (False, False)


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("", ["Kain Baru", "Baju Mahal", "Kain Murah"]),
        ("?sort=best_selling", ["Kain Murah", "Baju Mahal", "Kain Baru"]),
        ("?sort=price_asc", ["Kain Murah", "Kain Baru", "Baju Mahal"]),
        ("?sort=price_desc", ["Baju Mahal", "Kain Baru", "Kain Murah"]),
        ("?sort=price_asc&page_size=2&page=2", ["Baju Mahal"]),
    ],
)
def test_the_shops_products_come_sorted_and_paged(api, shop, query, titles):
    body = api.get(f"/api/v1/shops/batik-sekar/products/{query}").json()

    assert [p["title"] for p in body["results"]] == titles
    assert body["count"] == 3


def test_the_shops_products_of_one_category(api, shop):
    body = api.get(f"/api/v1/shops/batik-sekar/products/?category={shop.kain.id}&sort=price_asc").json()

    assert [p["title"] for p in body["results"]] == ["Kain Murah", "Kain Baru"]


def test_an_unknown_sort_is_a_problem_on_the_field(api, shop):
    response = api.get("/api/v1/shops/batik-sekar/products/?sort=cheapest")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["sort"]


def test_an_unknown_shop_is_not_found(api, shop):
    assert api.get("/api/v1/shops/tidak-ada/").status_code == 404
    assert api.get("/api/v1/shops/tidak-ada/products/").status_code == 404


def test_following_a_shop_through_the_api(shop):
    shopper = client_for(UserFactory())

    followed = shopper.post("/api/v1/shops/batik-sekar/follow/")
    header = shopper.get("/api/v1/shops/batik-sekar/").json()
    unfollowed = shopper.delete("/api/v1/shops/batik-sekar/follow/")

    assert followed.json() == {"following": True, "follower_count": 1}
    assert (header["following"], header["follower_count"]) == (True, 1)
    assert unfollowed.status_code == 204
    assert shopper.get("/api/v1/shops/batik-sekar/").json()["follower_count"] == 0


def _queries(api, url) -> int:
    with count_queries() as queries:
        assert api.get(url).status_code == 200
    return len(queries)


def test_the_shop_endpoints_run_the_same_queries_for_a_small_and_a_large_shop(api, rebuild_cards):
    shop = ShopFactory(slug="batik-sekar")
    VariantFactory(product__shop=shop)
    VoucherFactory(shop=shop)
    rebuild_cards()
    small = (_queries(api, "/api/v1/shops/batik-sekar/"), _queries(api, "/api/v1/shops/batik-sekar/products/"))

    for n in range(30):
        VariantFactory(product__shop=shop, product__sold_count=n)
    for _ in range(4):
        VoucherFactory(shop=shop)
    rebuild_cards()
    large = (_queries(api, "/api/v1/shops/batik-sekar/"), _queries(api, "/api/v1/shops/batik-sekar/products/"))

    assert large == small
    assert large[0] <= 2 and large[1] <= 3  # shop + vouchers; shop + count + page
