"""Checkout over the API: one order per shop, exactly once per Idempotency-Key."""

import pytest

from marketplace.models import Order
from storefront.models import ApiIdempotencyRecord
from storefront.services import api_idempotency_claim, checkout_fingerprint, post_create
from tests.api.conftest import ADDRESS
from tests.factories import CreatorFactory, VoucherFactory

pytestmark = pytest.mark.django_db(databases=["default", "storefront", "marketplace"])

BODY = {"address": ADDRESS, "payment_method": "virtual_account"}


def _fill_cart(client, *variants):
    for variant in variants:
        assert (
            client.post("/api/v1/cart/items/", {"variant_id": variant.id, "quantity": 1}, format="json").status_code
            == 201
        )


def _checkout(client, body=BODY, key="key-1"):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post("/api/v1/checkout/", body, format="json", **headers)


def test_checkout_places_one_order_per_shop(world):
    # Given a cart with items from two shops
    client = world.client("shopper")
    _fill_cart(client, world.variant, world.other_variant)

    # When the shopper checks out
    response = _checkout(client)

    # Then two orders are placed with the cheapest courier each (dearer across provinces),
    # reported in the answer, and the cart is empty
    assert response.status_code == 201
    body = response.json()
    assert [(o["shop_id"], o["subtotal"], o["shipping_fee"], o["total"], o["status"]) for o in body["orders"]] == [
        (world.shop.id, 125_000, 15_000, 140_000, "pending_payment"),
        (world.other_shop.id, 80_000, 23_000, 103_000, "pending_payment"),
    ]
    assert body["total"] == 243_000
    assert Order.objects.filter(buyer_id=world.shopper.id).count() == 2
    assert client.get("/api/v1/cart/").json()["lines"] == []


def test_a_repeated_checkout_gets_the_same_answer_and_orders_once(world):
    client = world.client("shopper")
    _fill_cart(client, world.variant)

    first = _checkout(client)
    again = _checkout(client)

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert Order.objects.count() == 1


def test_checkout_without_a_key_is_refused(world):
    client = world.client("shopper")
    _fill_cart(client, world.variant)

    response = _checkout(client, key=None)

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["Idempotency-Key"]
    assert Order.objects.count() == 0


def test_a_key_reused_with_another_body_is_422(world):
    client = world.client("shopper")
    _fill_cart(client, world.variant)
    _checkout(client)

    response = _checkout(client, body={**BODY, "payment_method": "cod"})

    assert response.status_code == 422
    assert response.json()["type"] == "/api/problems/idempotency_key_reused/"
    assert Order.objects.count() == 1


def test_a_key_still_in_flight_is_409(world):
    # Given the same call already running (its key claimed, no answer yet)
    client = world.client("shopper")
    _fill_cart(client, world.variant)
    from storefront.api.serializers import CheckoutRequestSerializer
    from storefront.api.views import _checkout_request

    given = CheckoutRequestSerializer(data=BODY)
    given.is_valid(raise_exception=True)
    asked = _checkout_request(world.shopper.id, "key-1", given.validated_data)
    api_idempotency_claim(user_id=world.shopper.id, key="key-1", fingerprint=checkout_fingerprint(asked))

    # When it is sent again
    response = _checkout(client)

    # Then the client is told to wait, and nothing is ordered
    assert response.status_code == 409
    assert response.json()["type"] == "/api/problems/idempotency_key_in_flight/"
    assert Order.objects.count() == 0


def test_a_failed_checkout_frees_its_key_for_a_retry(world):
    # Given a checkout refused because the cart is empty
    client = world.client("shopper")
    refused = _checkout(client)
    assert refused.status_code == 400
    assert refused.json()["errors"] == {"cart": ["Your cart is empty."]}
    assert ApiIdempotencyRecord.objects.count() == 0

    # When the shopper fills the cart and retries with the same key
    _fill_cart(client, world.variant)
    retried = _checkout(client)

    # Then the order is placed
    assert retried.status_code == 201
    assert Order.objects.count() == 1


