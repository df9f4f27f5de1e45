"""A client that knows only HTTP and the published schema browses, buys and tracks an order,
and the seller sees it: a live server, a plain HTTP client, no Django test client."""

import http.cookiejar
import json
import re
import urllib.error
import urllib.parse
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


def _pay_on_the_gateway_page(base: str, pay_url: str) -> int:
    """What a browser does on the hosted page: load it (CSRF cookie and token) and submit its form."""
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    page = browser.open(base + pay_url, timeout=10).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"csrfmiddlewaretoken": token}).encode()
    with browser.open(urllib.request.Request(base + pay_url, data=form, method="POST"), timeout=10) as answer:
        return answer.status


@pytest.mark.django_db(transaction=True, databases=["default", "storefront", "marketplace"])
def test_a_plain_http_client_buys_pays_and_tracks_while_the_seller_stocks_and_ships(live_server, rebuild_cards):
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
    assert {
        "/api/v1/products/",
        "/api/v1/cart/items/",
        "/api/v1/checkout/",
        "/api/v1/orders/{order_id}/pay/",
        "/api/v1/seller/orders/{order_id}/ship/",
        "/api/v1/seller/variants/{variant_id}/stock/",
    } <= set(schema["paths"])

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

    # The shopper pays: the API says where, the gateway's page takes the payment
    status, payment = _call(base, "POST", f"/api/v1/orders/{order_id}/pay/", token=token)
    assert (status, payment["status"], payment["amount"]) == (200, "pending", 265_000)
    assert _pay_on_the_gateway_page(base, payment["pay_url"]) == 200
    status, order = _call(base, "GET", f"/api/v1/orders/{order_id}/", token=token)
    assert (status, order["status"]) == (200, "paid")

    # The seller restocks, packs and ships
    status, adjusted = _call(
        base,
        "POST",
        f"/api/v1/seller/variants/{variant['id']}/stock/",
        {"delta": 10, "reason": "Restock"},
        seller_token,
    )
    assert (status, adjusted["on_hand_after"]) == (201, 13)
    status, packed = _call(base, "POST", f"/api/v1/seller/orders/{order_id}/pack/", token=seller_token)
    assert (status, packed["status"]) == (200, "packed")
    ship = {"courier": "jne-reg", "tracking_number": "JNE0042"}
    status, shipped = _call(base, "POST", f"/api/v1/seller/orders/{order_id}/ship/", ship, seller_token)
    assert (status, shipped["status"]) == (200, "shipped")

    # ...and the shopper tracks the parcel, then confirms it arrived
    status, order = _call(base, "GET", f"/api/v1/orders/{order_id}/", token=token)
    assert (order["courier"], order["tracking_number"]) == ("jne-reg", "JNE0042")
    assert [change["status"] for change in order["timeline"]][-3:] == ["paid", "packed", "shipped"]
    status, delivered = _call(base, "POST", f"/api/v1/orders/{order_id}/confirm-delivery/", token=token)
    assert (status, delivered["status"]) == (200, "delivered")
