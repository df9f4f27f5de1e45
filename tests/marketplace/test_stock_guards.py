"""Stock at its edges: the cart's lines, the per-order limit, the last units, and adjustments by hand."""

import pytest

from integration import contracts
from marketplace import services
from marketplace.models import CartItem, Order, OutboxEvent, Product, StockAdjustment, Variant
from marketplace.services import stock
from tests.factories import ShopFactory, VariantFactory
from tests.marketplace.conftest import command, fill_cart, place
from tests.transactions import one_transaction_on

pytestmark = pytest.mark.django_db(databases=["default", "marketplace"])
BUYER = 821
OTHER_BUYER = 822
OWNER = 10_821


def _stock(variant):
    fresh = Variant.objects.get(id=variant.id)
    return (fresh.stock_on_hand, fresh.stock_reserved)


def _lines(buyer_id):
    return list(CartItem.objects.filter(cart__buyer_id=buyer_id).values_list("variant_id", "quantity"))


# --- The cart ------------------------------------------------------------------------------


def test_adding_the_same_variant_twice_adds_the_quantities_on_one_line():
    variant = VariantFactory(stock_on_hand=10)

    services.cart_add_item(buyer_id=BUYER, variant_id=variant.id, quantity=2)
    services.cart_add_item(buyer_id=BUYER, variant_id=variant.id, quantity=3)

    assert _lines(BUYER) == [(variant.id, 5)]
    (order,) = services.checkout_place(command=command(BUYER))
    assert list(order.lines.values_list("quantity", flat=True)) == [5]
    assert _stock(variant) == (10, 5)


def test_adding_again_past_the_per_order_limit_is_refused_and_the_line_stays():
    variant = VariantFactory(stock_on_hand=10, max_per_order=4)
    services.cart_add_item(buyer_id=BUYER, variant_id=variant.id, quantity=2)

    with pytest.raises(contracts.InvalidRequest) as refused:
        services.cart_add_item(buyer_id=BUYER, variant_id=variant.id, quantity=3)

    assert refused.value.fields == {"quantity": ["At most 4 of this item per order."]}
    assert _lines(BUYER) == [(variant.id, 2)]
    services.cart_add_item(buyer_id=BUYER, variant_id=variant.id, quantity=2)
    assert _lines(BUYER) == [(variant.id, 4)]


# --- The per-order limit at checkout --------------------------------------------------------


def test_ordering_exactly_the_per_order_maximum_is_allowed():
    variant = VariantFactory(stock_on_hand=10, max_per_order=3)

    (order,) = place(BUYER, (variant, 3))

    assert (order.subtotal, _stock(variant)) == (375_000, (10, 3))


def test_a_limit_lowered_below_the_carts_quantity_is_refused_at_checkout():
    variant = VariantFactory(stock_on_hand=10, max_per_order=3)
    fill_cart(BUYER, (variant, 3))
    Variant.objects.filter(id=variant.id).update(max_per_order=2)
    (line,) = CartItem.objects.filter(cart__buyer_id=BUYER)

    with pytest.raises(contracts.InvalidRequest) as refused:
        services.checkout_place(command=command(BUYER))

    assert refused.value.code == "out_of_stock"
    assert refused.value.fields == {f"line_{line.id}": [f"At most 2 of {variant.product.title} per order."]}
    assert (Order.objects.count(), _stock(variant)) == (0, (10, 0))


# --- The last units -------------------------------------------------------------------------


def test_the_last_available_units_can_be_reserved_and_then_none_are_left():
    variant = VariantFactory(stock_on_hand=5, stock_reserved=2)
    fill_cart(OTHER_BUYER, (variant, 1))
    (line,) = CartItem.objects.filter(cart__buyer_id=OTHER_BUYER)

    (order,) = place(BUYER, (variant, 3))

    assert (order.status, _stock(variant)) == ("pending_payment", (5, 5))
    with pytest.raises(contracts.InvalidRequest) as refused:
        services.checkout_place(command=command(OTHER_BUYER))
    assert refused.value.fields == {f"line_{line.id}": [f"Only 0 of {variant.product.title} (M) left."]}
    assert _stock(variant) == (5, 5)


def test_cash_on_delivery_can_take_the_last_available_units_off_the_shelf():
    variant = VariantFactory(stock_on_hand=5, stock_reserved=2)

    (order,) = place(BUYER, (variant, 3), method="cod")

    assert (order.status, _stock(variant)) == ("paid", (2, 2))
    assert Product.objects.get(id=variant.product_id).sold_count == 3


def test_a_checkout_of_several_variants_reserves_each_its_own_quantity():
    shop = ShopFactory()
    first = VariantFactory(product__shop=shop, stock_on_hand=9)
    second = VariantFactory(product__shop=shop, stock_on_hand=9)
    third = VariantFactory(stock_on_hand=9)

    place(BUYER, (first, 1), (second, 2), (third, 4))

    assert (_stock(first), _stock(second), _stock(third)) == ((9, 1), (9, 2), (9, 4))


def test_cash_on_delivery_of_several_variants_takes_each_its_own_quantity():
    shop = ShopFactory()
    first = VariantFactory(product__shop=shop, stock_on_hand=9)
    second = VariantFactory(product__shop=shop, stock_on_hand=9)

    place(BUYER, (first, 1), (second, 2), method="cod")

    assert (_stock(first), _stock(second)) == ((8, 0), (7, 0))


def test_selling_out_and_coming_back_publish_one_stock_change_each():
    shop = ShopFactory()
    variant = VariantFactory(product__shop=shop, stock_on_hand=2)
    plenty = VariantFactory(product__shop=shop, stock_on_hand=9)

    (order,) = place(BUYER, (variant, 2), (plenty, 1))
    services.order_cancel(order_id=order.id, reason="batal", buyer_id=BUYER)

    changes = OutboxEvent.objects.filter(type="marketplace.stock.changed").order_by("id")
    assert [(e.payload["product_id"], e.payload["in_stock"]) for e in changes] == [
        (variant.product_id, False),
        (variant.product_id, True),
    ]


