"""Properties of checkout money: discounts round down, totals stay within bounds."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from integration import contracts
from marketplace import pricing, services
from marketplace.models import Order, Voucher, VoucherKind
from tests.factories import VariantFactory, VoucherFactory
from tests.marketplace.conftest import command, fill_cart

subtotals = st.integers(min_value=0, max_value=10**12)
percent = st.integers(min_value=1, max_value=100)
caps = st.none() | st.integers(min_value=0, max_value=10**9)


@given(subtotal=subtotals, value=percent, cap=caps, shipping=st.integers(min_value=0, max_value=10**7))
def test_a_percentage_discount_rounds_down_and_keeps_the_total_in_bounds(subtotal, value, cap, shipping):
    discount = pricing.voucher_discount(kind="percent", value=value, max_discount=cap, subtotal=subtotal)
    total = pricing.order_total(subtotal=subtotal, shipping_fee=shipping, discount=discount)

    assert discount == min(subtotal * value // 100, cap if cap is not None else subtotal, subtotal)
    assert discount * 100 <= subtotal * value  # never a rupiah more than offered
    assert shipping <= total <= subtotal + shipping


@given(subtotal=subtotals, value=st.integers(min_value=1, max_value=10**9), cap=caps)
def test_a_fixed_discount_never_exceeds_the_goods(subtotal, value, cap):
    discount = pricing.voucher_discount(kind="fixed", value=value, max_discount=cap, subtotal=subtotal)

    assert 0 <= discount <= min(value, subtotal)
    assert pricing.order_total(subtotal=subtotal, shipping_fee=0, discount=discount) == subtotal - discount


@given(sale=subtotals, rate=st.integers(min_value=0, max_value=8000))
def test_commission_rounds_down_and_is_at_most_80_percent(sale, rate):
    amount = pricing.commission_amount(sale_amount=sale, rate_bp=rate)

    assert 0 <= amount * 10_000 <= sale * rate
    assert amount <= sale * 8 // 10


@pytest.mark.parametrize(
    ("sale", "rate", "commission"),
    [(1_000_000, 500, 50_000), (125_000, 750, 9_375), (99_999, 1, 9), (10_000, 8000, 8_000)],
)
def test_commission_is_the_rate_in_basis_points_of_the_sale_rounded_down(sale, rate, commission):
    assert pricing.commission_amount(sale_amount=sale, rate_bp=rate) == commission


def _fully_used(error: contracts.InvalidRequest) -> bool:
    return error.code == "voucher" and error.fields == {"vouchers": ["This voucher has been fully used."]}


@pytest.mark.django_db(databases=["default", "marketplace"])
@settings(max_examples=25, deadline=None)
@given(
    price=st.integers(min_value=1, max_value=50_000_000),
    quantity=st.integers(min_value=1, max_value=5),
    kind=st.sampled_from([VoucherKind.PERCENT, VoucherKind.FIXED]),
    value=st.integers(min_value=1, max_value=100),
    limit=st.integers(min_value=0, max_value=2),
    buyers=st.integers(min_value=1, max_value=4),
)
def test_checkouts_with_a_voucher_add_up_and_respect_its_limit(price, quantity, kind, value, limit, buyers):
    # Given a voucher with a total limit, and several buyers who try it
    variant = VariantFactory(price=price, stock_on_hand=100, max_per_order=100)
    voucher = VoucherFactory(shop=variant.product.shop, kind=kind, value=value * 1000 if kind == "fixed" else value)
    voucher.usage_limit = limit
    voucher.save()
    choice = (contracts.VoucherChoice(shop_id=voucher.shop_id, code=voucher.code),)
    goods = price * quantity
    # Percent: rounded down; fixed: never more than the goods
    expected_discount = goods * value // 100 if kind == "percent" else min(value * 1000, goods)
    placed = refused = 0
    for n in range(buyers):
        buyer = 10_000 + variant.id * 10 + n
        fill_cart(buyer, (variant, quantity))
        try:
            (order,) = services.checkout_place(command=command(buyer, vouchers=choice))
        except contracts.InvalidRequest as error:
            if not _fully_used(error):
                raise
            refused += 1
            continue
        placed += 1
        # Then every order adds up and stays in bounds
        assert (order.subtotal, order.discount) == (goods, expected_discount)
        assert order.total == goods + order.shipping_fee - expected_discount
        assert order.shipping_fee <= order.total <= order.subtotal + order.shipping_fee
    # ...and the voucher was used exactly up to its limit, every later buyer told it is used up
    assert (placed, refused) == (min(limit, buyers), buyers - min(limit, buyers))
    assert Voucher.objects.get(id=voucher.id).used_count == placed
    assert Order.objects.filter(voucher=voucher).count() == placed


@pytest.mark.django_db(databases=["default", "marketplace"])
@pytest.mark.parametrize(
    ("kind", "value", "cap", "price", "quantity", "discount"),
    [
        ("percent", 10, None, 125_000, 2, 25_000),
        ("percent", 15, None, 33_333, 3, 14_999),  # 14.999,85 rounds down
        ("percent", 50, 30_000, 200_000, 1, 30_000),  # the cap
        ("percent", 100, None, 7_777, 1, 7_777),
        ("fixed", 5_000, None, 60_000, 2, 5_000),
        ("fixed", 20_000, None, 15_000, 1, 15_000),  # never more than the goods
    ],
)
def test_a_voucher_takes_its_discount_off_the_order(kind, value, cap, price, quantity, discount):
    variant = VariantFactory(price=price, stock_on_hand=10, max_per_order=10)
    voucher = VoucherFactory(shop=variant.product.shop, kind=kind, value=value, max_discount=cap, usage_limit=1)
    choice = (contracts.VoucherChoice(shop_id=voucher.shop_id, code=voucher.code),)
    fill_cart(11_001, (variant, quantity))

    (order,) = services.checkout_place(command=command(11_001, vouchers=choice))

    assert (order.subtotal, order.discount) == (price * quantity, discount)
    assert order.total == price * quantity + order.shipping_fee - discount
    # The one use is taken: the next buyer is told so, and nothing is written for them
    fill_cart(11_002, (variant, 1))
    with pytest.raises(contracts.InvalidRequest) as refused:
        services.checkout_place(command=command(11_002, vouchers=choice))
    assert _fully_used(refused.value)
    assert (Order.objects.count(), Voucher.objects.get(id=voucher.id).used_count) == (1, 1)


# --- Boundaries ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "value", "cap", "subtotal", "discount"),
    [
        ("percent", 10, None, 99_999, 9_999),  # 9.999,9 rounded down
        ("percent", 10, 9_999, 100_000, 9_999),  # the cap, one under the share
        ("percent", 10, 10_000, 100_000, 10_000),  # cap and share equal
        ("percent", 100, None, 100_000, 100_000),
        ("percent", 10, 0, 100_000, 0),
        ("fixed", 15_000, None, 15_000, 15_000),  # exactly the goods
        ("fixed", 15_000, None, 14_999, 14_999),  # never more than the goods
        ("fixed", 15_000, 5_000, 100_000, 5_000),
        ("fixed", 15_000, None, 0, 0),
    ],
)
def test_a_discount_at_its_boundaries(kind, value, cap, subtotal, discount):
    assert pricing.voucher_discount(kind=kind, value=value, max_discount=cap, subtotal=subtotal) == discount


def test_a_total_is_the_goods_plus_shipping_less_the_discount():
    assert pricing.order_total(subtotal=100_000, shipping_fee=9_000, discount=15_000) == 94_000


@pytest.mark.parametrize(
    ("room", "fee"),
    [
        (2_498, (2_250, 247)),  # fits with one rupiah to spare
        (2_497, (2_250, 247)),  # fits exactly: not capped
        (2_496, (2_248, 247)),  # one short: the largest fee whose VAT still fits
        (1, (0, 0)),
        (-5, (0, 0)),  # nothing left (commissions took it all): no fee, never a negative one
    ],
)
def test_the_fee_at_the_edge_of_what_the_shop_keeps(room, fee):
    assert pricing.platform_fee(base=100_000, room=room, fixed=1_250, rate_bp=100, vat_bp=1_100) == fee


def test_without_vat_the_fee_may_take_all_that_is_left():
    assert pricing.platform_fee(base=100_000, room=2_250, fixed=1_250, rate_bp=100, vat_bp=0) == (2_250, 0)
    assert pricing.platform_fee(base=100_000, room=2_000, fixed=1_250, rate_bp=100, vat_bp=0) == (2_000, 0)


def test_a_fee_whose_vat_is_a_whole_rupiah_is_capped_when_one_over():
    # 10.000 + VAT 1.100 = 11.100, one rupiah more than the 11.099 left: the fee is 9.999 (VAT 1.099).
    assert pricing.platform_fee(base=0, room=11_099, fixed=10_000, rate_bp=0, vat_bp=1_100) == (9_999, 1_099)
    assert pricing.platform_fee(base=0, room=11_100, fixed=10_000, rate_bp=0, vat_bp=1_100) == (10_000, 1_100)
