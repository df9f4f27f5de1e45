"""The seller's writes: catalogue, images, stock, order actions, vouchers, replies, attributed sales."""

import pytest

from marketplace import services as mp
from marketplace.models import Order, Product, StockAdjustment, Variant, Voucher
from storefront.services import post_create
from tests.api.conftest import ADDRESS, png_upload
from tests.factories import CreatorFactory, VoucherFactory

pytestmark = pytest.mark.django_db(databases=["default", "storefront", "marketplace"])

NEW_PRODUCT = {
    "title": "Tenun Ikat",
    "description": "Dari Sumba",
    "commission_bp": 500,
    "variants": [{"name": "Kecil", "sku": "TENUN-S", "price": 300_000, "weight_grams": 400, "stock_on_hand": 4}],
}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _paid_order(world) -> int:
    shopper = world.client("shopper")
    shopper.post("/api/v1/cart/items/", {"variant_id": world.variant.id, "quantity": 1}, format="json")
    placed = shopper.post(
        "/api/v1/checkout/", {"address": ADDRESS, "payment_method": "cod"}, format="json", HTTP_IDEMPOTENCY_KEY="s"
    )
    return placed.json()["orders"][0]["id"]


def test_a_seller_creates_a_draft_product_with_variants_and_publishes_it(world):
    client = world.client("seller")

    created = client.post("/api/v1/seller/products/", {**NEW_PRODUCT, "shop_id": world.shop.id}, format="json")
    product_id = created.json()["id"]
    published = client.post(f"/api/v1/seller/products/{product_id}/status/", {"status": "active"}, format="json")

    assert (created.status_code, created.json()["status"]) == (201, "draft")
    assert [(v["sku"], v["stock_on_hand"]) for v in created.json()["variants"]] == [("TENUN-S", 4)]
    assert (published.status_code, published.json()["status"]) == (200, "active")


def test_a_product_for_someone_elses_shop_is_refused(world):
    response = world.client("seller").post(
        "/api/v1/seller/products/", {**NEW_PRODUCT, "shop_id": world.other_shop.id}, format="json"
    )

    assert response.status_code == 404
    assert not Product.objects.filter(title="Tenun Ikat").exists()


def test_a_product_with_a_repeated_sku_is_refused_field_by_field(world):
    variant = {"name": "M", "sku": world.variant.sku, "price": 1000, "weight_grams": 100}
    response = world.client("seller").post(
        "/api/v1/seller/products/", {**NEW_PRODUCT, "shop_id": world.shop.id, "variants": [variant]}, format="json"
    )

    assert (response.status_code, list(response.json()["errors"])) == (400, ["variants.0.sku"])


def test_a_seller_edits_a_product_and_uploads_its_image(world):
    client = world.client("seller")
    url = f"/api/v1/seller/products/{world.variant.product_id}/"

    edited = client.patch(url, {"title": "Batik Tulis Parang Rusak"}, format="json")
    uploaded = client.put(url + "image/", {"image": png_upload()}, format="multipart")

    assert edited.json()["title"] == "Batik Tulis Parang Rusak"
    assert uploaded.status_code == 200
    assert uploaded.json()["image_url"].startswith("/media/products/")


