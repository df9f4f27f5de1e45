"""The wishlist: a heart on product cards and pages, a page of saved products, the API
`/api/v1/wishlist/`; the same bad save refused alike through the page and the API."""

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse

from storefront import rules, services
from storefront.models import WishlistItem
from tests.api.conftest import client_for
from tests.factories import ProductCardFactory, UserFactory
from tests.queries import count_queries

pytestmark = pytest.mark.django_db(databases=["default", "storefront"])
UNKNOWN = 999_999


def _saved(user) -> list[int]:
    return list(WishlistItem.objects.filter(user_id=user.id).order_by("id").values_list("product_id", flat=True))


def test_saving_twice_keeps_one_and_removing_takes_it_out():
    user, card = UserFactory(), ProductCardFactory()

    first = services.wishlist_add(user_id=user.id, product_id=card.product_id)
    again = services.wishlist_add(user_id=user.id, product_id=card.product_id)

    assert (first, again, _saved(user)) == (True, False, [card.product_id])
    assert services.wishlist_remove(user_id=user.id, product_id=card.product_id) is True
    assert services.wishlist_remove(user_id=user.id, product_id=card.product_id) is False
    assert _saved(user) == []


def test_a_product_the_storefront_does_not_know_is_refused():
    user = UserFactory()

    with pytest.raises(ValidationError) as refused:
        services.wishlist_add(user_id=user.id, product_id=UNKNOWN)

    assert refused.value.message_dict == {"product_id": [f"Unknown product: {UNKNOWN}."]}
    assert _saved(user) == []


def test_a_full_wishlist_refuses_one_more(monkeypatch):
    monkeypatch.setattr(rules, "WISHLIST_MAX_ITEMS", 2)
    user, cards = UserFactory(), ProductCardFactory.create_batch(3)
    for card in cards[:2]:
        services.wishlist_add(user_id=user.id, product_id=card.product_id)

    with pytest.raises(ValidationError) as refused:
        services.wishlist_add(user_id=user.id, product_id=cards[2].product_id)

    assert "at most" in refused.value.message_dict["product_id"][0]
    assert _saved(user) == [cards[0].product_id, cards[1].product_id]
    # ...while saving one already there is no new row and no refusal
    assert services.wishlist_add(user_id=user.id, product_id=cards[0].product_id) is False


def test_the_heart_on_the_product_page_saves_and_the_wishlist_page_shows_it(client, port):
    user, card = UserFactory(), ProductCardFactory(title="Tas Anyaman Pandan")
    client.force_login(user)
    toggle = reverse("storefront:wishlist_toggle", args=[card.product_id])

    saved = client.post(toggle, {"action": "add", "next": "/wishlist/"})
    page = client.get(reverse("storefront:wishlist")).content.decode()

    assert (saved.status_code, saved.url) == (302, "/wishlist/")
    assert "Tas Anyaman Pandan" in page
    assert 'value="remove" class="heart" aria-pressed="true"' in page
    client.post(toggle, {"action": "remove"})
    assert "Tas Anyaman Pandan" not in client.get(reverse("storefront:wishlist")).content.decode()


def test_the_wishlist_page_is_for_signed_in_shoppers(client):
    response = client.get(reverse("storefront:wishlist"))

    assert (response.status_code, response.url.startswith(reverse("login"))) == (302, True)


def test_another_users_saves_are_not_shown():
    owner, other, card = UserFactory(), UserFactory(), ProductCardFactory()
    services.wishlist_add(user_id=other.id, product_id=card.product_id)

    response = client_for(owner).get("/api/v1/wishlist/")

    assert (response.status_code, response.json()["results"]) == (200, [])


def test_the_api_lists_the_latest_saved_first_and_adds_and_removes():
    user = UserFactory()
    older, newer = ProductCardFactory(), ProductCardFactory()
    api = client_for(user)

    created = api.post("/api/v1/wishlist/", {"product_id": older.product_id}, format="json")
    again = api.post("/api/v1/wishlist/", {"product_id": older.product_id}, format="json")
    api.post("/api/v1/wishlist/", {"product_id": newer.product_id}, format="json")
    listed = api.get("/api/v1/wishlist/").json()["results"]
    removed = api.delete(f"/api/v1/wishlist/{older.product_id}/")

    assert (created.status_code, created.json(), again.status_code) == (201, {"product_id": older.product_id}, 200)
    assert [row["id"] for row in listed] == [newer.product_id, older.product_id]
    assert removed.status_code == 204
    assert _saved(user) == [newer.product_id]


def test_the_api_wants_a_signed_in_caller():
    card = ProductCardFactory()

    response = client_for(None).post("/api/v1/wishlist/", {"product_id": card.product_id}, format="json")

    assert response.status_code in (401, 403)
    assert WishlistItem.objects.count() == 0


def test_an_unknown_product_is_refused_alike_through_the_page_and_the_api(client):
    user = UserFactory()
    client.force_login(user)

    page = client.post(reverse("storefront:wishlist_toggle", args=[UNKNOWN]), {"action": "add"})
    api = client_for(user).post("/api/v1/wishlist/", {"product_id": UNKNOWN}, format="json")

    expected = f"Unknown product: {UNKNOWN}."
    assert [str(m) for m in get_messages(page.wsgi_request)] == [expected]
    assert (api.status_code, api.json()["errors"]) == (400, {"product_id": [expected]})
    assert WishlistItem.objects.count() == 0


@pytest.mark.django_db(databases=["default", "storefront", "marketplace"])
def test_hearts_cost_one_query_for_the_whole_page_whatever_the_number_of_cards(client):
    user = UserFactory()
    client.force_login(user)

    def wishlist_page_queries(saved: int) -> int:
        for card in ProductCardFactory.create_batch(saved):
            services.wishlist_add(user_id=user.id, product_id=card.product_id)
        with count_queries() as queries:
            response = client.get(reverse("storefront:wishlist"))
        assert response.status_code == 200
        assert response.content.decode().count('aria-pressed="true"') == len(_saved(user))
        return len(queries)

    assert wishlist_page_queries(2) == wishlist_page_queries(12)
