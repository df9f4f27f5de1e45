"""Every API endpoint, found in the URL configuration, called by every kind of caller.

Nobody reads or changes what is not theirs: another caller's object is 403 or
404 and nothing changes; a list never holds another caller's rows. A new
endpoint joins the matrix by being routed; the test fails until its URL
parameters (and, for a write, a valid body) are known below.
"""

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.permissions import AllowAny, IsAuthenticatedOrReadOnly

from marketplace import services as marketplace_services
from storefront.services import creator_follow, post_create, showcase_item_add
from tests.api.conftest import ADDRESS, png_upload
from tests.factories import CampaignFactory, VoucherFactory

ROLES = [
    "anonymous",
    "shopper",
    "other_shopper",
    "seller",
    "other_seller",
    "creator_user",
    "other_creator_user",
    "staff",
]
WRITE_METHODS = ["post", "put", "patch", "delete"]
# Endpoints whose whole point is to be called without an identity.
OPEN_WRITES = {"api:token"}
# A valid body per endpoint, so a refusal is about ownership and not about input.
WRITE_BODIES = {
    "api:cart-item": {"quantity": 2},
    "api:cart-items": {"variant_id": None, "quantity": 1},  # variant filled in by the world
    "api:checkout": {"address": ADDRESS, "payment_method": "cod"},
    "api:seller-product": {"title": "Batik Baru"},
    "api:seller-product-status": {"status": "archived"},
    "api:seller-variant": {"price": 99_000},
    "api:seller-variant-stock": {"delta": 1, "reason": "Counted again"},
    "api:seller-order-ship": {"courier": "jne-reg", "tracking_number": "JNE123"},
    "api:seller-order-cancel": {"reason": "Out of fabric"},
    "api:seller-voucher": {"value": 15},
    "api:seller-review-reply": {"reply": "Thank you"},
    "api:creator-post-tags": {"product_ids": None},  # the product filled in by the world
}
# Uploads: sent as multipart, so that a refusal is not about the media type.
MULTIPART_WRITES = {"api:seller-product-image", "api:creator-posts"}
# Writes on someone else's public object that every signed-in caller may make.
SHARED_OBJECT_WRITES = {"api:post-like", "api:post-comments", "api:creator-follow"}


def _api_endpoints():
    """(name, route, view class) of every pattern under the `api` namespace."""

    def walk(patterns, prefix, namespace):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, route, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and namespace == "api":
                yield f"api:{pattern.name}", "/" + route, pattern.callback.view_class

    return sorted(walk(get_resolver().url_patterns, "", None))


ENDPOINTS = _api_endpoints()


def _audience(view_class) -> str:
    permissions = view_class.permission_classes
    if not permissions or all(p in (AllowAny, IsAuthenticatedOrReadOnly) for p in permissions):
        return "public"
    names = {p.__name__ for p in permissions}
    return "seller" if "IsSeller" in names else "creator_user" if "IsCreator" in names else "shopper"


def _methods(view_class) -> list[str]:
    return [m for m in ["get", *WRITE_METHODS] if hasattr(view_class, m)]


def _rows(body) -> list:
    if isinstance(body, list):
        return body
    if isinstance(body, dict) and "results" in body:
        return body["results"]
    if isinstance(body, dict) and "lines" in body:
        return body["lines"]
    return [body]


def _row_id(row: dict):
    return row.get("id", row.get("shop_id"))


def _snapshot() -> dict:
    """Every row of both contexts' databases: what a refused call must leave as it was."""
    state = {}
    for label in ("storefront", "marketplace"):
        for model in apps.get_app_config(label).get_models():
            state[model._meta.label] = sorted(map(repr, model.objects.values()))
    return state


