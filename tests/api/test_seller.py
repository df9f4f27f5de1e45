"""The seller API: a seller reads the shops, products, stock and orders they own, and nothing else."""

import pytest

from marketplace.models import ProductStatus
from tests.api.conftest import ADDRESS
from tests.factories import ProductFactory, VariantFactory
from tests.queries import count_queries

pytestmark = pytest.mark.django_db(databases=["default", "storefront", "marketplace"])


def _place_order(world, variant, quantity=1):
    client = world.client("shopper")
    client.post("/api/v1/cart/items/", {"variant_id": variant.id, "quantity": quantity}, format="json")
    response = client.post(
        "/api/v1/checkout/",
        {"address": ADDRESS, "payment_method": "virtual_account"},
        format="json",
        HTTP_IDEMPOTENCY_KEY=f"order-{variant.id}",
    )
    return response.json()["orders"][0]["id"]


def test_a_seller_lists_their_shops(world):
    body = world.client("seller").get("/api/v1/seller/shops/").json()

    assert [(s["id"], s["name"]) for s in body["results"]] == [(world.shop.id, "Toko Ayu")]


def test_a_seller_sees_their_products_of_any_status_with_stock(world):
    # Given a draft product beside the active one, and two units reserved by an order
    draft = ProductFactory(shop=world.shop, status=ProductStatus.DRAFT, title="Draf")
    _place_order(world, world.variant, 2)

    # When the seller lists their products
    body = world.client("seller").get("/api/v1/seller/products/").json()

    # Then both are there, newest first, with on hand, reserved and available stock
    assert [(p["id"], p["status"]) for p in body["results"]] == [
        (draft.id, "draft"),
        (world.variant.product_id, "active"),
    ]
    variant = body["results"][1]["variants"][0]
    assert (variant["sku"], variant["stock_on_hand"], variant["stock_reserved"], variant["stock_available"]) == (
        world.variant.sku,
        5,
        2,
        3,
    )


def test_seller_products_filter_by_status(world):
    ProductFactory(shop=world.shop, status=ProductStatus.DRAFT)

    body = world.client("seller").get("/api/v1/seller/products/?status=active").json()

    assert [p["id"] for p in body["results"]] == [world.variant.product_id]
    assert world.client("seller").get("/api/v1/seller/products/?status=gone").status_code == 400


def test_a_seller_reads_one_product_but_not_anothers(world):
    client = world.client("seller")

    own = client.get(f"/api/v1/seller/products/{world.variant.product_id}/")
    other = client.get(f"/api/v1/seller/products/{world.other_variant.product_id}/")

    assert (own.status_code, own.json()["title"]) == (200, "Batik Tulis Parang")
    assert other.status_code == 404


def test_a_seller_lists_and_reads_their_orders_only(world):
    own_order = _place_order(world, world.variant)
    other_order = _place_order(world, world.other_variant)
    client = world.client("seller")

    listed = client.get("/api/v1/seller/orders/").json()
    detail = client.get(f"/api/v1/seller/orders/{own_order}/").json()

    assert [o["id"] for o in listed["results"]] == [own_order]
    assert (detail["buyer_id"], detail["total"], detail["recipient"]) == (world.shopper.id, 140_000, "Ayu Lestari")
    assert client.get(f"/api/v1/seller/orders/{other_order}/").status_code == 404


def test_seller_orders_filter_by_status(world):
    _place_order(world, world.variant)

    pending = world.client("seller").get("/api/v1/seller/orders/?status=pending_payment").json()
    paid = world.client("seller").get("/api/v1/seller/orders/?status=paid").json()

    assert (pending["count"], paid["count"]) == (1, 0)


def test_someone_without_a_shop_is_refused(world):
    response = world.client("shopper").get("/api/v1/seller/products/")

    assert response.status_code == 403
    assert response.json()["type"] == "/api/problems/permission_denied/"


def _seller_product_list_queries(client, expected_rows: int) -> int:
    with count_queries() as queries:
        response = client.get("/api/v1/seller/products/")
    assert response.status_code == 200, response.content
    assert len(response.json()["results"]) == expected_rows
    return len(queries)


def test_the_seller_product_list_runs_a_constant_number_of_queries(world):
    # Given a seller with 2 products (one with two variants), then 4 more
    client = world.client("seller")
    VariantFactory(product=world.variant.product, name="L")
    VariantFactory(product__shop=world.shop)
    two = _seller_product_list_queries(client, 2)
    for _ in range(4):
        VariantFactory(product__shop=world.shop)
    six = _seller_product_list_queries(client, 6)

    # Then the same queries list them, on every database: auth, shop check, count, page, variants
    assert two == six == 5


def test_an_empty_shop_filter_is_bad_input(world):
    response = world.client("seller").get("/api/v1/seller/orders/?shop=")

    assert (response.status_code, list(response.json()["errors"])) == (400, ["shop"])
