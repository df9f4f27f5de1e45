"""Contract tests of `MarketplacePort`: they speak to the port only (data is arranged
with factories), so the same tests hold for every transport."""

import inspect

import pytest

from integration import contracts
from integration.http import HttpPort
from marketplace import services
from marketplace.models import Payment, ProductStatus
from marketplace.payments import SimulatedGateway
from marketplace.provider import MarketplaceProvider
from tests.factories import CategoryFactory, VariantFactory, VoucherFactory
from tests.queries import count_queries

pytestmark = pytest.mark.django_db(databases=["default", "marketplace"])
BUYER = 1001
ADDRESS = contracts.Address("Ayu", "0812", "Jl. Malioboro 52", "Yogyakarta", "DI Yogyakarta", "55271")


def _checkout(port, key="k1", method="virtual_account", **extra):
    return port.checkout(
        contracts.CheckoutCommand(buyer_id=BUYER, address=ADDRESS, payment_method=method, idempotency_key=key, **extra)
    )


def _delivered(port, variant):
    port.add_to_cart(buyer_id=BUYER, variant_id=variant.id, quantity=1)
    (order,) = _checkout(port, key=f"cod-{variant.id}", method="cod").orders
    services.order_pack(order_id=order.id)
    services.order_ship(order_id=order.id, courier="jne-reg", tracking_number="T1")
    return port.confirm_delivery(buyer_id=BUYER, order_id=order.id)


def test_the_provider_implements_every_port_method_with_the_same_parameters():
    for name, member in inspect.getmembers(contracts.MarketplacePort, inspect.isfunction):
        if name.startswith("_"):
            continue
        implemented = getattr(MarketplaceProvider, name)
        assert inspect.signature(implemented, eval_str=True) == inspect.signature(member, eval_str=True), name
    assert isinstance(MarketplaceProvider(), contracts.MarketplacePort)


def test_products_are_read_in_bulk_in_the_order_asked(port):
    first, second = VariantFactory(price=10_000), VariantFactory(price=20_000)

    with count_queries() as queries:
        details = port.get_products([second.product_id, 999_999, first.product_id])

    assert [(d.summary.product_id, d.variants[0].price) for d in details] == [
        (second.product_id, 20_000),
        (first.product_id, 10_000),
    ]
    if not isinstance(port, HttpPort):  # over HTTP the queries run in the server's process
        more = [VariantFactory(price=30_000 + n).product_id for n in range(4)]
        with count_queries() as more_queries:
            six = port.get_products([*more, second.product_id, first.product_id])
        assert [d.variants[0].price for d in six] == [30_000, 30_001, 30_002, 30_003, 20_000, 10_000]
        # products with their shops, their variants, and which of the shops ship free: the same
        # 3 queries for 2 products as for 6
        assert len(queries) == len(more_queries) == 3, (queries, more_queries)
    with pytest.raises(contracts.NotFound):
        port.get_product(999_999)


def test_categories_are_listed(port):
    parent = CategoryFactory(name="Fashion", slug="fashion")
    child = CategoryFactory(name="Batik", slug="batik", parent=parent)

    assert port.list_categories() == [
        contracts.CategoryDTO(id=child.id, name="Batik", slug="batik", parent_id=parent.id),
        contracts.CategoryDTO(id=parent.id, name="Fashion", slug="fashion", parent_id=None),
    ]


@pytest.mark.parametrize(
    ("quantity", "field"), [(0, "quantity"), (-3, "quantity"), (10**9, "quantity"), ("2", "quantity"), (11, "quantity")]
)
def test_bad_cart_quantities_are_refused_and_write_nothing(port, quantity, field):
    variant = VariantFactory(stock_on_hand=10)

    with pytest.raises(contracts.InvalidRequest) as refused:
        port.add_to_cart(buyer_id=BUYER, variant_id=variant.id, quantity=quantity)

    assert list(refused.value.fields) == [field]
    assert port.get_cart(BUYER).lines == ()


