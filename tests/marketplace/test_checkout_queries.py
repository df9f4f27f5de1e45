"""Query budgets of the checkout path, counted on every database alias."""

from contextlib import ExitStack

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from integration import contracts
from marketplace.models import Order, OrderStatus, Variant
from tests.factories import ProductFactory, ShopFactory, VariantFactory, VoucherFactory
from tests.marketplace.conftest import ADDRESS, command, fill_cart

ALIASES = ("default", "storefront", "marketplace")
pytestmark = pytest.mark.django_db(databases=list(ALIASES))
BUYER = 601
# A three-shop checkout through the port: 25 statements in the checkout transaction
# (4 of them the per-variant stock updates, 1 the free-shipping campaigns running), 4 to
# open the payment session, 4 to read the orders back. It was 53 before the writes were batched.
CHECKOUT_BUDGET = {"default": 0, "storefront": 0, "marketplace": 33}


class _Counted:
    """Counts the queries run on each alias inside the block."""

    def __enter__(self):
        self._stack = ExitStack()
        self._captures = {
            alias: self._stack.enter_context(CaptureQueriesContext(connections[alias])) for alias in ALIASES
        }
        return self

    def __exit__(self, *exc):
        return self._stack.__exit__(*exc)

    @property
    def per_alias(self) -> dict[str, int]:
        return {alias: len(capture) for alias, capture in self._captures.items()}

    @property
    def total(self) -> int:
        return sum(self.per_alias.values())


def _three_shop_cart():
    """Four lines over three shops, a courier chosen for each, a voucher at the first."""
    first = VariantFactory(price=100_000, weight_grams=400, stock_on_hand=5)
    second = VariantFactory(product=first.product, name="L", price=120_000, weight_grams=400, stock_on_hand=5)
    far = VariantFactory(price=50_000, weight_grams=1500, product__shop__province="Bali")
    third = VariantFactory(price=75_000, weight_grams=700)
    VoucherFactory(shop=first.product.shop, code="HEMAT10", value=10, max_discount=15_000)
    fill_cart(BUYER, (first, 2), (second, 1), (far, 1), (third, 3))
    shops = [v.product.shop_id for v in (first, far, third)]
    return command(
        BUYER,
        shipping=tuple(contracts.ShippingChoice(shop_id=s, courier="jne-yes") for s in shops),
        vouchers=(contracts.VoucherChoice(shop_id=shops[0], code="hemat10"),),
    )


def _lines_in_one_shop(count: int) -> list[Variant]:
    product = ProductFactory(shop=ShopFactory())
    variants = [VariantFactory(product=product, name=f"V{n}", price=10_000 * (n + 1)) for n in range(count)]
    fill_cart(BUYER, *((v, 1) for v in variants))
    return variants


def _lines_over_shops(count: int) -> list[Variant]:
    variants = [VariantFactory(product__shop=ShopFactory()) for _ in range(count)]
    fill_cart(BUYER, *((v, 1) for v in variants))
    return variants


def test_checkout_of_a_three_shop_cart_stays_within_budget_on_every_alias(port):
    # Given four lines over three shops, with couriers chosen and a voucher
    checkout_command = _three_shop_cart()

    # When the buyer checks out through the port
    with _Counted() as counted:
        result = port.checkout(checkout_command)

    # Then the whole call stays within the budget, alias by alias and in total
    assert {alias: n <= CHECKOUT_BUDGET[alias] for alias, n in counted.per_alias.items()} == dict.fromkeys(
        ALIASES, True
    ), counted.per_alias
    assert counted.total <= sum(CHECKOUT_BUDGET.values()) <= 40
    # and it did the whole job: three orders, one paid session, the voucher applied
    assert [(o.status, len(o.lines), o.discount) for o in result.orders] == [
        (OrderStatus.PENDING_PAYMENT, 2, 15_000),
        (OrderStatus.PENDING_PAYMENT, 1, 0),
        (OrderStatus.PENDING_PAYMENT, 1, 0),
    ]
    assert result.payment.amount == sum(o.total for o in result.orders) == 716_000
    assert Order.objects.count() == 3
    assert result.payment.pay_url != ""
    assert sorted(result.payment.order_ids) == [o.id for o in result.orders]


def test_the_only_statements_per_line_of_a_checkout_are_the_stock_updates(port):
    # Given two buyers' carts in one shop, of one line and of six lines
    _lines_in_one_shop(1)
    with _Counted() as one:
        port.checkout(command(BUYER))
    _lines_in_one_shop(6)

    # When the six-line cart is checked out
    with _Counted() as six:
        port.checkout(command(BUYER))

    # Then it costs five more statements: one conditional stock update per extra variant
    assert six.per_alias["marketplace"] - one.per_alias["marketplace"] == 5
    assert (six.per_alias["default"], six.per_alias["storefront"]) == (0, 0)


def test_cash_on_delivery_checkout_takes_stock_in_one_update_per_variant(port):
    # Given a cart of two variants paid on delivery
    variants = _lines_in_one_shop(2)

    # When it is checked out
    with _Counted() as counted:
        result = port.checkout(command(BUYER, method="cod"))

    # Then no payment is opened, and the units left the shelf without a reservation
    assert result.payment is None
    assert counted.per_alias == {"default": 0, "storefront": 0, "marketplace": 22}
    assert [(v.stock_on_hand, v.stock_reserved) for v in Variant.objects.filter(id__in=[v.id for v in variants])] == [
        (9, 0),
        (9, 0),
    ]


def test_the_preview_does_not_grow_with_the_lines(port):
    # Given the preview of a one-line cart, with a voucher and a courier chosen
    (variant,) = _lines_over_shops(1)
    voucher = VoucherFactory(shop=variant.product.shop)
    choices = {
        "buyer_id": BUYER,
        "province": ADDRESS.province,
        "shipping": (contracts.ShippingChoice(shop_id=voucher.shop_id, courier="jne-yes"),),
        "vouchers": (contracts.VoucherChoice(shop_id=voucher.shop_id, code=voucher.code),),
    }
    with _Counted() as one:
        port.preview_checkout(**choices)

    # When the cart grows to six lines over more shops
    _lines_over_shops(5)
    with _Counted() as six:
        preview = port.preview_checkout(**choices)

    # Then the preview runs the same queries
    assert (len(preview.cart.lines), preview.problems) == (6, {})
    assert six.per_alias == one.per_alias == {"default": 0, "storefront": 0, "marketplace": 5}


def test_cart_reads_do_not_grow_with_the_lines(port):
    _lines_over_shops(1)
    with _Counted() as one:
        port.get_cart(BUYER)

    _lines_over_shops(5)
    with _Counted() as six:
        cart = port.get_cart(BUYER)

    assert len(cart.lines) == 6
    assert six.per_alias == one.per_alias == {"default": 0, "storefront": 0, "marketplace": 1}
