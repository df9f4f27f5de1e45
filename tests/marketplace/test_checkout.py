from dataclasses import replace
from datetime import UTC, datetime

import pytest
import time_machine
from django.db import IntegrityError, connections
from django.test.utils import CaptureQueriesContext

from integration import contracts
from marketplace import services
from marketplace.models import (
    CartItem,
    Checkout,
    Order,
    OrderLine,
    OrderStatus,
    OutboxEvent,
    Payment,
    Product,
    ProductStatus,
    Variant,
    Voucher,
    VoucherKind,
    VoucherUse,
)
from tests.factories import ProductFactory, ShopFactory, VariantFactory, VoucherFactory
from tests.marketplace.conftest import ADDRESS, command, fill_cart, place
from tests.transactions import one_transaction_on

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
    assert (refused.value.message, refused.value.fields) == (
        "This idempotency key was already used for a different checkout.",
        {"idempotency_key": ["Already used for a different checkout."]},
    )
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


def test_an_online_order_records_the_address_the_payment_window_the_lines_and_the_sales():
    # Given two sizes of one product and another product of the same shop, one of them shared by a post
    shop = ShopFactory()
    product = ProductFactory(shop=shop, title="Batik Parang", commission_bp=800)
    small = VariantFactory(product=product, name="S", price=90_000, stock_on_hand=5)
    large = VariantFactory(product=product, name="XL", price=110_000, stock_on_hand=5)
    scarf = VariantFactory(product__shop=shop, product__title="Selendang", name="Biru", price=40_000)
    fill_cart(BUYER, (small, 2), (large, 1), (scarf, 1))
    shared = contracts.Attribution(product_id=product.id, source="campaign", creator_id=11, post_id=22, campaign_id=33)

    # When the buyer checks out by virtual account at 20:00 UTC, 03:00 the next day in Jakarta
    placed_at = datetime(2026, 12, 3, 20, 0, tzinfo=UTC)
    with time_machine.travel(placed_at, tick=False):
        (order,) = services.checkout_place(command=command(BUYER, attributions=(shared,)))

    # Then the order carries the address, the courier and a 30-minute window to pay
    order = Order.objects.get(id=order.id)
    assert order.number == f"INV/20261204/{shop.id}/{order.id:08d}"
    assert (order.recipient, order.phone, order.street, order.city, order.province, order.postal_code) == (
        "Ayu Lestari",
        "0812 3456 7890",
        "Jl. Malioboro 52",
        "Yogyakarta",
        "DI Yogyakarta",
        "55271",
    )
    assert (order.buyer_id, order.payment_method, order.courier, order.voucher_id, order.stock_committed) == (
        BUYER,
        "virtual_account",
        "jne-reg",
        None,
        False,
    )
    # 4 x 500 g: two started kilograms by JNE Reguler within the province, 9.000 + 2 x 6.000
    assert (order.subtotal, order.shipping_fee, order.discount, order.total) == (330_000, 21_000, 0, 351_000)
    assert order.pay_before == datetime(2026, 12, 3, 20, 30, tzinfo=UTC)
    payment = Payment.objects.get()
    assert (payment.buyer_id, payment.method, payment.amount, payment.expires_at, payment.checkout_id) == (
        BUYER,
        "virtual_account",
        351_000,
        datetime(2026, 12, 3, 20, 30, tzinfo=UTC),
        order.checkout_id,
    )
    assert len(payment.reference) == 32
    assert list(order.timeline.values_list("status", "note")) == [("pending_payment", "")]
    # ...each line as it was sold, the shared product's lines with their attribution
    lines = OrderLine.objects.filter(order=order).order_by("variant_id")
    assert [
        (
            line.product_id,
            line.title,
            line.variant_name,
            line.unit_price,
            line.quantity,
            line.attribution_source,
            line.creator_id,
            line.post_id,
            line.campaign_id,
            line.commission_bp,
        )
        for line in lines
    ] == [
        (product.id, "Batik Parang", "S", 90_000, 2, "campaign", 11, 22, 33, 800),
        (product.id, "Batik Parang", "XL", 110_000, 1, "campaign", 11, 22, 33, 800),
        (scarf.product_id, "Selendang", "Biru", 40_000, 1, "", None, None, None, 0),
    ]
    # ...the products count what was sold, and the stock is reserved, not yet taken
    assert Product.objects.get(id=product.id).sold_count == 3
    assert Product.objects.get(id=scarf.product_id).sold_count == 1
    assert [Variant.objects.get(id=v.id).stock_reserved for v in (small, large, scarf)] == [2, 1, 1]
    event = OutboxEvent.objects.get(type="marketplace.order.placed")
    assert {k: v for k, v in event.payload.items() if k != "lines"} == {
        "order_id": order.id,
        "number": order.number,
        "buyer_id": BUYER,
        "shop_id": shop.id,
        "status": "pending_payment",
        "total": 351_000,
        "currency": "IDR",
    }
    assert [(line["variant_id"], line["quantity"], line["unit_price"]) for line in event.payload["lines"]] == [
        (small.id, 2, 90_000),
        (large.id, 1, 110_000),
        (scarf.id, 1, 40_000),
    ]


