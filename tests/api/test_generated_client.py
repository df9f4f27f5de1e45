"""A client generated from the served schema (openapi-python-client) drives the main flows over the
WSGI application: every answer parses into the model the schema names for it, with no field the
schema does not know, and validates against the schema. A disagreement between schema and server
fails here."""

import importlib
import re
import subprocess
import sys
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from types import ModuleType

import attrs
import httpx
import pytest
import schemathesis
import yaml
from django.core.wsgi import get_wsgi_application
from django.utils import timezone

from storefront.models import Creator
from storefront.services import post_create
from tests.api.conftest import ADDRESS
from tests.wsgi import connections_kept_open

pytestmark = pytest.mark.django_db(databases=["default", "storefront", "marketplace"])

BASE = "http://testserver"
PACKAGE = "jalin_client"
GENERATOR = Path(sys.executable).with_name("openapi-python-client")


@pytest.fixture
def transport():
    with connections_kept_open():
        yield httpx.WSGITransport(app=get_wsgi_application())


@dataclass
class Generated:
    package: ModuleType
    models: ModuleType
    schema: object  # schemathesis' view of the served schema, to check each raw answer against


@pytest.fixture
def jalin(tmp_path, transport):
    """The generated package, from the schema the running application serves."""
    with httpx.Client(base_url=BASE, transport=transport) as plain:
        served = plain.get("/api/schema/")
    assert served.status_code == 200
    (tmp_path / "schema.yaml").write_bytes(served.content)
    (tmp_path / "config.yaml").write_text(f"post_hooks: []\npackage_name_override: {PACKAGE}\n")
    generated = subprocess.run(
        [
            str(GENERATOR),
            "generate",
            "--path",
            str(tmp_path / "schema.yaml"),
            "--output-path",
            str(tmp_path / PACKAGE),
            "--meta",
            "none",
            "--config",
            str(tmp_path / "config.yaml"),
            "--fail-on-warning",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert generated.returncode == 0, generated.stdout + generated.stderr
    sys.path.insert(0, str(tmp_path))
    try:
        yield Generated(
            package=importlib.import_module(PACKAGE),
            models=importlib.import_module(f"{PACKAGE}.models"),
            schema=schemathesis.openapi.from_dict(yaml.safe_load(served.content)),
        )
    finally:
        sys.path.remove(str(tmp_path))
        for name in [name for name in sys.modules if name == PACKAGE or name.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


class Caller:
    """The generated client over the WSGI transport, as one user (or nobody)."""

    def __init__(self, jalin: Generated, transport, token: str = ""):
        self.jalin = jalin
        headers = {"Authorization": f"Token {token}"} if token else {}
        if token:
            self.client = jalin.package.AuthenticatedClient(base_url=BASE, token=token, prefix="Token")
        else:
            # The generated signatures ask for an AuthenticatedClient wherever a token is accepted,
            # though the schema lets these operations be called without one.
            self.client = jalin.package.Client(base_url=BASE)
        self.client.raise_on_unexpected_status = True
        self.answers: list[httpx.Response] = []
        self.client.set_httpx_client(
            httpx.Client(base_url=BASE, transport=transport, headers=headers, event_hooks={"response": [self._keep]})
        )

    def _keep(self, response: httpx.Response) -> None:
        response.read()
        self.answers.append(response)

    def __call__(self, operation: str, model: str | None, status: int = 200, **arguments):
        """Calls `tag.operation_id`; the answer must have `status` and parse into `model`."""
        tag, name = operation.split(".")
        endpoint = importlib.import_module(f"{PACKAGE}.api.{tag}.{name}")
        response = endpoint.sync_detailed(client=self.client, **arguments)
        assert response.status_code == status, response.content
        # Status, content type and body (types, nullability, required fields) as the schema says.
        self.jalin.schema.find_operation_by_id(name).validate_response(self.answers[-1])
        if model is None:
            assert response.parsed is None and response.content == b""
            return None
        expected = getattr(self.jalin.models, model)
        assert isinstance(response.parsed, expected), (type(response.parsed), response.content)
        unknown = _unknown_fields(response.parsed)
        assert unknown == [], f"answered fields the schema does not name: {unknown}"
        return response.parsed


def _unknown_fields(value, where: str = "") -> list[str]:
    """Keys of the answer that landed in a model's `additional_properties`: fields the schema lacks.
    (A model of a free-form object, such as the preview's problems, has nothing else.)"""
    if isinstance(value, list):
        return [found for index, item in enumerate(value) for found in _unknown_fields(item, f"{where}[{index}]")]
    if not attrs.has(type(value)):
        return []
    declared = [field.name for field in attrs.fields(type(value)) if field.name != "additional_properties"]
    found = [f"{where}.{key}" for key in value.additional_properties] if declared else []
    for name in declared:
        found += _unknown_fields(getattr(value, name), f"{where}.{name}")
    return found


def _token(jalin, transport, username: str) -> str:
    anonymous = Caller(jalin, transport)
    body = jalin.models.TokenRequest(username=username, password="jalin-test-pw")
    return anonymous("auth.auth_token_create", "Token", body=body).token


def _pay_on_the_gateway_page(transport, pay_url: str) -> int:
    """What the browser does on the hosted page: load it (CSRF cookie and token) and submit its form."""
    with httpx.Client(base_url=BASE, transport=transport) as browser:
        page = browser.get(pay_url)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        return browser.post(pay_url, data={"csrfmiddlewaretoken": token}).status_code


def test_the_generated_client_shops_sells_and_socialises(jalin, transport, world):
    m = jalin.models
    post = post_create(
        creator=Creator.objects.get(handle="ayu"),
        caption="Batik favorit #belilokal",
        product_ids=[world.variant.product_id],
    )
    anonymous = Caller(jalin, transport)

    # Discovery, signed out
    listing = anonymous("products.products_list", "PaginatedProductCardList", q="batik")
    assert [card.title for card in listing.results] == ["Batik Tulis Parang"]
    product = anonymous("products.products_retrieve", "ProductDetail", product_id=world.variant.product_id)
    assert (product.shop_name, product.variants[0].id, product.variants[0].stock_available) == (
        "Toko Ayu",
        world.variant.id,
        5,
    )
    feed = anonymous("feed.feed_list", "PaginatedPostList")
    assert [item.id for item in feed.results] == [post.id]
    shown = anonymous("posts.posts_retrieve", "Post", post_id=post.id)
    assert (shown.caption, shown.creator.handle, [p.id for p in shown.products]) == (
        "Batik favorit #belilokal",
        "ayu",
        [world.variant.product_id],
    )
    assert anonymous("creators.creators_retrieve", "Creator", handle="ayu").display_name
    couriers = anonymous("couriers.couriers_list", "PaginatedCourierList")
    assert m.CourierEnum.JNE_REG in [courier.code for courier in couriers.results]

    # The seller: a voucher, a new product, its price and stock
    seller = Caller(jalin, transport, _token(jalin, transport, "seller"))
    now = timezone.now()
    voucher = seller(
        "seller.seller_vouchers_create",
        "Voucher",
        201,
        body=m.VoucherCreateRequest(
            shop_id=world.shop.id,
            code="GENERATED10",
            kind=m.VoucherKindEnum.PERCENT,
            value=10,
            starts_at=now - timedelta(hours=1),
            ends_at=now + timedelta(days=7),
        ),
    )
    assert (voucher.code, voucher.kind, voucher.used_count) == ("GENERATED10", m.VoucherKindEnum.PERCENT, 0)
    changed = seller(
        "seller.seller_vouchers_partial_update",
        "Voucher",
        voucher_id=voucher.id,
        body=m.PatchedVoucherWriteRequest(max_discount=20_000),
    )
    assert changed.max_discount == 20_000
    vouchers = seller("seller.seller_vouchers_list", "PaginatedVoucherList")
    assert [v.code for v in vouchers.results] == ["GENERATED10"]

    created = seller(
        "seller.seller_products_create",
        "SellerProduct",
        201,
        body=m.ProductCreateRequest(
            shop_id=world.shop.id,
            title="Tas Anyaman Pandan",
            variants=[m.VariantCreateRequest(name="Besar", sku="TAS-B", price=90_000, weight_grams=400)],
        ),
    )
    assert (created.title, created.status, created.variants[0].stock_on_hand) == (
        "Tas Anyaman Pandan",
        m.ProductStatusEnum.DRAFT,
        0,
    )
    renamed = seller(
        "seller.seller_products_partial_update",
        "SellerProduct",
        product_id=created.id,
        body=m.PatchedProductUpdateRequest(title="Tas Anyaman Pandan Besar"),
    )
    assert renamed.title == "Tas Anyaman Pandan Besar"
    repriced = seller(
        "seller.seller_variants_partial_update",
        "SellerVariant",
        variant_id=created.variants[0].id,
        body=m.PatchedVariantUpdateRequest(price=95_000),
    )
    assert repriced.price == 95_000
    stocked = seller(
        "seller.seller_variants_stock_create",
        "StockAdjustment",
        201,
        variant_id=created.variants[0].id,
        body=m.StockAdjustRequest(delta=7, reason="Stok awal"),
    )
    assert (stocked.delta, stocked.on_hand_after) == (7, 7)

    # The shopper: the cart, a preview with the voucher, checkout, the orders and the payment
    shopper = Caller(jalin, transport, _token(jalin, transport, "shopper"))
    cart = shopper(
        "cart.cart_items_create", "Cart", 201, body=m.CartItemCreateRequest(variant_id=world.variant.id, quantity=1)
    )
    line_id = cart.lines[0].id
    cart = shopper("cart.cart_items_partial_update", "Cart", line_id=line_id, body=m.CartItemUpdateRequest(quantity=2))
    assert (cart.total, cart.item_count) == (250_000, 2)
    cart = shopper(
        "cart.cart_items_create",
        "Cart",
        201,
        body=m.CartItemCreateRequest(variant_id=world.other_variant.id, quantity=1),
    )
    other_line = next(line.id for line in cart.lines if line.variant_id == world.other_variant.id)
    shopper("cart.cart_items_destroy", None, 204, line_id=other_line)
    assert [line.id for line in shopper("cart.cart_retrieve", "Cart").lines] == [line_id]

    shipping = [m.ShippingChoiceRequest(shop_id=world.shop.id, courier=m.CourierEnum.JNE_REG)]
    chosen = [m.VoucherChoiceRequest(shop_id=world.shop.id, code="GENERATED10")]
    preview = shopper(
        "checkout.checkout_preview_create",
        "CheckoutPreview",
        body=m.CheckoutPreviewRequest(province=ADDRESS["province"], shipping=shipping, vouchers=chosen),
    )
    assert preview.problems.additional_properties == {}
    assert [(t.shop_id, t.subtotal, t.discount) for t in preview.shop_totals] == [(world.shop.id, 250_000, 20_000)]

    placed = shopper(
        "checkout.checkout_create",
        "CheckoutResult",
        201,
        idempotency_key="generated-client-1",
        body=m.CheckoutRequest(
            address=m.AddressRequest(**ADDRESS),
            payment_method=m.PaymentMethodEnum.VIRTUAL_ACCOUNT,
            shipping=shipping,
            vouchers=chosen,
        ),
    )
    assert placed.total == preview.total
    (order,) = placed.orders
    assert (order.voucher_code, order.discount, order.status) == ("GENERATED10", 20_000, "pending_payment")
    assert placed.payment.amount == placed.total

    orders = shopper("orders.orders_list", "PaginatedOrderList")
    assert [o.id for o in orders.results] == [order.id]
    payment = shopper("orders.orders_pay_create", "Payment", order_id=order.id)
    assert (payment.status, payment.order_ids, payment.pay_url) == ("pending", [order.id], placed.payment.pay_url)
    assert _pay_on_the_gateway_page(transport, payment.pay_url) == 302
    assert shopper("orders.orders_retrieve", "Order", order_id=order.id).status == "paid"

    # ...which the seller packs and ships
    packed = seller("seller.seller_orders_pack_create", "SellerOrder", order_id=order.id)
    assert (packed.status, packed.lines[0].quantity) == (m.OrderStatusEnum.PACKED, 2)
    shipped = seller(
        "seller.seller_orders_ship_create",
        "SellerOrder",
        order_id=order.id,
        body=m.OrderShipRequest(courier=m.CourierEnum.JNE_REG, tracking_number="JNE0042"),
    )
    assert (shipped.status, shipped.tracking_number) == (m.OrderStatusEnum.SHIPPED, "JNE0042")

    # Likes, comments and follows
    liked = shopper("posts.posts_like_create", "Like", post_id=post.id)
    assert (liked.liked, liked.like_count) == (True, 1)
    comment = shopper(
        "posts.posts_comments_create", "Comment", 201, post_id=post.id, body=m.CommentCreateRequest(body="Cantik!")
    )
    assert (comment.body, comment.author_name) == ("Cantik!", "shopper")
    comments = anonymous("posts.posts_comments_list", "PaginatedCommentList", post_id=post.id)
    assert [c.id for c in comments.results] == [comment.id]
    followed = shopper("creators.creators_follow_create", "Follow", handle="ayu")
    assert (followed.following, followed.follower_count) == (True, 1)
    following = shopper("feed.feed_following_retrieve", "FeedPage")
    assert ([p.id for p in following.results], following.next_) == ([post.id], None)
    shopper("posts.posts_like_destroy", None, 204, post_id=post.id)
    shopper("creators.creators_follow_destroy", None, 204, handle="ayu")
    assert anonymous("posts.posts_retrieve", "Post", post_id=post.id).like_count == 0