def test_unknown_or_archived_variants_and_other_buyers_lines_are_refused(port):
    archived = VariantFactory(product__status=ProductStatus.ARCHIVED)
    mine = VariantFactory()
    cart = port.add_to_cart(buyer_id=BUYER, variant_id=mine.id, quantity=1)

    for variant_id in (999_999, archived.id):
        with pytest.raises(contracts.InvalidRequest) as refused:
            port.add_to_cart(buyer_id=BUYER, variant_id=variant_id, quantity=1)
        assert list(refused.value.fields) == ["variant_id"]
    with pytest.raises(contracts.NotFound):
        port.update_cart_line(buyer_id=BUYER + 1, line_id=cart.lines[0].id, quantity=5)
    assert port.get_cart(BUYER).lines[0].quantity == 1


def test_preview_reports_options_totals_and_problems(port):
    variant = VariantFactory(price=100_000, weight_grams=500)
    shop_id = variant.product.shop_id
    VoucherFactory(shop=variant.product.shop, code="HEMAT10", value=10)
    port.add_to_cart(buyer_id=BUYER, variant_id=variant.id, quantity=2)
    variant.price = 110_000
    variant.save()

    preview = port.preview_checkout(
        buyer_id=BUYER,
        province="Bali",
        shipping=(contracts.ShippingChoice(shop_id=shop_id, courier="sicepat-reg"),),
        vouchers=(contracts.VoucherChoice(shop_id=shop_id, code="hemat10"),),
    )

    assert [(o.courier, o.fee) for o in preview.shipping_options] == [
        ("jne-reg", 23_000),
        ("sicepat-reg", 23_000),
        ("jnt-ez", 23_000),
        ("jne-yes", 40_000),
    ]
    assert preview.shop_totals == ((shop_id, 220_000, 23_000, 22_000),)
    assert preview.total == 221_000
    line_id = preview.cart.lines[0].id
    assert preview.problems == {
        f"line_{line_id}": ["The price of " + variant.product.title + " changed from Rp 100.000 to Rp 110.000."]
    }


def test_checkout_pays_through_the_gateway_and_orders_follow(port, client):
    variant = VariantFactory(price=100_000)
    port.add_to_cart(buyer_id=BUYER, variant_id=variant.id, quantity=1)

    result = _checkout(port)
    (order,) = result.orders
    assert (order.status, order.total, order.pay_before is not None) == ("pending_payment", 115_000, True)
    assert (result.payment.amount, result.payment.status, result.payment.order_ids) == (115_000, "pending", (order.id,))
    assert port.start_payment(buyer_id=BUYER, order_id=order.id) == result.payment
    assert _checkout(port) == result  # the same key and request: the same answer

    client.post(result.payment.pay_url)

    assert port.get_payment(buyer_id=BUYER, payment_id=result.payment.id).status == "paid"
    paid = port.get_order(buyer_id=BUYER, order_id=order.id)
    assert ([c.status for c in paid.timeline], paid.pay_before) == (["pending_payment", "paid"], None)
    assert port.list_orders(BUYER) == [paid]
    with pytest.raises(contracts.InvalidRequest):
        port.start_payment(buyer_id=BUYER, order_id=order.id)
    with pytest.raises(contracts.NotFound):
        port.get_payment(buyer_id=BUYER + 1, payment_id=result.payment.id)
    assert Payment.objects.get().gateway == SimulatedGateway.name


def test_delivery_then_one_review_per_line(port):
    variant = VariantFactory()
    delivered = _delivered(port, variant)
    assert delivered.status == "delivered"

    review = port.submit_review(buyer_id=BUYER, order_line_id=delivered.lines[0].id, stars=4, text="Mantap")

    assert (review.stars, review.text, review.product_id) == (4, "Mantap", variant.product_id)
    assert port.list_reviews(product_id=variant.product_id) == [review]
    assert port.get_order(buyer_id=BUYER, order_id=delivered.id).lines[0].reviewed is True
    with pytest.raises(contracts.Conflict):
        port.submit_review(buyer_id=BUYER, order_line_id=delivered.lines[0].id, stars=4, text="")
    with pytest.raises(contracts.InvalidRequest):
        port.confirm_delivery(buyer_id=BUYER, order_id=delivered.id)
