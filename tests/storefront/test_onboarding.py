"""Opening a shop (Buka Toko) and becoming a creator (Jadi Kreator): a signed-in user reaches
the seller or creator centre at once, and the page and the API refuse bad input alike."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from marketplace.models import Shop
from storefront.models import Creator, ShopCard
from tests.api.conftest import client_for
from tests.factories import CreatorFactory, ShopFactory, UserFactory

pytestmark = pytest.mark.django_db(databases="__all__")

SHOP = {
    "name": "Toko Batik Sekar",
    "slug": "batik-sekar",
    "city": "Solo",
    "province": "Jawa Tengah",
    "pickup_address": "Jl. Slamet Riyadi 1",
    "phone": "0812 1111 2222",
    "nib": "",
}
CREATOR = {"handle": "ayu", "display_name": "Ayu Lestari", "bio": "Batik dan kopi.", "accepts_terms": True}


@pytest.fixture(autouse=True)
def _fresh_attempts():
    cache.clear()


def _groups(user) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


def _written() -> tuple:
    return (
        list(Shop.objects.order_by("id").values_list("slug", "owner_user_id")),
        list(Creator.objects.order_by("id").values_list("handle", "user_id")),
    )


# --- Buka Toko ---------------------------------------------------------------------------------


def test_opening_a_shop_needs_an_account(client):
    response = client.get(reverse("storefront:shop_open"))

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_user_opens_a_shop_and_reaches_the_seller_centre_at_once(client, relay):
    user = UserFactory(username="pedagang")
    client.force_login(user)
    assert client.get(reverse("admin:index")).status_code == 302  # not yet

    response = client.post(reverse("storefront:shop_open"), {**SHOP, "declares_local_business": "on"})

    shop = Shop.objects.get(slug="batik-sekar")
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:marketplace_shop_change", args=[shop.id])
    assert (shop.owner_user_id, shop.is_local_business, shop.verified_at) == (user.id, True, None)
    user.refresh_from_db()
    assert user.is_staff and _groups(user) == {"Sellers"}
    # The seller centre opens on their own shop, and a product can be added straight away
    assert client.get(reverse("admin:index")).status_code == 200
    assert "Toko Batik Sekar" in client.get(reverse("admin:marketplace_shop_changelist")).content.decode()
    assert client.get(reverse("admin:marketplace_product_add")).status_code == 200
    # and the shop's page is up once its event arrives
    relay()
    assert client.get(reverse("storefront:shop_detail", args=["batik-sekar"])).status_code == 200
    assert ShopCard.objects.get(shop_id=shop.id).shows_local_badge is False


def test_the_api_opens_a_shop_and_gives_the_seller_api(relay):
    user = UserFactory()
    api = client_for(user)

    response = api.post("/api/v1/shops/", SHOP, format="json")

    assert response.status_code == 201, response.content
    assert response.json() == {
        "id": Shop.objects.get(slug="batik-sekar").id,
        "slug": "batik-sekar",
        "name": "Toko Batik Sekar",
        "city": "Solo",
        "province": "Jawa Tengah",
        "is_local_business": False,
        "is_verified": False,
    }
    assert api.get("/api/v1/seller/products/").status_code == 200


def _page_errors(client, data) -> dict[str, list[str]]:
    response = client.post(reverse("storefront:shop_open"), data)
    assert response.status_code == 400, response.status_code
    form = response.context["form"]
    return {("non_field_errors" if k == "__all__" else k): v for k, v in form.errors.items()}


def _api_errors(user, path, data) -> dict[str, list[str]]:
    response = client_for(user).post(path, data, format="json")
    assert response.status_code == 400, response.content
    return response.json()["errors"]


BAD_SHOPS = {
    "missing fields": {**SHOP, "name": "", "city": " ", "pickup_address": "", "phone": ""},
    "slug taken": {**SHOP, "slug": "Sudah-Ada"},
    "bad nib": {**SHOP, "nib": "123"},
}


@pytest.mark.parametrize("case", list(BAD_SHOPS))
def test_the_page_and_the_api_refuse_a_bad_shop_alike(client, case):
    ShopFactory(slug="sudah-ada")
    user = UserFactory()
    client.force_login(user)
    before = _written()

    page = _page_errors(client, BAD_SHOPS[case])
    api = _api_errors(user, "/api/v1/shops/", BAD_SHOPS[case])

    assert page == api
    assert page, "the refusal names fields"
    assert _written() == before
    user.refresh_from_db()
    assert not user.is_staff and _groups(user) == set()


def test_the_page_and_the_api_refuse_a_shop_over_the_limit_alike(client, settings):
    settings.SHOPS_PER_USER_MAX = 1
    user = UserFactory()
    ShopFactory(owner_user_id=user.id)
    client.force_login(user)

    page = _page_errors(client, SHOP)
    api = _api_errors(user, "/api/v1/shops/", SHOP)

    assert page == api == {"non_field_errors": ["You already have 1 shops, the most one account may open."]}
    assert Shop.objects.filter(owner_user_id=user.id).count() == 1


def test_attempts_are_limited_per_user_across_the_page_and_the_api(client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "onboarding": "2/hour"},
    }
    user = UserFactory()
    client.force_login(user)
    bad = {**SHOP, "name": ""}

    first = client.post(reverse("storefront:shop_open"), bad)
    second = client_for(user).post("/api/v1/shops/", bad, format="json")
    third_page = client.post(reverse("storefront:shop_open"), SHOP)
    third_api = client_for(user).post("/api/v1/shops/", SHOP, format="json")
    someone_else = client_for(UserFactory()).post("/api/v1/shops/", SHOP, format="json")

    assert (first.status_code, second.status_code) == (400, 400)
    assert third_page.status_code == 429
    assert "Too many attempts." in third_page.content.decode()
    assert third_api.status_code == 429 and int(third_api["Retry-After"]) > 0
    assert someone_else.status_code == 201
    assert not Shop.objects.filter(owner_user_id=user.id).exists()


# --- Jadi Kreator ------------------------------------------------------------------------------


def test_a_user_becomes_a_creator_and_reaches_the_creator_centre_at_once(client):
    user = UserFactory(username="penulis")
    client.force_login(user)

    response = client.post(reverse("storefront:creator_join"), {**CREATOR, "handle": " @Ayu ", "accepts_terms": "on"})

    creator = Creator.objects.get(user_id=user.id)
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")
    assert (creator.handle, creator.display_name, creator.bio) == ("ayu", "Ayu Lestari", "Batik dan kopi.")
    user.refresh_from_db()
    assert user.is_staff and _groups(user) == {"Creators"}
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(reverse("admin:storefront_post_add")).status_code == 200
    assert client.get(reverse("storefront:creator_detail", args=["ayu"])).status_code == 200


def test_the_api_makes_a_creator():
    user = UserFactory()

    response = client_for(user).post("/api/v1/creator/join/", CREATOR, format="json")

    assert response.status_code == 201
    assert response.json() == {
        "id": Creator.objects.get(user_id=user.id).id,
        "handle": "ayu",
        "display_name": "Ayu Lestari",
        "bio": "Batik dan kopi.",
        "follower_count": 0,
    }
    assert client_for(user).get("/api/v1/creator/stats/").status_code == 200


BAD_CREATORS = {
    "terms not accepted": ({**CREATOR, "accepts_terms": False}, {"accepts_terms"}),
    "handle taken": ({**CREATOR, "handle": "Budi"}, {"handle"}),
    "handle reserved": ({**CREATOR, "handle": "join"}, {"handle"}),
    "handle malformed": ({**CREATOR, "handle": "a b"}, {"handle"}),
    "no name, long bio": ({**CREATOR, "display_name": " ", "bio": "x" * 501}, {"display_name", "bio"}),
}


@pytest.mark.parametrize("case", list(BAD_CREATORS))
def test_the_page_and_the_api_refuse_a_bad_creator_alike(client, case):
    CreatorFactory(handle="budi")
    user = UserFactory()
    client.force_login(user)
    data, fields = BAD_CREATORS[case]
    page_data = {k: v for k, v in data.items() if k != "accepts_terms"} | (
        {"accepts_terms": "on"} if data["accepts_terms"] else {}
    )
    before = _written()

    response = client.post(reverse("storefront:creator_join"), page_data)
    api = _api_errors(user, "/api/v1/creator/join/", data)

    assert response.status_code == 400
    page = dict(response.context["form"].errors)
    assert page == api
    assert set(page) == fields
    assert _written() == before
    user.refresh_from_db()
    assert not user.is_staff


def test_a_creator_cannot_join_twice(client):
    user = UserFactory()
    CreatorFactory(user_id=user.id, handle="lama")

    api = _api_errors(user, "/api/v1/creator/join/", CREATOR)
    client.force_login(user)
    page = client.get(reverse("storefront:creator_join")).content.decode()

    assert api == {"non_field_errors": ["You are a creator already."]}
    assert "You are a creator already, as @lama." in page
    assert Creator.objects.filter(user_id=user.id).count() == 1
