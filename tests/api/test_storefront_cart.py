"""The cart over the API: it lives in the marketplace and is reached through the port."""

import pytest

from marketplace.models import CartItem

pytestmark = pytest.mark.django_db(databases=["default", "storefront", "marketplace"])


def _add(client, variant, quantity=1):
    return client.post("/api/v1/cart/items/", {"variant_id": variant.id, "quantity": quantity}, format="json")


def test_an_empty_cart(world):
    body = world.client("shopper").get("/api/v1/cart/").json()

    assert body == {"lines": [], "currency": "IDR", "total": 0, "item_count": 0}


def test_adding_an_item_returns_the_cart(world):
    response = _add(world.client("shopper"), world.variant, 2)

    assert response.status_code == 201
    body = response.json()
    assert (body["total"], body["item_count"]) == (250_000, 2)
    line = body["lines"][0]
    assert (line["variant_id"], line["quantity"], line["unit_price"], line["line_total"]) == (
        world.variant.id,
        2,
        125_000,
        250_000,
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [({"quantity": 1}, "variant_id"), ({"variant_id": 1, "quantity": 0}, "quantity"), ({"variant_id": 1}, "quantity")],
)
def test_bad_cart_input_is_named_and_writes_nothing(world, body, field):
    response = world.client("shopper").post("/api/v1/cart/items/", body, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]
    assert CartItem.objects.count() == 0


def test_more_than_the_stock_is_refused_by_the_marketplace(world):
    response = _add(world.client("shopper"), world.variant, 6)

    assert response.status_code == 400
    assert response.json()["errors"] == {"quantity": ["Only 5 left in stock."]}
    assert CartItem.objects.count() == 0


def test_an_unknown_variant_is_refused(world):
    response = world.client("shopper").post("/api/v1/cart/items/", {"variant_id": 999999, "quantity": 1}, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["variant_id"]


def test_a_line_is_changed_and_removed(world):
    client = world.client("shopper")
    line_id = _add(client, world.variant).json()["lines"][0]["id"]

    changed = client.patch(f"/api/v1/cart/items/{line_id}/", {"quantity": 3}, format="json")
    removed = client.delete(f"/api/v1/cart/items/{line_id}/")

    assert changed.status_code == 200
    assert changed.json()["lines"][0]["quantity"] == 3
    assert removed.status_code == 204
    assert CartItem.objects.count() == 0


def test_a_bad_quantity_on_a_line_is_refused(world):
    client = world.client("shopper")
    line_id = _add(client, world.variant).json()["lines"][0]["id"]

    response = client.patch(f"/api/v1/cart/items/{line_id}/", {"quantity": 1000}, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["quantity"]
    assert CartItem.objects.get().quantity == 1


def test_another_shoppers_line_is_not_found_and_untouched(world):
    line_id = _add(world.client("shopper"), world.variant).json()["lines"][0]["id"]
    intruder = world.client("other_shopper")

    patched = intruder.patch(f"/api/v1/cart/items/{line_id}/", {"quantity": 3}, format="json")
    deleted = intruder.delete(f"/api/v1/cart/items/{line_id}/")

    assert (patched.status_code, deleted.status_code) == (404, 404)
    assert CartItem.objects.get().quantity == 1
    assert intruder.get("/api/v1/cart/").json()["lines"] == []