# --- Adjustments by hand --------------------------------------------------------------------


def test_stock_may_be_adjusted_down_to_exactly_what_is_reserved_and_no_further():
    variant = VariantFactory(stock_on_hand=5, stock_reserved=2)

    adjustment = services.stock_adjust(variant_id=variant.id, actor_user_id=OWNER, delta=-3, reason="rusak")

    assert (adjustment.on_hand_after, _stock(variant)) == (2, (2, 2))
    with pytest.raises(contracts.InvalidRequest) as refused:
        services.stock_adjust(variant_id=variant.id, actor_user_id=OWNER, delta=-1, reason="hilang")
    message = "Stock cannot go below the 2 units reserved for orders."
    assert (refused.value.message, refused.value.fields) == (message, {"delta": [message]})
    assert (StockAdjustment.objects.count(), _stock(variant)) == (1, (2, 2))


@pytest.mark.parametrize(
    ("delta", "accepted"),
    [(1_000_000, True), (-1_000_000, True), (1_000_001, False), (-1_000_001, False), (0, False), (True, False)],
)
def test_an_adjustment_is_a_non_zero_whole_number_of_at_most_a_million(delta, accepted):
    variant = VariantFactory(stock_on_hand=1_000_000)

    if accepted:
        services.stock_adjust(variant_id=variant.id, actor_user_id=OWNER, delta=delta, reason="hitung ulang")
        assert _stock(variant) == (1_000_000 + delta, 0)
    else:
        with pytest.raises(contracts.InvalidRequest) as refused:
            services.stock_adjust(variant_id=variant.id, actor_user_id=OWNER, delta=delta, reason="hitung ulang")
        message = "Enter a non-zero whole number of units (at most a million)."
        assert (refused.value.message, refused.value.fields) == (message, {"delta": [message]})
        assert (StockAdjustment.objects.count(), _stock(variant)) == (0, (1_000_000, 0))


def test_an_adjustment_needs_a_reason_of_at_most_255_characters_once_trimmed():
    variant = VariantFactory(stock_on_hand=5)
    refusals = {
        "   ": "Say why the stock changes.",
        "x" * 256: "Say why the stock changes, in at most 255 characters.",
    }
    for reason, message in refusals.items():
        with pytest.raises(contracts.InvalidRequest) as refused:
            services.stock_adjust(variant_id=variant.id, actor_user_id=OWNER, delta=1, reason=reason)
        assert refused.value.fields == {"reason": [message]}

    adjustment = services.stock_adjust(variant_id=variant.id, actor_user_id=OWNER, delta=1, reason=f"  {'x' * 255}  ")

    assert (adjustment.reason, adjustment.delta, adjustment.actor_user_id) == ("x" * 255, 1, OWNER)
    assert StockAdjustment.objects.get().reason == "x" * 255


def test_an_adjustment_reads_and_writes_in_one_marketplace_transaction():
    variant = VariantFactory(stock_on_hand=5)

    with one_transaction_on("marketplace"):
        services.stock_adjust(variant_id=variant.id, actor_user_id=OWNER, delta=2, reason="datang")

    assert _stock(variant) == (7, 0)


def test_an_owner_adjusts_only_the_stock_of_their_own_shops():
    mine = VariantFactory(product__shop__owner_user_id=OWNER, stock_on_hand=5)
    theirs = VariantFactory(product__shop__owner_user_id=OWNER + 1, stock_on_hand=5)

    with pytest.raises(contracts.NotFound) as missing:
        services.stock_adjust(variant_id=theirs.id, actor_user_id=OWNER, delta=1, reason="x", owner_user_id=OWNER)
    assert missing.value.message == "Variant not found."
    services.stock_adjust(variant_id=mine.id, actor_user_id=OWNER, delta=1, reason="x", owner_user_id=OWNER)

    assert (_stock(mine), _stock(theirs)) == ((6, 0), (5, 0))


# --- The stock of record's own guards ---------------------------------------------------------
# Checkout checks the stock first; these conditional updates are what still holds when two
# checkouts race past that check (tests/marketplace/test_concurrency.py proves the race on PostgreSQL).


@pytest.mark.parametrize("sold", [False, True], ids=["reserve", "cash-on-delivery"])
def test_reserving_more_than_is_available_is_refused_and_changes_nothing(sold):
    variant = VariantFactory(name="XL", stock_on_hand=5, stock_reserved=3)

    with pytest.raises(contracts.InvalidRequest) as refused:
        stock._reserve(variant, 3, sold=sold)

    assert (refused.value.code, refused.value.fields) == ("out_of_stock", {"cart": ["XL ran out of stock."]})
    assert str(refused.value) == "XL ran out of stock."
    assert _stock(variant) == (5, 3)


def test_a_reservation_holds_the_units_on_the_shelf_unless_sold_at_once():
    variant = VariantFactory(stock_on_hand=5)

    stock._reserve(variant, 2)

    assert _stock(variant) == (5, 2)


def test_releasing_or_committing_more_than_is_reserved_changes_nothing():
    variant = VariantFactory(stock_on_hand=5, stock_reserved=2)
    other = VariantFactory(stock_on_hand=5, stock_reserved=2)

    stock._release(variant.id, 3)
    stock._commit(variant.id, 3)
    assert _stock(variant) == (5, 2)

    stock._release(variant.id, 2)
    assert _stock(variant) == (5, 0)
    stock._commit(other.id, 2)
    assert _stock(other) == (3, 0)
