"""A voucher at checkout, at the edges of its rules: its window, its minimum spend, its limits, its cap."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from integration import contracts
from marketplace import services
from marketplace.models import CartItem, Order, Voucher, VoucherKind, VoucherUse
from tests.factories import ShopFactory, VariantFactory, VoucherFactory
from tests.marketplace.conftest import command, fill_cart, place

pytestmark = pytest.mark.django_db(databases=["default", "marketplace"])
BUYER = 811
OTHER_BUYER = 812
STARTS = datetime(2026, 3, 1, 0, 0, tzinfo=UTC)
ENDS = datetime(2026, 3, 31, 17, 0, tzinfo=UTC)


def _choice(shop_id, code):
    return (contracts.VoucherChoice(shop_id=shop_id, code=code),)


def _refusal(buyer_id, variant, code):
    """The vouchers message of a checkout that must fail; nothing is written and the cart stays."""
    orders, uses = Order.objects.count(), VoucherUse.objects.count()
    fill_cart(buyer_id, (variant, 1))
    with pytest.raises(contracts.InvalidRequest) as refused:
        services.checkout_place(command=command(buyer_id, vouchers=_choice(variant.product.shop_id, code)))
    assert (Order.objects.count(), VoucherUse.objects.count()) == (orders, uses)
    CartItem.objects.filter(cart__buyer_id=buyer_id).delete()
    return refused.value.fields["vouchers"]


# --- One voucher's use is not another's -----------------------------------------------------


def test_a_buyers_use_of_one_voucher_does_not_block_another_voucher():
    variant = VariantFactory(price=100_000, stock_on_hand=10)
    shop_id = variant.product.shop_id
    VoucherFactory(shop=variant.product.shop, code="PERTAMA", kind=VoucherKind.FIXED, value=5_000)
    VoucherFactory(shop=variant.product.shop, code="KEDUA", kind=VoucherKind.FIXED, value=7_000)
    elsewhere = VariantFactory(price=100_000, stock_on_hand=10)
    VoucherFactory(shop=elsewhere.product.shop, code="PERTAMA", kind=VoucherKind.FIXED, value=9_000)

    (first,) = place(BUYER, (variant, 1), vouchers=_choice(shop_id, "PERTAMA"))
    (second,) = place(BUYER, (variant, 1), vouchers=_choice(shop_id, "KEDUA"))
    (third,) = place(BUYER, (elsewhere, 1), vouchers=_choice(elsewhere.product.shop_id, "PERTAMA"))

    assert (first.discount, second.discount, third.discount) == (5_000, 7_000, 9_000)
    assert _refusal(BUYER, variant, "PERTAMA") == ["You have already used this voucher."]


def test_another_buyers_use_does_not_count_against_the_buyers_own_limit():
    variant = VariantFactory(price=100_000, stock_on_hand=10)
    VoucherFactory(shop=variant.product.shop, code="TEMAN", kind=VoucherKind.FIXED, value=5_000)
    place(OTHER_BUYER, (variant, 1), vouchers=_choice(variant.product.shop_id, "TEMAN"))

    (order,) = place(BUYER, (variant, 1), vouchers=_choice(variant.product.shop_id, "TEMAN"))

    assert order.discount == 5_000


def test_a_buyer_may_use_a_voucher_as_often_as_its_per_buyer_limit():
    variant = VariantFactory(price=100_000, stock_on_hand=10)
    VoucherFactory(shop=variant.product.shop, code="DUAKALI", kind=VoucherKind.FIXED, value=5_000, per_buyer_limit=2)
    for _ in range(2):
        (order,) = place(BUYER, (variant, 1), vouchers=_choice(variant.product.shop_id, "DUAKALI"))
        assert order.discount == 5_000

    assert _refusal(BUYER, variant, "DUAKALI") == ["You have already used this voucher."]


def test_a_voucher_serves_exactly_its_usage_limit():
    variant = VariantFactory(price=100_000, stock_on_hand=10)
    voucher = VoucherFactory(shop=variant.product.shop, code="TERBATAS", usage_limit=2)
    place(BUYER, (variant, 1), vouchers=_choice(variant.product.shop_id, "TERBATAS"))
    place(OTHER_BUYER, (variant, 1), vouchers=_choice(variant.product.shop_id, "TERBATAS"))

    assert _refusal(813, variant, "TERBATAS") == ["This voucher has been fully used."]
    assert Voucher.objects.get(id=voucher.id).used_count == 2


def test_the_codes_case_and_spaces_do_not_matter():
    variant = VariantFactory(price=100_000)
    VoucherFactory(shop=variant.product.shop, code="HURUF", kind=VoucherKind.FIXED, value=5_000)

    (order,) = place(BUYER, (variant, 1), vouchers=_choice(variant.product.shop_id, "  huruf "))

    assert order.discount == 5_000


# --- The window -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("instant", "usable"),
    [
        (STARTS - timedelta(microseconds=1), False),
        (STARTS, True),
        (ENDS - timedelta(microseconds=1), True),
        (ENDS, False),
    ],
    ids=["just-before-start", "first-instant", "last-instant", "at-end"],
)
def test_a_voucher_is_valid_from_its_start_up_to_but_not_including_its_end(instant, usable):
    variant = VariantFactory(price=100_000)
    VoucherFactory(
        shop=variant.product.shop, code="MARET", kind=VoucherKind.FIXED, value=5_000, starts_at=STARTS, ends_at=ENDS
    )

    with time_machine.travel(instant, tick=False):
        if usable:
            (order,) = place(BUYER, (variant, 1), vouchers=_choice(variant.product.shop_id, "MARET"))
            assert (order.discount, order.total) == (5_000, 110_000)
        else:
            assert _refusal(BUYER, variant, "MARET") == ["This voucher is not valid now."]


# --- Minimum spend and the cap --------------------------------------------------------------


def test_spending_exactly_the_minimum_is_enough_and_a_rupiah_less_is_not():
    shop = ShopFactory()
    exact = VariantFactory(product__shop=shop, price=150_000)
    short = VariantFactory(product__shop=shop, price=149_999)
    VoucherFactory(shop=shop, code="MINIMUM", kind=VoucherKind.FIXED, value=20_000, min_spend=150_000)

    assert _refusal(BUYER, short, "MINIMUM") == ["Spend at least Rp 150.000 at this shop to use this voucher."]
    (order,) = place(BUYER, (exact, 1), vouchers=_choice(shop.id, "MINIMUM"))
    assert (order.subtotal, order.discount, order.total) == (150_000, 20_000, 145_000)


def test_the_minimum_counts_the_whole_shops_subtotal_not_one_line():
    shop = ShopFactory()
    first = VariantFactory(product__shop=shop, price=60_000)
    second = VariantFactory(product__shop=shop, price=40_000)
    VoucherFactory(shop=shop, code="GABUNG", kind=VoucherKind.FIXED, value=10_000, min_spend=160_000)

    (order,) = place(BUYER, (first, 2), (second, 1), vouchers=_choice(shop.id, "GABUNG"))

    assert (order.subtotal, order.discount) == (160_000, 10_000)


def test_a_fixed_amount_voucher_is_capped_by_the_subtotal():
    variant = VariantFactory(price=100_000)
    VoucherFactory(shop=variant.product.shop, code="BESAR", kind=VoucherKind.FIXED, value=150_000)

    (order,) = place(BUYER, (variant, 1), vouchers=_choice(variant.product.shop_id, "BESAR"))

    # the discount never touches shipping: the buyer still pays the 15.000 fee
    assert (order.subtotal, order.discount, order.shipping_fee, order.total) == (100_000, 100_000, 15_000, 15_000)


def test_a_percentage_is_rounded_down_to_the_rupiah():
    variant = VariantFactory(price=99_999)
    VoucherFactory(shop=variant.product.shop, code="PERSEN", kind=VoucherKind.PERCENT, value=15)

    (order,) = place(BUYER, (variant, 1), vouchers=_choice(variant.product.shop_id, "PERSEN"))

    assert (order.discount, order.total) == (14_999, 100_000)


def test_each_shop_gets_only_its_own_voucher_in_a_two_shop_checkout():
    mine = VariantFactory(price=100_000)
    other = VariantFactory(price=200_000)
    VoucherFactory(shop=mine.product.shop, code="TOKOKU", kind=VoucherKind.FIXED, value=10_000)
    VoucherFactory(shop=other.product.shop, code="TOKOKU", kind=VoucherKind.FIXED, value=30_000)

    orders = place(BUYER, (mine, 1), (other, 1), vouchers=_choice(mine.product.shop_id, "TOKOKU"))

    assert [(o.shop_id, o.discount, o.voucher_id is not None) for o in orders] == [
        (mine.product.shop_id, 10_000, True),
        (other.product.shop_id, 0, False),
    ]
    assert list(Voucher.objects.order_by("id").values_list("used_count", flat=True)) == [1, 0]
