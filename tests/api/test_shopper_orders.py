"""Shopper order actions over the API: pay, confirm delivery, review; the checkout preview;
public reviews and categories."""

import pytest

from marketplace import services as mp
from marketplace.models import Order
from tests.api.conftest import ADDRESS
from tests.factories import CategoryFactory, VoucherFactory

pytestmark = pytest.mark.django_db(databases=["default", "storefront", "marketplace"])


def _place(client, variant, payment_method="virtual_account") -> dict:
    client.post("/api/v1/cart/items/", {"variant_id": variant.id, "quantity": 1}, format="json")
    body = {"address": ADDRESS, "payment_method": payment_method}
    return client.post("/api/v1/checkout/", body, format="json", HTTP_IDEMPOTENCY_KEY="k").json()["orders"][0]


def _delivered(client, variant) -> dict:
    order = _place(client, variant, "cod")
    mp.order_pack(order_id=order["id"])
    mp.order_ship(order_id=order["id"], courier="jne-reg", tracking_number="JNE1")
    return order


def test_pay_answers_where_to_complete_the_payment(world):
    client = world.client("shopper")
    order = _place(client, world.variant)

    response = client.post(f"/api/v1/orders/{order['id']}/pay/")

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["amount"], body["order_ids"]) == ("pending", 140_000, [order["id"]])
    assert body["pay_url"].startswith("/gateway/sim/")


def test_pay_for_a_cash_on_delivery_order_is_refused(world):
    client = world.client("shopper")
    order = _place(client, world.variant, "cod")

    response = client.post(f"/api/v1/orders/{order['id']}/pay/")

    assert response.status_code == 400
    assert response.json()["errors"] == {"order_id": ["This order is paid on delivery."]}


def test_confirm_delivery_of_a_shipped_order(world):
    client = world.client("shopper")
    order = _delivered(client, world.variant)

    response = client.post(f"/api/v1/orders/{order['id']}/confirm-delivery/")

    assert (response.status_code, response.json()["status"]) == (200, "delivered")
    assert Order.objects.get(id=order["id"]).status == "delivered"


def test_confirm_delivery_before_shipping_is_refused_and_changes_nothing(world):
    client = world.client("shopper")
    order = _place(client, world.variant, "cod")

    response = client.post(f"/api/v1/orders/{order['id']}/confirm-delivery/")

    assert response.status_code == 400
    assert Order.objects.get(id=order["id"]).status == "paid"


def test_review_a_delivered_line_once_and_read_it_publicly(world, api):
    client = world.client("shopper")
    order = _delivered(client, world.variant)
    client.post(f"/api/v1/orders/{order['id']}/confirm-delivery/")
    body = {"order_line_id": order["lines"][0]["id"], "stars": 4, "text": "Halus"}

    first = client.post("/api/v1/reviews/", body, format="json")
    again = client.post("/api/v1/reviews/", body, format="json")
    public = api.get(f"/api/v1/products/{world.variant.product_id}/reviews/")

    assert (first.status_code, first.json()["stars"], first.json()["text"]) == (201, 4, "Halus")
    assert again.status_code == 409
    assert [(r["stars"], r["text"], r["seller_reply"]) for r in public.json()["results"]] == [(4, "Halus", "")]


def test_a_review_with_six_stars_is_refused(world):
    response = world.client("shopper").post("/api/v1/reviews/", {"order_line_id": 1, "stars": 6}, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["stars"]


def test_reviews_of_an_unknown_product_are_not_found(api, world):
    assert api.get("/api/v1/products/999999/reviews/").status_code == 404


def test_checkout_preview_offers_couriers_and_applies_a_voucher(world):
    client = world.client("shopper")
    client.post("/api/v1/cart/items/", {"variant_id": world.variant.id, "quantity": 1}, format="json")
    VoucherFactory(shop=world.shop, code="HEMAT10", value=10)
    body = {
        "province": ADDRESS["province"],
        "shipping": [{"shop_id": world.shop.id, "courier": "jne-yes"}],
        "vouchers": [{"shop_id": world.shop.id, "code": "HEMAT10"}],
    }

    response = client.post("/api/v1/checkout/preview/", body, format="json")

    assert response.status_code == 200
    preview = response.json()
    assert preview["shop_totals"] == [
        {"shop_id": world.shop.id, "subtotal": 125_000, "shipping_fee": 28_000, "discount": 12_500}
    ]
    assert preview["total"] == 140_500
    assert {o["courier"] for o in preview["shipping_options"]} == {"jne-reg", "sicepat-reg", "jnt-ez", "jne-yes"}
    assert preview["problems"] == {}


def test_checkout_preview_reports_an_unknown_voucher(world):
    client = world.client("shopper")
    client.post("/api/v1/cart/items/", {"variant_id": world.variant.id, "quantity": 1}, format="json")
    body = {"province": "Jawa Barat", "vouchers": [{"shop_id": world.shop.id, "code": "NOPE"}]}

    response = client.post("/api/v1/checkout/preview/", body, format="json")

    assert response.json()["problems"] == {"vouchers": ["This voucher does not exist for this shop."]}


def test_checkout_preview_needs_a_province(world):
    response = world.client("shopper").post("/api/v1/checkout/preview/", {}, format="json")

    assert (response.status_code, list(response.json()["errors"])) == (400, ["province"])


def test_categories_are_listed_by_name(api, world):
    CategoryFactory(name="Kopi", slug="kopi")
    CategoryFactory(name="Batik", slug="batik")

    response = api.get("/api/v1/categories/")

    assert response.status_code == 200
    assert [c["slug"] for c in response.json()["results"] if c["slug"] in ("batik", "kopi")] == ["batik", "kopi"]


def test_a_text_over_its_documented_length_is_refused_even_when_padded(world):
    # The schema says maxLength 80; trimming the padding first would accept 85 characters.
    client = world.client("shopper")

    response = client.post("/api/v1/checkout/preview/", {"province": "\x1e" * 5 + "x" * 80}, format="json")

    assert response.status_code == 400
    assert "province" in response.json()["errors"]