@pytest.fixture
def owned(world):
    """The shopper's delivered and reviewed order (at the seller's shop) and cart line; the
    seller's voucher; the creator's post and showcase; a running campaign."""
    shopper = world.client("shopper")
    shopper.post("/api/v1/cart/items/", {"variant_id": world.variant.id, "quantity": 1}, format="json")
    placed = shopper.post(
        "/api/v1/checkout/", {"address": ADDRESS, "payment_method": "cod"}, format="json", HTTP_IDEMPOTENCY_KEY="m"
    )
    order = placed.json()["orders"][0]
    marketplace_services.order_pack(order_id=order["id"])
    marketplace_services.order_ship(order_id=order["id"], courier="jne-reg", tracking_number="JNE1")
    marketplace_services.order_deliver(order_id=order["id"])
    review = marketplace_services.review_submit(
        buyer_id=world.shopper.id, order_line_id=order["lines"][0]["id"], stars=5, text="Bagus"
    )
    cart = shopper.post("/api/v1/cart/items/", {"variant_id": world.variant.id, "quantity": 1}, format="json")
    creator = apps.get_model("storefront", "Creator").objects.get(user_id=world.creator_user.id)
    post = post_create(creator=creator, caption="Matrix", product_ids=[world.variant.product_id])
    showcase_item_add(creator=creator, product_id=world.variant.product_id)
    creator_follow(creator_id=creator.id, user_id=world.shopper.id)
    return {
        "product_id": world.variant.product_id,
        "order_id": order["id"],
        "line_id": cart.json()["lines"][0]["id"],
        "post_id": post.id,
        "handle": "ayu",
        "slug": CampaignFactory(slug="beli-lokal").slug,
        "variant_id": world.variant.id,
        "voucher_id": VoucherFactory(shop=world.shop).id,
        "review_id": review.id,
    }


def _url(route: str, owned: dict) -> str:
    url = route
    for name, value in owned.items():
        url = url.replace(f"<int:{name}>", str(value)).replace(f"<slug:{name}>", str(value))
    assert "<" not in url, f"{route}: add its URL parameter to the `owned` fixture of the permission matrix"
    return url


def test_the_matrix_covers_every_api_endpoint():
    names = {name for name, _route, _view in ENDPOINTS}
    assert {"api:products", "api:cart", "api:checkout", "api:seller-orders", "api:token"} <= names
    assert len(names) == len(ENDPOINTS), "every API route has its own name"


@pytest.mark.django_db(databases=["default", "storefront", "marketplace"])
@pytest.mark.parametrize(("name", "route", "view_class"), ENDPOINTS, ids=[e[0] for e in ENDPOINTS])
def test_nobody_reads_or_changes_what_is_not_theirs(world, owned, name, route, view_class):
    url = _url(route, owned)
    audience = _audience(view_class)
    owner = None if audience == "public" else audience
    clients = {role: world.client(role) for role in ROLES}  # tokens first: they are not what is checked
    has_object = "<" in route

    for method in _methods(view_class):
        if method == "get":
            owner_rows = []
            if owner:
                answer = clients[owner].get(url)
                assert answer.status_code == 200, f"{name}: the owner is refused ({answer.status_code})"
                owner_rows = [_row_id(row) for row in _rows(answer.json())]
                assert owner_rows, f"{name}: the owner sees nothing, so the matrix proves nothing"
            for role in ROLES:
                if role == owner:
                    continue
                response = clients[role].get(url)
                if audience == "public":
                    assert response.status_code == 200, (name, role, response.status_code)
                elif role == "anonymous":
                    assert response.status_code == 401, (name, role, response.status_code)
                elif has_object:
                    assert response.status_code in (403, 404), (name, role, response.status_code)
                elif response.status_code == 200:
                    others = {_row_id(row) for row in _rows(response.json())}
                    assert not others & set(owner_rows), f"{name}: {role} sees the owner's rows"
                else:
                    assert response.status_code == 403, (name, role, response.status_code)
            continue

        # Writes: anonymous callers and, on someone's object, everybody but its owner are refused.
        if name in OPEN_WRITES:
            continue
        body = dict(WRITE_BODIES.get(name, {}))
        if "variant_id" in body:
            body["variant_id"] = world.variant.id
        if "product_ids" in body:
            body["product_ids"] = [world.variant.product_id]
        others = [r for r in ROLES if r not in ("anonymous", owner)]
        refused_roles = ["anonymous"] + (others if has_object and name not in SHARED_OBJECT_WRITES else [])
        for role in refused_roles:
            before = _snapshot()
            if name in MULTIPART_WRITES:
                body, sent_as = (
                    {"image": png_upload(), "caption": "x", "product_ids": [owned["product_id"]]},
                    "multipart",
                )
            else:
                sent_as = "json"
            response = getattr(clients[role], method)(url, body, format=sent_as, HTTP_IDEMPOTENCY_KEY=f"{name}-{role}")
            expected = (401,) if role == "anonymous" else (403, 404)
            assert response.status_code in expected, (name, method, role, response.status_code)
            assert response["Content-Type"] == "application/problem+json"
            assert _snapshot() == before, f"{name}: {method} by {role} changed something"