def test_keys_belong_to_their_user(world):
    for role in ("shopper", "other_shopper"):
        client = world.client(role)
        _fill_cart(client, world.variant)
        assert _checkout(client, key="same-key").status_code == 201

    assert sorted(Order.objects.values_list("buyer_id", flat=True)) == [world.shopper.id, world.other_shopper.id]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**BODY, "payment_method": "bitcoin"}, "payment_method"),
        ({**BODY, "address": {**ADDRESS, "postal_code": "123"}}, "address.postal_code"),
        ({"payment_method": "cod"}, "address"),
        ({**BODY, "attributions": [{"product_id": 1, "source": "billboard"}]}, "attributions.0.source"),
    ],
)
def test_bad_checkout_input_is_named_and_orders_nothing(world, body, field):
    client = world.client("shopper")
    _fill_cart(client, world.variant)

    response = _checkout(client, body=body)

    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]
    assert (Order.objects.count(), ApiIdempotencyRecord.objects.count()) == (0, 0)


def test_an_origin_that_holds_travels_to_the_order_line(world):
    client = world.client("shopper")
    _fill_cart(client, world.variant)
    creator = CreatorFactory()
    post = post_create(creator=creator, caption="Wajib coba", product_ids=[world.variant.product_id])
    origin = {"product_id": world.variant.product_id, "source": "post", "creator_id": creator.id, "post_id": post.id}

    _checkout(client, body={**BODY, "attributions": [origin]})

    line = Order.objects.get().lines.get()
    assert (line.attribution_source, line.creator_id, line.post_id, line.campaign_id) == (
        "post",
        creator.id,
        post.id,
        None,
    )


def test_an_origin_the_storefront_cannot_verify_is_dropped_and_the_order_placed(world):
    client = world.client("shopper")
    _fill_cart(client, world.variant)
    origin = {"product_id": world.variant.product_id, "source": "post", "creator_id": 7, "post_id": 9}

    response = _checkout(client, body={**BODY, "attributions": [origin]})

    assert response.status_code == 201
    line = Order.objects.get().lines.get()
    assert (line.attribution_source, line.creator_id, line.post_id, line.campaign_id) == ("", None, None, None)


def test_orders_are_listed_and_read_by_their_buyer_only(world):
    client = world.client("shopper")
    _fill_cart(client, world.variant)
    order_id = _checkout(client).json()["orders"][0]["id"]

    listed = client.get("/api/v1/orders/").json()
    detail = client.get(f"/api/v1/orders/{order_id}/").json()
    other = world.client("other_shopper")

    assert [o["id"] for o in listed["results"]] == [order_id]
    assert (detail["total"], detail["lines"][0]["quantity"]) == (140_000, 1)
    assert other.get("/api/v1/orders/").json()["results"] == []
    assert other.get(f"/api/v1/orders/{order_id}/").status_code == 404


def test_checkout_with_a_courier_and_a_voucher_per_shop(world):
    # Given a cart at two shops and a voucher at the first
    client = world.client("shopper")
    _fill_cart(client, world.variant, world.other_variant)
    VoucherFactory(shop=world.shop, code="HEMAT10", value=10)
    body = {
        **BODY,
        "shipping": [{"shop_id": world.shop.id, "courier": "jne-yes"}],
        "vouchers": [{"shop_id": world.shop.id, "code": "HEMAT10"}],
    }

    # When the shopper checks out choosing the express courier there
    response = _checkout(client, body)

    # Then that shop's order uses it and the discount; the other gets its cheapest courier (the first of equals)
    orders = response.json()["orders"]
    assert [(o["courier"], o["shipping_fee"], o["discount"], o["voucher_code"], o["total"]) for o in orders] == [
        ("jne-yes", 28_000, 12_500, "HEMAT10", 140_500),
        ("jne-reg", 23_000, 0, "", 103_000),
    ]


def test_checkout_with_an_unknown_courier_is_refused_and_orders_nothing(world):
    client = world.client("shopper")
    _fill_cart(client, world.variant)
    body = {**BODY, "shipping": [{"shop_id": world.shop.id, "courier": "kilat"}]}

    response = _checkout(client, body)

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["shipping.0.courier"]  # the courier enum names the field
    assert Order.objects.count() == 0