def test_cash_on_delivery_is_paid_at_once_and_says_so_in_its_events():
    variant = VariantFactory(price=100_000, stock_on_hand=4)

    (order,) = place(BUYER, (variant, 3), method="cod")

    order = Order.objects.get(id=order.id)
    assert (order.status, order.stock_committed, order.pay_before, order.payment_id) == ("paid", True, None, None)
    assert Payment.objects.count() == 0
    placed, paid = OutboxEvent.objects.order_by("id")
    assert (placed.type, placed.payload["status"], placed.payload["total"]) == (
        "marketplace.order.placed",
        "paid",
        321_000,  # 3 x 100.000, and 1.500 g by JNE Reguler: 9.000 + 2 x 6.000
    )
    assert (paid.type, paid.payload["order_id"], paid.payload["number"], paid.payload["lines"][0]["quantity"]) == (
        "marketplace.order.paid",
        order.id,
        order.number,
        3,
    )


@pytest.mark.parametrize("field", ["recipient", "phone", "street", "city", "province", "postal_code"])
def test_each_address_field_is_required_and_blank_space_is_not_an_answer(field):
    fill_cart(BUYER, (VariantFactory(), 1))
    address = replace(ADDRESS, **{field: "   "})

    with pytest.raises(contracts.InvalidRequest) as refused:
        services.checkout_place(command=command(BUYER, address=address))

    assert (refused.value.message, refused.value.fields) == (
        "This field is required.",
        {field: ["This field is required."]},
    )
    assert _nothing_written() == (0, 0, 0)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"method": "bitcoin"}, "payment_method", "Choose a payment method."),
        ({"key": ""}, "idempotency_key", "A checkout needs an idempotency key of at most 100 characters."),
        ({"key": "x" * 101}, "idempotency_key", "A checkout needs an idempotency key of at most 100 characters."),
        (
            {"vouchers": (contracts.VoucherChoice(shop_id=1, code="A"), contracts.VoucherChoice(shop_id=1, code="B"))},
            "vouchers",
            "Choose at most one per shop.",
        ),
        (
            {"shipping": (contracts.ShippingChoice(shop_id=1, courier="jne-reg"),) * 2},
            "shipping",
            "Choose at most one per shop.",
        ),
    ],
)
def test_bad_checkout_input_says_what_to_change(change, field, message):
    fill_cart(BUYER, (VariantFactory(), 1))
    asked = command(BUYER, **change)
    if "key" in change:
        asked = replace(asked, idempotency_key=change["key"])

    with pytest.raises(contracts.InvalidRequest) as refused:
        services.checkout_place(command=asked)

    assert (refused.value.message, refused.value.fields) == (message, {field: [message]})


def test_a_key_of_exactly_100_characters_is_accepted():
    fill_cart(BUYER, (VariantFactory(), 1))

    (order,) = services.checkout_place(command=command(BUYER, key="k" * 100))

    assert Checkout.objects.get(id=order.checkout_id).idempotency_key == "k" * 100


def test_online_payment_switched_off_is_refused_with_the_cash_alternative(settings):
    settings.PAYMENT_ONLINE_ENABLED = False
    fill_cart(BUYER, (VariantFactory(), 1))

    with pytest.raises(contracts.InvalidRequest) as refused:
        services.checkout_place(command=command(BUYER, method="virtual_account"))

    message = "Online payment is not available right now; choose cash on delivery."
    assert (refused.value.message, refused.value.fields) == (message, {"payment_method": [message]})


def test_vouchers_of_two_shops_are_each_used_once_and_recorded_for_the_buyer():
    first, second = VariantFactory(price=100_000), VariantFactory(price=100_000)
    one = VoucherFactory(shop=first.product.shop, code="SATU", usage_limit=3, used_count=2)
    two = VoucherFactory(shop=second.product.shop, code="DUA", usage_limit=None, used_count=40)
    chosen = (
        contracts.VoucherChoice(shop_id=first.product.shop_id, code="SATU"),
        contracts.VoucherChoice(shop_id=second.product.shop_id, code="DUA"),
    )

    orders = place(BUYER, (first, 1), (second, 1), vouchers=chosen)

    assert [o.discount for o in orders] == [10_000, 10_000]
    assert (Voucher.objects.get(id=one.id).used_count, Voucher.objects.get(id=two.id).used_count) == (3, 41)
    assert sorted(VoucherUse.objects.values_list("voucher_id", "buyer_id", "order_id")) == sorted(
        [(one.id, BUYER, orders[0].id), (two.id, BUYER, orders[1].id)]
    )


