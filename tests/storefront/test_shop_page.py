"""A shop's page: its header, products, vouchers and follow button, from the read model."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from marketplace import services as marketplace_services
from storefront import selectors
from storefront.models import ProductCard, ShopCard, ShopFollow
from tests.factories import (
    CategoryFactory,
    CreatorFactory,
    PostFactory,
    ShopFactory,
    UserFactory,
    VariantFactory,
    VoucherFactory,
)
from tests.queries import count_queries

pytestmark = pytest.mark.django_db(databases="__all__")

# The user, the shop, its categories, count and page, the follow, the saved products (the
# cards' hearts); the vouchers (marketplace).
SHOP_PAGE_BUDGET = 8


def _page(client, slug: str, **query):
    response = client.get(reverse("storefront:shop_detail", args=[slug]), query)
    return response, response.content.decode()


def _titles(response) -> list[str]:
    return [card.title for card in response.context["page"].object_list]


@pytest.fixture
def shop(rebuild_cards):
    """A verified local shop with three products: cheap and best-selling, dear, and newest."""
    shop = ShopFactory(name="Toko Batik Sekar", slug="batik-sekar", city="Solo", province="Jawa Tengah", rating=450)
    shop.review_count = 12
    shop.save()
    kain, baju = CategoryFactory(name="Kain"), CategoryFactory(name="Baju")
    VariantFactory(
        product__shop=shop, product__title="Kain Murah", product__category=kain, price=50_000, product__sold_count=9
    )
    VariantFactory(
        product__shop=shop, product__title="Baju Mahal", product__category=baju, price=300_000, product__sold_count=2
    )
    VariantFactory(product__shop=shop, product__title="Kain Baru", product__category=kain, price=120_000)
    VariantFactory(product__title="Toko Lain")  # another shop's product
    rebuild_cards()
    return shop


def test_the_header_shows_the_shop_as_shoppers_see_it(client, shop):
    response, html = _page(client, "batik-sekar")

    assert response.status_code == 200
    assert "<h1>Toko Batik Sekar</h1>" in html
    assert "Solo, Jawa Tengah" in html
    assert "Local business" in html
    assert "4.5 ★ · 12 reviews" in html
    assert "11 sold" in html
    assert "0 followers" in html
    assert "Sign in to follow" in html


def test_an_unverified_local_shop_shows_no_local_mark_until_verified(client, rebuild_cards, relay):
    waiting = ShopFactory(slug="menunggu", verified_at=None, is_local_business=True)
    product_id = VariantFactory(product__shop=waiting).product_id
    rebuild_cards()
    product_page = reverse("storefront:product_detail", args=[product_id])

    before = _page(client, "menunggu")[1], client.get(product_page).content.decode()
    marketplace_services.shop_verify(shop_id=waiting.id)
    relay()
    after = _page(client, "menunggu")[1], client.get(product_page).content.decode()

    assert ["Local business" in html for html in before] == [False, False]
    assert ["Local business" in html for html in after] == [True, True]  # the shop's header, its product's page
    assert ProductCard.objects.get(shop_id=waiting.id).is_local_business is True


@pytest.mark.parametrize(
    ("sort", "titles"),
    [
        ("newest", ["Kain Baru", "Baju Mahal", "Kain Murah"]),
        ("best_selling", ["Kain Murah", "Baju Mahal", "Kain Baru"]),
        ("price_asc", ["Kain Murah", "Kain Baru", "Baju Mahal"]),
        ("price_desc", ["Baju Mahal", "Kain Baru", "Kain Murah"]),
    ],
)
def test_the_products_come_in_the_order_asked(client, shop, sort, titles):
    response, _html = _page(client, "batik-sekar", sort=sort)

    assert _titles(response) == titles


def test_the_category_filter_lists_the_shops_categories_and_keeps_to_one(client, shop):
    kain = ProductCard.objects.filter(shop_id=shop.id, category_name="Kain").first().category_id

    response, _html = _page(client, "batik-sekar", category=kain, sort="price_asc")

    assert _titles(response) == ["Kain Murah", "Kain Baru"]
    assert [label for _value, label in response.context["form"].fields["category"].choices] == [
        "All categories",
        "Baju",
        "Kain",
    ]


def test_an_unknown_sort_or_category_is_bad_input(client, shop):
    assert _page(client, "batik-sekar", sort="cheapest")[0].status_code == 400
    assert _page(client, "batik-sekar", category="999999")[0].status_code == 400


def test_products_come_a_page_at_a_time_keeping_the_sort(client, shop, monkeypatch):
    monkeypatch.setattr(selectors, "SHOP_PAGE_SIZE", 2)

    first, html = _page(client, "batik-sekar", sort="price_asc")
    second, _html = _page(client, "batik-sekar", sort="price_asc", page=2)

    assert _titles(first) == ["Kain Murah", "Kain Baru"]
    assert 'href="?sort=price_asc&amp;page=2"' in html
    assert _titles(second) == ["Baju Mahal"]


def test_the_vouchers_open_now_are_listed(client, shop):
    VoucherFactory(shop=shop, code="HEMAT10", value=10, min_spend=50_000, max_discount=25_000)
    VoucherFactory(shop=shop, code="ONGKIR5K", kind="fixed", value=5_000)
    VoucherFactory(shop=shop, code="HABIS", ends_at=timezone.now() - timedelta(minutes=1))
    VoucherFactory(shop=shop, code="MATI", is_active=False)
    VoucherFactory(shop=shop, code="PENUH", usage_limit=1, used_count=1)
    VoucherFactory(code="LAIN")  # another shop's

    response, html = _page(client, "batik-sekar")

    assert [v.code for v in response.context["vouchers"]] == ["HEMAT10", "ONGKIR5K"]
    assert "10% off, at most Rp 25.000, from Rp 50.000 spent" in html
    assert "Rp 5.000 off" in html


def test_a_signed_in_shopper_follows_and_unfollows(client, shop):
    shopper = UserFactory()
    client.force_login(shopper)
    url = reverse("storefront:shop_follow", args=["batik-sekar"])

    client.post(url, {"action": "follow"})
    client.post(url, {"action": "follow"})  # twice counts once
    followed = _page(client, "batik-sekar")[1]
    client.post(url, {"action": "unfollow"})

    assert "1 follower" in followed and 'value="unfollow"' in followed
    assert ShopCard.objects.get(shop_id=shop.id).follower_count == 0
    assert not ShopFollow.objects.exists()


def test_following_needs_an_account(client, shop):
    response = client.post(reverse("storefront:shop_follow", args=["batik-sekar"]), {"action": "follow"})

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not ShopFollow.objects.exists()


def test_an_unknown_shop_is_not_found(client, shop):
    assert _page(client, "tidak-ada")[0].status_code == 404


def test_shop_names_on_product_and_post_pages_link_to_the_shop(client, shop):
    card = ProductCard.objects.filter(shop_id=shop.id).first()
    post = PostFactory(creator=CreatorFactory())
    post.tags.create(product_id=card.product_id)
    link = '<a href="/shops/batik-sekar/">Toko Batik Sekar</a>'

    product_page = client.get(reverse("storefront:product_detail", args=[card.product_id])).content.decode()
    post_page = client.get(reverse("storefront:post_detail", args=[post.id])).content.decode()

    assert link in product_page
    assert link in post_page


def _shop_page_queries(client) -> int:
    with count_queries() as queries:
        response = client.get(reverse("storefront:shop_detail", args=["batik-sekar"]), {"sort": "best_selling"})
    assert response.status_code == 200
    return len(queries)


def test_the_shop_page_runs_the_same_queries_for_one_product_as_for_many(client, rebuild_cards):
    # Given a signed-in shopper and a shop with one product and one voucher
    client.force_login(UserFactory())
    shop = ShopFactory(slug="batik-sekar")
    VoucherFactory(shop=shop)
    VariantFactory(product__shop=shop)
    rebuild_cards()
    one = _shop_page_queries(client)

    # When the shop has forty products in five categories (two pages) and four vouchers
    categories = [CategoryFactory() for _ in range(5)]
    for n in range(39):
        VariantFactory(product__shop=shop, product__category=categories[n % 5], product__sold_count=n)
    for _ in range(3):
        VoucherFactory(shop=shop)
    rebuild_cards()
    many = _shop_page_queries(client)

    # Then the count does not grow, across every database, and stays within the budget
    assert many == one
    assert many <= SHOP_PAGE_BUDGET


def test_new_products_of_followed_shops_lead_the_following_feed(client, shop, rebuild_cards):
    shopper = UserFactory()
    client.force_login(shopper)
    VariantFactory(product__shop=ShopFactory(), product__title="Toko Tak Diikuti")
    rebuild_cards()
    before = client.get(reverse("storefront:feed"), {"tab": "following"}).content.decode()
    client.post(reverse("storefront:shop_follow", args=["batik-sekar"]), {"action": "follow"})

    response = client.get(reverse("storefront:feed"), {"tab": "following"})

    assert "New from shops you follow" not in before
    assert [card.title for card in response.context["shop_products"]] == ["Kain Baru", "Baju Mahal", "Kain Murah"]
    assert "Toko Tak Diikuti" not in response.content.decode()
