"""Every API endpoint, found in the URL configuration, called by every kind of caller.

Nobody reads or changes what is not theirs: another caller's object is 403 or
404 and nothing changes; a list never holds another caller's rows. The owner's
own write succeeds and leaves the row it should. A new endpoint joins the matrix
by being routed; the test fails until its URL parameters (and, for a write, a
valid body and what it writes) are known below.
"""

from datetime import timedelta

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.permissions import AllowAny, IsAuthenticatedOrReadOnly

from marketplace import services as marketplace_services
from marketplace.services.ledger import Leg, ledger_post
from storefront.services import creator_follow, post_create, showcase_item_add, wishlist_add
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
    "api:creator-post-tags": {"product_ids": None},  # the other shop's product, filled in below
    "api:checkout-preview": {"province": "Bali"},
    "api:wishlist": {"product_id": None},  # the other shop's product
    "api:post-comments": {"body": "Keren"},
    "api:reviews": {"order_line_id": None, "stars": 4},  # a line of a fresh delivered order
    "api:seller-products": {
        "shop_id": None,  # the seller's shop
        "title": "Kain Tenun",
        "variants": [{"name": "M", "sku": "TENUN-M", "price": 150_000, "weight_grams": 400}],
    },
    "api:seller-vouchers": {
        "shop_id": None,
        "code": "BARU10",
        "kind": "percent",
        "value": 10,
        "starts_at": "2026-01-01T00:00:00+07:00",
        "ends_at": "2036-01-01T00:00:00+07:00",
    },
    "api:seller-bank-accounts": {"bank_code": "bni", "number": "2234567890"},
    "api:seller-payouts": {"bank_account_id": "shop_account_id", "amount": 10_000},
    "api:creator-bank-accounts": {"bank_code": "bni", "number": "3234567890"},
    "api:creator-payouts": {"bank_account_id": "creator_account_id", "amount": 10_000},
    ("api:creator-showcase-own", "post"): {"product_id": None},  # the other shop's product
    ("api:creator-showcase-own", "put"): {"product_ids": "showcase"},
    "api:shops": {
        "name": "Toko Matrix",
        "slug": "toko-matrix",
        "city": "Solo",
        "province": "Jawa Tengah",
        "pickup_address": "Jl. Slamet Riyadi 1",
        "phone": "0812 1111 2222",
    },
    "api:creator-join": {"handle": "matrix", "display_name": "Matrix", "accepts_terms": True},
}
# Uploads: sent as multipart, so that a refusal is not about the media type.
MULTIPART_WRITES = {"api:seller-product-image", "api:creator-posts"}
# Writes on someone else's public object that every signed-in caller may make.
SHARED_OBJECT_WRITES = {
    "api:post-like",
    "api:post-comments",
    "api:creator-follow",
    "api:shop-follow",
    "api:wishlist-item",
}
# What the owner's own write leaves behind: a row of that model added ("+", also the new
# version of a changed row) or removed ("-"), with these values (`o`: the `owned` ids);
# None for a write that writes nothing (a preview).
OWNER_WRITES = {
    ("api:cart-item", "patch"): ("marketplace.CartItem", "+", lambda o: {"id": o["line_id"], "quantity": 2}),
    ("api:cart-item", "delete"): ("marketplace.CartItem", "-", lambda o: {"id": o["line_id"]}),
    ("api:cart-items", "post"): ("marketplace.CartItem", "+", lambda o: {"variant_id": o["variant_id"], "quantity": 2}),
    ("api:checkout", "post"): ("marketplace.Order", "+", lambda o: {"buyer_id": o["shopper_id"], "status": "paid"}),
    ("api:checkout-preview", "post"): None,
    ("api:wishlist", "post"): (
        "storefront.WishlistItem",
        "+",
        lambda o: {"user_id": o["shopper_id"], "product_id": o["other_product_id"]},
    ),
    # The caller's own list: removing a product they never saved writes nothing
    # (tests/storefront/test_wishlist.py removes a saved one).
    ("api:wishlist-item", "delete"): None,
    ("api:creator-follow", "post"): ("storefront.Follow", "+", lambda o: {"user_id": o["writer_id"]}),
    ("api:creator-follow", "delete"): ("storefront.Follow", "-", lambda o: {"user_id": o["writer_id"]}),
    ("api:shop-follow", "post"): ("storefront.ShopFollow", "+", lambda o: {"user_id": o["writer_id"]}),
    ("api:shop-follow", "delete"): ("storefront.ShopFollow", "-", lambda o: {"user_id": o["writer_id"]}),
    ("api:shops", "post"): (
        "marketplace.Shop",
        "+",
        lambda o: {"owner_user_id": o["writer_id"], "slug": "toko-matrix"},
    ),
    ("api:creator-join", "post"): (
        "storefront.Creator",
        "+",
        lambda o: {"user_id": o["writer_id"], "handle": "matrix"},
    ),
    ("api:creator-post-tags", "put"): (
        "storefront.PostProduct",
        "+",
        lambda o: {"post_id": o["post_id"], "product_id": o["other_product_id"]},
    ),
    ("api:creator-posts", "post"): ("storefront.Post", "+", lambda o: {"caption": "x"}),
    ("api:creator-showcase-item", "delete"): (
        "storefront.ShowcaseItem",
        "-",
        lambda o: {"product_id": o["product_id"]},
    ),
    ("api:creator-showcase-own", "post"): (
        "storefront.ShowcaseItem",
        "+",
        lambda o: {"product_id": o["other_product_id"]},
    ),
    ("api:creator-showcase-own", "put"): (
        "storefront.ShowcaseItem",
        "+",
        lambda o: {"product_id": o["product_id"], "position": 1},
    ),
    ("api:order-confirm-delivery", "post"): (
        "marketplace.Order",
        "+",
        lambda o: {"id": o["order_id"], "status": "delivered"},
    ),
    ("api:order-pay", "post"): None,  # the simulated gateway's session is the payment already stored
    ("api:post-comments", "post"): ("storefront.Comment", "+", lambda o: {"user_id": o["writer_id"], "body": "Keren"}),
    ("api:post-like", "post"): ("storefront.Like", "+", lambda o: {"user_id": o["writer_id"], "post_id": o["post_id"]}),
    ("api:post-like", "delete"): (
        "storefront.Like",
        "-",
        lambda o: {"user_id": o["writer_id"], "post_id": o["post_id"]},
    ),
    ("api:reviews", "post"): ("marketplace.Review", "+", lambda o: {"order_line_id": o["fresh_line_id"], "stars": 4}),
    ("api:seller-order-cancel", "post"): (
        "marketplace.Order",
        "+",
        lambda o: {"id": o["order_id"], "status": "cancelled"},
    ),
    ("api:seller-order-pack", "post"): ("marketplace.Order", "+", lambda o: {"id": o["order_id"], "status": "packed"}),
    ("api:seller-order-ship", "post"): ("marketplace.Order", "+", lambda o: {"id": o["order_id"], "status": "shipped"}),
    ("api:seller-product", "patch"): (
        "marketplace.Product",
        "+",
        lambda o: {"id": o["product_id"], "title": "Batik Baru"},
    ),
    ("api:seller-product-image", "put"): ("marketplace.Product", "+", lambda o: {"id": o["product_id"]}),
    ("api:seller-product-status", "post"): (
        "marketplace.Product",
        "+",
        lambda o: {"id": o["product_id"], "status": "archived"},
    ),
    ("api:seller-products", "post"): (
        "marketplace.Product",
        "+",
        lambda o: {"shop_id": o["shop_id"], "title": "Kain Tenun"},
    ),
    ("api:seller-review-reply", "post"): (
        "marketplace.Review",
        "+",
        lambda o: {"id": o["review_id"], "seller_reply": "Thank you"},
    ),
    ("api:seller-variant", "patch"): ("marketplace.Variant", "+", lambda o: {"id": o["variant_id"], "price": 99_000}),
    ("api:seller-variant-stock", "post"): (
        "marketplace.StockAdjustment",
        "+",
        lambda o: {"variant_id": o["variant_id"], "delta": 1, "reason": "Counted again"},
    ),
    ("api:seller-voucher", "patch"): ("marketplace.Voucher", "+", lambda o: {"id": o["voucher_id"], "value": 15}),
    ("api:seller-voucher", "delete"): (
        "marketplace.Voucher",
        "+",
        lambda o: {"id": o["voucher_id"], "is_active": False},
    ),
    ("api:seller-bank-accounts", "post"): (
        "marketplace.BankAccount",
        "+",
        lambda o: {"payee_kind": "shop", "payee_id": o["shop_id"], "number": "2234567890"},
    ),
    ("api:seller-payouts", "post"): (
        "marketplace.Payout",
        "+",
        lambda o: {"payee_kind": "shop", "payee_id": o["shop_id"], "amount": 10_000},
    ),
    ("api:creator-bank-accounts", "post"): (
        "marketplace.BankAccount",
        "+",
        lambda o: {"payee_kind": "creator", "payee_id": o["creator_id"], "number": "3234567890"},
    ),
    ("api:creator-payouts", "post"): (
        "marketplace.Payout",
        "+",
        lambda o: {"payee_kind": "creator", "payee_id": o["creator_id"], "amount": 10_000},
    ),
    ("api:seller-vouchers", "post"): (
        "marketplace.Voucher",
        "+",
        lambda o: {"shop_id": o["shop_id"], "code": "BARU10"},
    ),
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
    return row.get("id", row.get("shop_id", row.get("payee_id")))


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
    # Money: the order completes (the shop's share available); the creator is owed Rp 50.000;
    # each has a bank account and a withdrawal.
    marketplace_services.order_complete(order_id=order["id"])
    ledger_post(
        kind="payment_captured",
        legs=[Leg("creator_available", creator.id, 50_000), Leg("gateway", None, -50_000)],
    )
    accounts = {}
    for kind, payee in (("shop", world.shop.id), ("creator", creator.id)):
        account = marketplace_services.bank_account_add(
            payee_kind=kind, payee_id=payee, bank_code="bca", number="1234567890"
        )
        marketplace_services.payout_request(
            payee_kind=kind, payee_id=payee, bank_account_id=account.id, amount=10_000, idempotency_key="m"
        )
        accounts[kind] = account.id
    post = post_create(creator=creator, caption="Matrix", product_ids=[world.variant.product_id])
    showcase_item_add(creator=creator, product_id=world.variant.product_id)
    creator_follow(creator_id=creator.id, user_id=world.shopper.id)
    wishlist_add(user_id=world.shopper.id, product_id=world.variant.product_id)
    return {
        "product_id": world.variant.product_id,
        "order_id": order["id"],
        "line_id": cart.json()["lines"][0]["id"],
        "post_id": post.id,
        "handle": "ayu",
        "slug": CampaignFactory(slug="beli-lokal").slug,
        "shop_slug": world.shop.slug,
        "variant_id": world.variant.id,
        "voucher_id": VoucherFactory(shop=world.shop).id,
        "review_id": review.id,
        "creator_id": creator.id,
        "shop_account_id": accounts["shop"],
        "creator_account_id": accounts["creator"],
    }


def _fresh_order(world, method: str, *steps) -> dict:
    """Another order of the shopper at the seller's shop, taken through `steps` (services)."""
    shopper = world.client("shopper")
    shopper.post("/api/v1/cart/items/", {"variant_id": world.variant.id, "quantity": 1}, format="json")
    placed = shopper.post(
        "/api/v1/checkout/", {"address": ADDRESS, "payment_method": method}, format="json", HTTP_IDEMPOTENCY_KEY="fresh"
    )
    order = placed.json()["orders"][0]
    for step in steps:
        step(order_id=order["id"])
    return order


def _shipped(order_id):
    marketplace_services.order_pack(order_id=order_id)
    marketplace_services.order_ship(order_id=order_id, courier="jne-reg", tracking_number="JNE2")


# Objects in the state the owner's write needs (the owned order is delivered already).
ARRANGED = {
    "api:order-pay": lambda world: {"order_id": _fresh_order(world, "virtual_account")["id"]},
    "api:seller-order-cancel": lambda world: {"order_id": _fresh_order(world, "cod")["id"]},
    "api:seller-order-pack": lambda world: {"order_id": _fresh_order(world, "cod")["id"]},
    "api:seller-order-ship": lambda world: {
        "order_id": _fresh_order(world, "cod", marketplace_services.order_pack)["id"]
    },
    "api:order-confirm-delivery": lambda world: {"order_id": _fresh_order(world, "cod", _shipped)["id"]},
    "api:reviews": lambda world: {
        "fresh_line_id": _fresh_order(world, "cod", _shipped, marketplace_services.order_deliver)["lines"][0]["id"]
    },
}


def _body(name: str, method: str, world, ids: dict) -> dict:
    body = dict(WRITE_BODIES.get((name, method), WRITE_BODIES.get(name, {})))
    fills = {
        "variant_id": world.variant.id,
        "product_ids": (
            [ids["other_product_id"], ids["product_id"]]  # the showcase (after the post), reversed
            if body.get("product_ids") == "showcase"
            else [ids["other_product_id"]]
        ),
        "product_id": ids["other_product_id"],
        "shop_id": world.shop.id,
        "order_line_id": ids.get("fresh_line_id"),
        "bank_account_id": ids.get(body.get("bank_account_id")),
    }
    return {
        key: fills[key] if key in fills and (value is None or value in ("showcase", *ids)) else value
        for key, value in body.items()
    }


def _table(label: str) -> list[dict]:
    return list(apps.get_model(label).objects.values())


def _url(route: str, owned: dict) -> str:
    url = route
    for name, value in owned.items():
        url = url.replace(f"<id:{name}>", str(value)).replace(f"<slug:{name}>", str(value))
    assert "<" not in url, f"{route}: add its URL parameter to the `owned` fixture of the permission matrix"
    if url.endswith("/statement/"):  # the last week and today, in Jakarta
        today = timezone.localdate()
        url += f"?from={today - timedelta(days=7)}&to={today}"
    return url


def test_the_matrix_covers_every_api_endpoint():
    names = {name for name, _route, _view in ENDPOINTS}
    assert {"api:products", "api:cart", "api:checkout", "api:seller-orders", "api:token"} <= names
    assert len(names) == len(ENDPOINTS), "every API route has its own name"


@pytest.mark.django_db(databases=["default", "storefront", "marketplace"])
@pytest.mark.parametrize(("name", "route", "view_class"), ENDPOINTS, ids=[e[0] for e in ENDPOINTS])
def test_nobody_reads_or_changes_what_is_not_theirs(world, owned, name, route, view_class):
    ids = {
        **owned,
        **ARRANGED.get(name, lambda world: {})(world),
        "shopper_id": world.shopper.id,
        "shop_id": world.shop.id,
        "other_product_id": world.other_variant.product_id,
    }
    url = _url(route, ids)
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
        body = _body(name, method, world, ids)
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

        # ...while the owner's own write (on a public object: anybody's) succeeds and writes what it says
        writer = "other_shopper" if name in SHARED_OBJECT_WRITES or owner is None else owner
        assert (name, method) in OWNER_WRITES, f"{name}: say in OWNER_WRITES what the owner's {method} writes"
        expected = OWNER_WRITES[(name, method)]
        label = expected[0] if expected else None
        before, rows_before = _snapshot(), _table(label) if label else []
        if name in MULTIPART_WRITES:
            body = {"image": png_upload(), "caption": "x", "product_ids": [owned["product_id"]]}
        response = getattr(clients[writer], method)(
            url,
            body,
            format="multipart" if name in MULTIPART_WRITES else "json",
            HTTP_IDEMPOTENCY_KEY=f"{name}-{writer}",
        )
        assert 200 <= response.status_code < 300, (name, method, writer, response.status_code, response.content)
        if expected is None:
            assert _snapshot() == before, f"{name}: {method} was to write nothing"
            continue
        _label, sign, values = expected
        rows_after = _table(label)
        seen_before, seen_after = set(map(repr, rows_before)), set(map(repr, rows_after))
        changed = (
            [r for r in rows_after if repr(r) not in seen_before]
            if sign == "+"
            else [r for r in rows_before if repr(r) not in seen_after]
        )
        wanted = values({**ids, "writer_id": getattr(world, writer).id})
        assert any(wanted.items() <= row.items() for row in changed), (name, method, wanted, changed)