def test_a_voucher_used_up_past_the_check_is_still_refused_by_its_conditional_use(monkeypatch):
    # The check under the lock is bypassed, as if it had read a stale count
    monkeypatch.setattr("marketplace.services.quote.voucher_problem", lambda **kwargs: "")
    variant = VariantFactory(price=100_000)
    voucher = VoucherFactory(shop=variant.product.shop, code="PENUH", usage_limit=2, used_count=2)
    fill_cart(BUYER, (variant, 1))

    with pytest.raises(contracts.InvalidRequest) as refused:
        services.checkout_place(
            command=command(BUYER, vouchers=(contracts.VoucherChoice(shop_id=variant.product.shop_id, code="PENUH"),))
        )

    assert (refused.value.message, refused.value.code, refused.value.fields) == (
        "This voucher has been fully used.",
        "voucher",
        {"vouchers": ["Fully used."]},
    )
    assert Voucher.objects.get(id=voucher.id).used_count == 2
    assert _nothing_written() == (0, 0, 0)


def test_another_constraint_refusing_the_checkout_is_not_taken_for_a_used_key(monkeypatch):
    def refuse(*args, **kwargs):
        raise IntegrityError("some other constraint")

    monkeypatch.setattr("marketplace.services.checkout._place_orders", refuse)
    fill_cart(BUYER, (VariantFactory(), 1))

    with pytest.raises(IntegrityError, match="some other constraint"):
        services.checkout_place(command=command(BUYER, key="fresh"))

    assert Checkout.objects.count() == 0


def test_a_used_key_from_another_buyer_is_not_a_replay():
    variant = VariantFactory(stock_on_hand=10)
    (theirs,) = place(BUYER + 1, (variant, 1), key="shared")

    (mine,) = place(BUYER, (variant, 1), key="shared")

    assert mine.id != theirs.id and mine.buyer_id == BUYER


def test_a_replay_answers_every_order_of_the_checkout_in_order():
    first, second = VariantFactory(), VariantFactory()
    placed = place(BUYER, (first, 1), (second, 1), key="dua")

    again = services.checkout_place(command=command(BUYER, key="dua"))

    assert [o.id for o in again] == sorted(o.id for o in placed)
    assert len(again) == 2


def test_a_checkout_is_one_marketplace_transaction():
    first, second = VariantFactory(), VariantFactory()
    VoucherFactory(shop=first.product.shop, code="SATU")
    fill_cart(BUYER, (first, 1), (second, 1))

    with one_transaction_on("marketplace"):
        services.checkout_place(
            command=command(BUYER, vouchers=(contracts.VoucherChoice(shop_id=first.product.shop_id, code="SATU"),))
        )

    assert Order.objects.count() == 2


def test_forgetting_old_keys_is_one_marketplace_transaction():
    (order,) = place(BUYER, (VariantFactory(), 1), method="cod")
    Checkout.objects.filter(id=order.checkout_id).update(created_at=datetime(2026, 1, 1, tzinfo=UTC))

    with one_transaction_on("marketplace"):
        assert services.checkout_keys_purge(created_before=datetime(2026, 2, 1, tzinfo=UTC)) == 1


def test_a_checkout_locks_its_variants_in_id_order_then_its_vouchers(monkeypatch):
    # Deadlock freedom rests on one lock order; SQLite shows the ORDER BY, not the FOR UPDATE,
    # so the lock requests themselves are recorded on their way through
    from marketplace import selectors
    from marketplace.services import promotions

    asked = []
    vouchers_by_code, offer_by_code = selectors.vouchers_by_code, promotions.offer_by_code
    monkeypatch.setattr(
        selectors, "vouchers_by_code", lambda codes, **kw: asked.append(("shop", kw)) or vouchers_by_code(codes, **kw)
    )
    monkeypatch.setattr(
        promotions, "offer_by_code", lambda code, **kw: asked.append(("platform", kw)) or offer_by_code(code, **kw)
    )
    later, earlier = VariantFactory(), VariantFactory()
    VoucherFactory(shop=later.product.shop, code="SATU")
    fill_cart(BUYER, (earlier, 1), (later, 1))

    with CaptureQueriesContext(connections["marketplace"]) as captured:
        services.checkout_place(
            command=command(BUYER, vouchers=(contracts.VoucherChoice(shop_id=later.product.shop_id, code="SATU"),))
        )

    variant_reads = [q["sql"] for q in captured.captured_queries if q["sql"].startswith('SELECT "marketplace_variant"')]
    assert variant_reads and 'ORDER BY "marketplace_variant"."id" ASC' in variant_reads[0]
    assert asked == [("shop", {"for_update": True}), ("platform", {"for_update": True})]


def test_an_order_lists_its_lines_by_variant_whatever_the_order_they_were_added_in():
    shop = ShopFactory()
    first, second, third = (VariantFactory(product__shop=shop) for _ in range(3))
    fill_cart(BUYER, (third, 1), (first, 2), (second, 3))

    (order,) = services.checkout_place(command=command(BUYER))

    assert list(OrderLine.objects.filter(order=order).order_by("id").values_list("variant_id", "quantity")) == [
        (first.id, 2),
        (second.id, 3),
        (third.id, 1),
    ]
