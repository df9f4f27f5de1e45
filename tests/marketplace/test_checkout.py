import pytest

from integration import contracts
from marketplace import services
from marketplace.models import (
    CartItem,
    Checkout,
    Order,
    OrderStatus,
    OutboxEvent,
    Payment,
    ProductStatus,
    Variant,
    Voucher,
    VoucherKind,
)
from tests.factories import ProductFactory, ShopFactory, VariantFactory, VoucherFactory
from tests.marketplace.conftest import command, fill_cart, place

pytestmark = pytest.mark.django_db(databases=["default", "marketplace"])
BUYER = 501


def _nothing_written():
    return (Order.objects.count(), Checkout.objects.count(), Payment.objects.count())


def test_a_cart_of_two_shops_becomes_two_orders_and_one_payment():
    # Given a cart with items of two shops, one across provinces
    local = VariantFactory(price=100_000, weight_grams=400, stock_on_hand=5)
    far = VariantFactory(price=50_000, weight_grams=1500, product__shop__province="Bali")
    fill_cart(BUYER, (local, 2), (far, 1))

    # When the buyer checks out with the default (cheapest) couriers
    orders = services.checkout_place(command=command(BUYER))

    # Then each shop has its own order, fees by weight and destination, one payment for both
    assert [(o.shop_id, o.subtotal, o.shipping_fee, o.total, o.status, o.courier) for o in orders] == [
        (local.product.shop_id, 200_000, 15_000, 215_000, "pending_payment", "jne-reg"),
        (far.product.shop_id, 50_000, 29_000, 79_000, "pending_payment", "jne-reg"),
    ]
    payment = Payment.objects.get()
    assert (payment.amount, payment.status, sorted(payment.orders.values_list("id", flat=True))) == (
        294_000,
        "pending",
        [o.id for o in orders],
    )
    assert (
        orders[0].number
        == f"INV/{orders[0].placed_at.astimezone().strftime('%Y%m%d')}/{local.product.shop_id}/{orders[0].id:08d}"
    )
    assert Variant.objects.get(id=local.id).stock_reserved == 2
    assert CartItem.objects.count() == 0
    assert list(OutboxEvent.objects.values_list("type", flat=True)) == ["marketplace.order.placed"] * 2


def test_a_chosen_courier_and_a_voucher_are_priced_server_side():
    variant = VariantFactory(price=200_000, weight_grams=500)
    shop = variant.product.shop
    VoucherFactory(shop=shop, code="HEMAT10", kind=VoucherKind.PERCENT, value=10, max_discount=15_000)
    fill_cart(BUYER, (variant, 1))

    (order,) = services.checkout_place(
        command=command(
            BUYER,
            shipping=(contracts.ShippingChoice(shop_id=shop.id, courier="jne-yes"),),
            vouchers=(contracts.VoucherChoice(shop_id=shop.id, code="hemat10"),),
        )
    )

    assert (order.subtotal, order.shipping_fee, order.discount, order.total) == (200_000, 28_000, 15_000, 213_000)
    assert Voucher.objects.get(code="HEMAT10").used_count == 1


def test_cash_on_delivery_skips_payment_and_takes_stock_off_the_shelf():
    variant = VariantFactory(stock_on_hand=4)

    (order,) = place(BUYER, (variant, 3), method="cod")

    assert order.status == OrderStatus.PAID and order.payment_id is None
    stock = Variant.objects.get(id=variant.id)
    assert (stock.stock_on_hand, stock.stock_reserved) == (1, 0)
    assert list(order.timeline.values_list("status", "note")) == [("pending_payment", ""), ("paid", "cod")]
    assert list(OutboxEvent.objects.values_list("type", flat=True)) == [
        "marketplace.order.placed",
        "marketplace.order.paid",
    ]


def test_the_same_key_and_request_returns_the_same_orders():
    variant = VariantFactory()
    first = place(BUYER, (variant, 1), key="abc")

    again = services.checkout_place(command=command(BUYER, key="abc"))

    assert [o.id for o in again] == [o.id for o in first]
    assert Order.objects.count() == 1


def test_a_resubmit_without_the_attributions_returns_the_same_orders():
    # Given a checkout placed with an attribution (the storefront forgets it afterwards)
    variant = VariantFactory()
    attribution = contracts.Attribution(product_id=variant.product_id, source="post", creator_id=7, post_id=9)
    first = place(BUYER, (variant, 1), key="abc", attributions=(attribution,))

    # When the same request is resubmitted with the same key but no attributions
    again = services.checkout_place(command=command(BUYER, key="abc"))

    # Then it replays the first answer
    assert [o.id for o in again] == [o.id for o in first]
    assert Order.objects.count() == 1


def test_the_same_key_with_another_request_is_refused():
    variant = VariantFactory()
    place(BUYER, (variant, 1), key="abc")

    with pytest.raises(contracts.Conflict) as refused:
        services.checkout_place(command=command(BUYER, key="abc", method="ewallet"))

    assert refused.value.code == "idempotency_key_reused"
    assert Order.objects.count() == 1