def test_an_image_upload_that_is_not_an_image_is_refused(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("x.png", b"nope", content_type="image/png")
    response = world.client("seller").put(
        f"/api/v1/seller/products/{world.variant.product_id}/image/", {"image": fake}, format="multipart"
    )

    assert (response.status_code, list(response.json()["errors"])) == (400, ["image"])


def test_a_seller_reprices_a_variant(world):
    response = world.client("seller").patch(
        f"/api/v1/seller/variants/{world.variant.id}/", {"price": 99_000}, format="json"
    )

    assert (response.status_code, response.json()["price"]) == (200, 99_000)
    assert Variant.objects.get(id=world.variant.id).price == 99_000


def test_a_seller_adjusts_stock_with_a_reason(world):
    response = world.client("seller").post(
        f"/api/v1/seller/variants/{world.variant.id}/stock/", {"delta": -2, "reason": "Rusak"}, format="json"
    )

    assert (response.status_code, response.json()["on_hand_after"], response.json()["reason"]) == (201, 3, "Rusak")
    assert StockAdjustment.objects.get().delta == -2


def test_stock_below_zero_is_refused(world):
    response = world.client("seller").post(
        f"/api/v1/seller/variants/{world.variant.id}/stock/", {"delta": -6, "reason": "Hilang"}, format="json"
    )

    assert (response.status_code, list(response.json()["errors"])) == (400, ["delta"])
    assert Variant.objects.get(id=world.variant.id).stock_on_hand == 5


def test_a_seller_packs_and_ships_an_order(world):
    order_id = _paid_order(world)
    client = world.client("seller")

    packed = client.post(f"/api/v1/seller/orders/{order_id}/pack/")
    shipped = client.post(
        f"/api/v1/seller/orders/{order_id}/ship/", {"courier": "jne-reg", "tracking_number": "JNE42"}, format="json"
    )

    assert packed.json()["status"] == "packed"
    assert (shipped.json()["status"], shipped.json()["courier"], shipped.json()["tracking_number"]) == (
        "shipped",
        "jne-reg",
        "JNE42",
    )


def test_shipping_with_an_unknown_courier_is_refused(world):
    order_id = _paid_order(world)
    client = world.client("seller")
    client.post(f"/api/v1/seller/orders/{order_id}/pack/")

    response = client.post(
        f"/api/v1/seller/orders/{order_id}/ship/", {"courier": "kilat", "tracking_number": "X1"}, format="json"
    )

    assert (response.status_code, list(response.json()["errors"])) == (400, ["courier"])
    assert Order.objects.get(id=order_id).status == "packed"


def test_a_seller_cancels_an_order_with_a_reason(world):
    order_id = _paid_order(world)

    response = world.client("seller").post(
        f"/api/v1/seller/orders/{order_id}/cancel/", {"reason": "Habis"}, format="json"
    )

    assert (response.json()["status"], response.json()["cancel_reason"]) == ("cancelled", "Habis")
    assert Variant.objects.get(id=world.variant.id).stock_reserved == 0


def test_cancelling_without_a_reason_is_refused(world):
    order_id = _paid_order(world)

    response = world.client("seller").post(f"/api/v1/seller/orders/{order_id}/cancel/", {"reason": ""}, format="json")

    assert (response.status_code, list(response.json()["errors"])) == (400, ["reason"])


def test_voucher_create_read_update_and_deactivate(world):
    client = world.client("seller")
    body = {
        "shop_id": world.shop.id,
        "code": "merdeka",
        "kind": "fixed",
        "value": 10_000,
        "starts_at": "2026-01-01T00:00:00+07:00",
        "ends_at": "2027-01-01T00:00:00+07:00",
    }

    created = client.post("/api/v1/seller/vouchers/", body, format="json")
    url = f"/api/v1/seller/vouchers/{created.json()['id']}/"
    updated = client.patch(url, {"value": 15_000}, format="json")
    deleted = client.delete(url)

    assert (created.status_code, created.json()["code"]) == (201, "MERDEKA")
    assert client.get(url).json()["value"] == 15_000 == updated.json()["value"]
    assert deleted.status_code == 204
    assert Voucher.objects.get(code="MERDEKA").is_active is False
    assert [v["code"] for v in client.get("/api/v1/seller/vouchers/").json()["results"]] == ["MERDEKA"]


def test_a_voucher_ending_before_it_starts_is_refused(world):
    voucher = VoucherFactory(shop=world.shop)

    response = world.client("seller").patch(
        f"/api/v1/seller/vouchers/{voucher.id}/", {"ends_at": "2000-01-01T00:00:00Z"}, format="json"
    )

    assert (response.status_code, list(response.json()["errors"])) == (400, ["ends_at"])


def test_a_seller_reads_reviews_and_replies(world):
    order_id = _paid_order(world)
    mp.order_pack(order_id=order_id)
    mp.order_ship(order_id=order_id, courier="jne-reg", tracking_number="J1")
    mp.order_deliver(order_id=order_id)
    line_id = Order.objects.get(id=order_id).lines.get().id
    review = mp.review_submit(buyer_id=world.shopper.id, order_line_id=line_id, stars=5, text="Bagus")
    client = world.client("seller")

    listed = client.get("/api/v1/seller/reviews/")
    replied = client.post(f"/api/v1/seller/reviews/{review.id}/reply/", {"reply": "Terima kasih"}, format="json")
    empty = client.post(f"/api/v1/seller/reviews/{review.id}/reply/", {"reply": ""}, format="json")

    assert [r["id"] for r in listed.json()["results"]] == [review.id]
    assert (replied.status_code, replied.json()["seller_reply"]) == (200, "Terima kasih")
    assert empty.status_code == 400


def test_a_seller_reads_attributed_sales_and_commission_owed(world):
    # Given a completed order that came through a creator's post, at 10% commission
    Product.objects.filter(id=world.variant.product_id).update(commission_bp=1000)
    shopper = world.client("shopper")
    shopper.post("/api/v1/cart/items/", {"variant_id": world.variant.id, "quantity": 2}, format="json")
    creator = CreatorFactory()
    post = post_create(creator=creator, caption="Coba ini", product_ids=[world.variant.product_id])
    attribution = {
        "product_id": world.variant.product_id,
        "source": "post",
        "creator_id": creator.id,
        "post_id": post.id,
    }
    body = {"address": ADDRESS, "payment_method": "cod", "attributions": [attribution]}
    order_id = shopper.post("/api/v1/checkout/", body, format="json", HTTP_IDEMPOTENCY_KEY="a").json()["orders"][0][
        "id"
    ]
    mp.order_pack(order_id=order_id)
    mp.order_ship(order_id=order_id, courier="jne-reg", tracking_number="J2")
    mp.order_deliver(order_id=order_id)
    mp.order_complete(order_id=order_id)

    # When the seller asks
    response = world.client("seller").get("/api/v1/seller/attributed-sales/")

    # Then the sale and the commission owed on it are there
    assert response.json()["results"] == [
        {"shop_id": world.shop.id, "shop_name": "Toko Ayu", "sales": 250_000, "commission_owed": 25_000}
    ]


@pytest.mark.parametrize("starts_at", ["0002-01-01T00:00:00Z", "1999-12-31T23:59:59Z"])
def test_a_voucher_starting_before_2000_is_refused_by_field(world, starts_at):
    body = {
        "shop_id": world.shop.id,
        "code": "KUNO",
        "kind": "fixed",
        "value": 5_000,
        "starts_at": starts_at,
        "ends_at": "2030-01-01T00:00:00Z",
    }

    response = world.client("seller").post("/api/v1/seller/vouchers/", body, format="json")

    assert (response.status_code, response.json()["errors"]) == (
        400,
        {"starts_at": ["Choose a date from 1 January 2000 to 31 December 2100."]},
    )
    assert not Voucher.objects.filter(code="KUNO").exists()
