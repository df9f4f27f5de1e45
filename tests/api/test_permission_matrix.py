"""Every API endpoint, found in the URL configuration, called by every kind of caller.

Nobody reads or changes what is not theirs: another caller's object is 403 or
404 and nothing changes; a list never holds another caller's rows. A new
endpoint joins the matrix by being routed; the test fails until its URL
parameters (and, for a write, a valid body) are known below.
"""

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.permissions import AllowAny

from storefront.services import post_create
from tests.api.conftest import ADDRESS

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
}


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
    if not permissions or all(p is AllowAny for p in permissions):
        return "public"
    return "seller" if any(p.__name__ == "IsSeller" for p in permissions) else "shopper"


def _methods(view_class) -> list[str]:
    return [m for m in ["get", *WRITE_METHODS] if hasattr(view_class, m)]


def _rows(body) -> list:
    if isinstance(body, dict) and "results" in body:
        return body["results"]
    if isinstance(body, dict) and "lines" in body:
        return body["lines"]
    return [body]


def _snapshot() -> dict:
    """Every row of both contexts' databases: what a refused call must leave as it was."""
    state = {}
    for label in ("storefront", "marketplace"):
        for model in apps.get_app_config(label).get_models():
            state[model._meta.label] = sorted(map(repr, model.objects.values()))
    return state


@pytest.fixture
def owned(world):
    """The shopper's order (at the seller's shop) and cart line, and the creator's post."""
    shopper = world.client("shopper")
    shopper.post("/api/v1/cart/items/", {"variant_id": world.variant.id, "quantity": 1}, format="json")
    placed = shopper.post(
        "/api/v1/checkout/", {"address": ADDRESS, "payment_method": "cod"}, format="json", HTTP_IDEMPOTENCY_KEY="m"
    )
    cart = shopper.post("/api/v1/cart/items/", {"variant_id": world.variant.id, "quantity": 1}, format="json")
    creator = apps.get_model("storefront", "Creator").objects.get(user_id=world.creator_user.id)
    post = post_create(creator=creator, caption="Matrix", product_ids=[world.variant.product_id])
    return {
        "product_id": world.variant.product_id,
        "order_id": placed.json()["orders"][0]["id"],
        "line_id": cart.json()["lines"][0]["id"],
        "post_id": post.id,
        "handle": "ayu",
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
    owner = {"public": None, "shopper": "shopper", "seller": "seller"}[audience]
    clients = {role: world.client(role) for role in ROLES}  # tokens first: they are not what is checked
    has_object = "<" in route

    for method in _methods(view_class):
        if method == "get":
            owner_rows = []
            if owner:
                answer = clients[owner].get(url)
                assert answer.status_code == 200, f"{name}: the owner is refused ({answer.status_code})"
                owner_rows = [row["id"] for row in _rows(answer.json())]
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
                    others = {row["id"] for row in _rows(response.json())}
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
        refused_roles = ["anonymous"] + ([r for r in ROLES if r not in ("anonymous", owner)] if has_object else [])
        for role in refused_roles:
            before = _snapshot()
            response = getattr(clients[role], method)(url, body, format="json", HTTP_IDEMPOTENCY_KEY=f"{name}-{role}")
            expected = (401,) if role == "anonymous" else (403, 404)
            assert response.status_code in expected, (name, method, role, response.status_code)
            assert response["Content-Type"] == "application/problem+json"
            assert _snapshot() == before, f"{name}: {method} by {role} changed something"