def test_a_stock_out_since_adding_is_reported_and_nothing_is_written():
    variant = VariantFactory(stock_on_hand=3)
    fill_cart(BUYER, (variant, 3))
    Variant.objects.filter(id=variant.id).update(stock_on_hand=1)

    with pytest.raises(contracts.InvalidRequest) as refused:
        services.checkout_place(command=command(BUYER))

    assert refused.value.code == "out_of_stock"
    assert list(refused.value.fields.values()) == [[f"Only 1 of {variant.product.title} (M) left."]]
    assert _nothing_written() == (0, 0, 0)
    assert CartItem.objects.count() == 1


def test_an_archived_product_in_the_cart_is_refused_at_checkout():
    variant = VariantFactory()
    fill_cart(BUYER, (variant, 1))
    variant.product.status = ProductStatus.ARCHIVED
    variant.product.save()

    with pytest.raises(contracts.InvalidRequest):
        services.checkout_place(command=command(BUYER))

    assert _nothing_written() == (0, 0, 0)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"method": "bitcoin"}, "payment_method"),
        ({"key": "x" * 101}, "idempotency_key"),
        ({"address": contracts.Address("", "1", "2", "3", "4", "5")}, "recipient"),
        ({"shipping": (contracts.ShippingChoice(shop_id=1, courier="jne-reg"),) * 2}, "shipping"),
    ],
)
def test_bad_checkout_input_is_refused_with_the_field_and_writes_nothing(change, field):
    fill_cart(BUYER, (VariantFactory(), 1))

    with pytest.raises(contracts.InvalidRequest) as refused:
        services.checkout_place(command=command(BUYER, **change))

    assert list(refused.value.fields) == [field]
    assert _nothing_written() == (0, 0, 0)


def test_without_a_usable_gateway_online_payment_is_refused_and_cash_on_delivery_still_works(settings):
    settings.PAYMENT_SIMULATOR_ENABLED = False  # production with no gateway configured
    variant = VariantFactory(stock_on_hand=5)
    fill_cart(BUYER, (variant, 1))

    with pytest.raises(contracts.InvalidRequest) as refused:
        services.checkout_place(command=command(BUYER, method="ewallet"))

    assert list(refused.value.fields) == ["payment_method"]
    assert _nothing_written() == (0, 0, 0)
    assert len(services.checkout_place(command=command(BUYER, method="cod"))) == 1


def test_an_empty_cart_unknown_courier_or_foreign_shop_is_refused():
    with pytest.raises(contracts.InvalidRequest, match="Your cart is empty"):
        services.checkout_place(command=command(BUYER))
    variant = VariantFactory()
    fill_cart(BUYER, (variant, 1))
    shop_id = variant.product.shop_id
    with pytest.raises(contracts.InvalidRequest, match="offered couriers"):
        services.checkout_place(
            command=command(BUYER, shipping=(contracts.ShippingChoice(shop_id=shop_id, courier="kuda"),))
        )
    with pytest.raises(contracts.InvalidRequest, match="not in your cart"):
        services.checkout_place(
            command=command(BUYER, vouchers=(contracts.VoucherChoice(shop_id=ShopFactory().id, code="X"),))
        )
    assert _nothing_written() == (0, 0, 0)


@pytest.mark.parametrize(
    ("voucher", "message"),
    [
        ({"min_spend": 500_000}, "Spend at least Rp 500.000 at this shop to use this voucher."),
        ({"usage_limit": 0}, "This voucher has been fully used."),
        ({"is_active": False}, "This voucher does not exist for this shop."),
        ({"code": "LAIN"}, "This voucher does not exist for this shop."),
    ],
)
def test_an_unusable_voucher_is_refused_and_writes_nothing(voucher, message):
    variant = VariantFactory(price=100_000)
    VoucherFactory(**{"shop": variant.product.shop, "code": "HEMAT10", **voucher})
    fill_cart(BUYER, (variant, 1))

    with pytest.raises(contracts.InvalidRequest) as refused:
        services.checkout_place(
            command=command(BUYER, vouchers=(contracts.VoucherChoice(shop_id=variant.product.shop_id, code="HEMAT10"),))
        )

    assert refused.value.fields == {"vouchers": [message]}
    assert _nothing_written() == (0, 0, 0)


def test_a_voucher_is_used_once_per_buyer_by_default():
    variant = VariantFactory(price=100_000)
    shop = variant.product.shop
    VoucherFactory(shop=shop, code="SEKALI", kind=VoucherKind.FIXED, value=5_000)
    choice = (contracts.VoucherChoice(shop_id=shop.id, code="SEKALI"),)
    (order,) = place(BUYER, (variant, 1), vouchers=choice)
    assert order.discount == 5_000

    fill_cart(BUYER, (variant, 1))
    with pytest.raises(contracts.InvalidRequest, match="already used"):
        services.checkout_place(command=command(BUYER, vouchers=choice))


def test_attribution_snapshots_the_commission_rate():
    variant = VariantFactory(product__commission_bp=750)
    other = VariantFactory(product=ProductFactory(shop=variant.product.shop))
    attribution = contracts.Attribution(product_id=variant.product_id, source="post", creator_id=7, post_id=9)

    (order,) = place(BUYER, (variant, 1), (other, 1), attributions=(attribution,))

    assert list(order.lines.values_list("product_id", "attribution_source", "creator_id", "commission_bp")) == [
        (variant.product_id, "post", 7, 750),
        (other.product_id, "", None, 0),
    ]
