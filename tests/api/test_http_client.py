"""A client that knows only HTTP and the published schema browses, buys and tracks an order,
and the seller sees it: a live server, a plain HTTP client, no Django test client."""

import json
import urllib.error
import urllib.request

import pytest

from tests.api.conftest import ADDRESS
from tests.factories import ShopFactory, UserFactory, VariantFactory


def _call(base: str, method: str, path: str, body=None, token: str = "", **headers) -> tuple[int, dict]:
    request = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode() if body else None)
    request.add_header("Accept", "application/json")
    if body is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Token {token}")
    for name, value in headers.items():
        request.add_header(name.replace("_", "-"), value)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else {}
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.mark.django_db(transaction=True, databases=["default", "storefront", "marketplace"])
def test_a_plain_http_client_buys_and_the_seller_sees_the_order(live_server, rebuild_cards):
    # Given a seller's product on sale and a shopper with an account
    seller = UserFactory(username="toko")
    VariantFactory(
        product__shop=ShopFactory(owner_user_id=seller.id, name="Toko Ayu"),
        product__title="Batik Tulis Parang",
        price=125_000,
        stock_on_hand=5,
    )
    rebuild_cards()
    UserFactory(username="ayu")
    base = live_server.url

    # The schema lists what follows
    status, schema = _call(base, "GET", "/api/schema/?format=json")
    assert status == 200
    assert {"/api/v1/products/", "/api/v1/cart/items/", "/api/v1/checkout/"} <= set(schema["paths"])

    # The shopper signs in, browses and picks a variant
    status, body = _call(base, "POST", "/api/v1/auth/token/", {"username": "ayu", "password": "jalin-test-pw"})
    assert status == 200
    token = body["token"]
    status, listing = _call(base, "GET", "/api/v1/products/?q=batik&local=true&ordering=price")
    assert (status, [p["title"] for p in listing["results"]]) == (200, ["Batik Tulis Parang"])
    status, product = _call(base, "GET", f"/api/v1/products/{listing['results'][0]['id']}/")
    assert (status, product["stock_state"]) == (200, "in_stock")
    variant_id = product["variants"][0]["id"]

    # ...adds two to the cart and checks out, then repeats the checkout after a lost answer
    status, cart = _call(base, "POST", "/api/v1/cart/items/", {"variant_id": variant_id, "quantity": 2}, token)
    assert (status, cart["total"]) == (201, 250_000)
    order_body = {"address": ADDRESS, "payment_method": "virtual_account"}
    status, placed = _call(base, "POST", "/api/v1/checkout/", order_body, token, Idempotency_Key="lost-answer-1")
    assert (status, placed["total"]) == (201, 265_000)
    status, replayed = _call(base, "POST", "/api/v1/checkout/", order_body, token, Idempotency_Key="lost-answer-1")
    assert (status, replayed) == (201, placed)

    # ...and reads the order back
    order_id = placed["orders"][0]["id"]
    status, order = _call(base, "GET", f"/api/v1/orders/{order_id}/", token=token)
    assert (status, order["status"], order["lines"][0]["quantity"]) == (200, "pending_payment", 2)
    status, orders = _call(base, "GET", "/api/v1/orders/", token=token)
    assert [o["id"] for o in orders["results"]] == [order_id]

    # The seller sees the order and the reserved stock
    status, body = _call(base, "POST", "/api/v1/auth/token/", {"username": "toko", "password": "jalin-test-pw"})
    seller_token = body["token"]
    status, seller_orders = _call(base, "GET", "/api/v1/seller/orders/", token=seller_token)
    assert (status, [o["id"] for o in seller_orders["results"]]) == (200, [order_id])
    status, stock = _call(base, "GET", "/api/v1/seller/products/", token=seller_token)
    variant = stock["results"][0]["variants"][0]
    assert (variant["stock_on_hand"], variant["stock_reserved"], variant["stock_available"]) == (5, 2, 3)
