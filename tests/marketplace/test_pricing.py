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
    assert pricing.order_total(subtotal=subtotal, shipping_fee=0, discount=discount) >= 0


@given(sale=subtotals, rate=st.integers(min_value=0, max_value=8000))
def test_commission_rounds_down_and_is_at_most_80_percent(sale, rate):
    amount = pricing.commission_amount(sale_amount=sale, rate_bp=rate)

    assert 0 <= amount * 10_000 <= sale * rate
    assert amount <= sale * 8 // 10


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
    placed = 0
    for n in range(buyers):
        buyer = 10_000 + variant.id * 10 + n
        fill_cart(buyer, (variant, quantity))
        try:
            (order,) = services.checkout_place(command=command(buyer, vouchers=choice))
        except contracts.InvalidRequest:
            continue
        placed += 1
        # Then every order adds up and stays in bounds
        assert order.total == order.subtotal + order.shipping_fee - order.discount
        assert order.shipping_fee <= order.total <= order.subtotal + order.shipping_fee
        assert order.discount == pricing.voucher_discount(
            kind=kind, value=voucher.value, max_discount=None, subtotal=price * quantity
        )
    # ...and the voucher was used exactly up to its limit
    assert placed == min(limit, buyers)
    assert Voucher.objects.get(id=voucher.id).used_count == placed
    assert Order.objects.filter(voucher=voucher).count() == placed
