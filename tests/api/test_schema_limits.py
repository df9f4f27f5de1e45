"""The limits the server enforces are the ones the schema states, both read from the rulebooks."""

import pytest
import yaml

from integration.contracts import ID_MAX
from marketplace import rules as marketplace_rules
from storefront import rules as storefront_rules

pytestmark = pytest.mark.django_db(databases=["default", "storefront", "marketplace"])


@pytest.fixture
def schema(api):
    return yaml.safe_load(api.get("/api/schema/").content)


def _parameter(schema, path, method, name):
    operation = schema["paths"][path][method]
    return next(p for p in operation["parameters"] if p["name"] == name)


def _property(schema, component, name):
    return schema["components"]["schemas"][component]["properties"][name]


def test_the_schema_states_the_rulebooks_limits(schema):
    limit = _parameter(schema, "/api/v1/feed/following/", "get", "limit")["schema"]
    assert (limit["minimum"], limit["maximum"]) == (1, storefront_rules.FEED_PAGE_MAX)
    for name in ("category", "shop"):
        bounds = _parameter(schema, "/api/v1/products/", "get", name)["schema"]
        assert (bounds["type"], bounds["minimum"], bounds["maximum"]) == ("integer", 1, ID_MAX)
    key = _parameter(schema, "/api/v1/checkout/", "post", "Idempotency-Key")["schema"]
    assert key["maxLength"] == storefront_rules.IDEMPOTENCY_KEY_MAX_LENGTH
    delta = _property(schema, "StockAdjustRequest", "delta")
    assert (delta["minimum"], delta["maximum"], delta["not"]) == (
        marketplace_rules.STOCK_DELTA.low,
        marketplace_rules.STOCK_DELTA.high,
        {"enum": [0]},
    )


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/api/v1/orders/{order_id}/", "order_id"),
        ("/api/v1/posts/{post_id}/like/", "post_id"),
        ("/api/v1/seller/variants/{variant_id}/stock/", "variant_id"),
    ],
)
def test_path_ids_are_bounded_in_the_schema(schema, path, name):
    method = next(iter(m for m in schema["paths"][path] if m in ("get", "post")))
    bounds = _parameter(schema, path, method, name)["schema"]

    assert (bounds["minimum"], bounds["maximum"]) == (1, ID_MAX)


@pytest.mark.parametrize(
    ("component", "name"),
    [
        ("CartItemCreateRequest", "variant_id"),
        ("ShippingChoiceRequest", "shop_id"),
        ("ProductCreateRequest", "shop_id"),
    ],
)
def test_body_ids_are_bounded_in_the_schema(schema, component, name):
    assert _property(schema, component, name)["maximum"] == ID_MAX


@pytest.mark.parametrize(
    ("role", "method", "path"),
    [
        ("shopper", "get", f"/api/v1/orders/{ID_MAX + 1}/"),
        ("shopper", "post", f"/api/v1/posts/{ID_MAX + 1}/like/"),
        ("shopper", "get", "/api/v1/products/99999999999999999999/"),
        ("seller", "post", f"/api/v1/seller/variants/{ID_MAX + 1}/stock/"),
        ("seller", "get", "/api/v1/seller/orders/0/"),
    ],
)
def test_an_id_beyond_the_bound_is_not_found(world, role, method, path):
    response = getattr(world.client(role), method)(path, {"delta": 1, "reason": "x"}, format="json")

    assert response.status_code == 404


def test_a_body_id_beyond_the_bound_is_a_field_error(world):
    response = world.client("shopper").post(
        "/api/v1/cart/items/", {"variant_id": ID_MAX + 1, "quantity": 1}, format="json"
    )

    assert (response.status_code, list(response.json()["errors"])) == (400, ["variant_id"])


def test_a_stock_change_of_zero_is_refused_and_changes_nothing(world):
    before = world.variant.stock_on_hand

    response = world.client("seller").post(
        f"/api/v1/seller/variants/{world.variant.id}/stock/", {"delta": 0, "reason": "Hitung ulang"}, format="json"
    )

    world.variant.refresh_from_db()
    assert (response.status_code, response.json()["errors"]) == (
        400,
        {"delta": [str(marketplace_rules.STOCK_DELTA.message)]},
    )
    assert world.variant.stock_on_hand == before


@pytest.mark.parametrize("limit", ["0", "51", "ten"])
def test_a_feed_limit_out_of_range_is_refused_by_name(world, limit):
    response = world.client("shopper").get("/api/v1/feed/following/", {"limit": limit})

    assert (response.status_code, list(response.json()["errors"])) == (400, ["limit"])


def test_an_idempotency_key_over_the_limit_is_refused_by_name(world):
    key = "k" * (storefront_rules.IDEMPOTENCY_KEY_MAX_LENGTH + 1)

    response = world.client("shopper").post("/api/v1/checkout/", {}, format="json", HTTP_IDEMPOTENCY_KEY=key)

    assert (response.status_code, list(response.json()["errors"])) == (400, ["Idempotency-Key"])
