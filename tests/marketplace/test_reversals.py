"""What a cancelled, expired or paid order gives back or takes: its own stock and its own voucher use, nothing else."""

import pytest

from integration import contracts
from marketplace import services
from marketplace.models import Order, Payment, Product, Variant, Voucher, VoucherUse
from marketplace.payments import SimulatedGateway
from tests.factories import ShopFactory, VariantFactory, VoucherFactory
from tests.marketplace.conftest import place

pytestmark = pytest.mark.django_db(databases=["default", "marketplace"])
BUYER = 801
OTHER_BUYER = 802


def _stock(variant):
    fresh = Variant.objects.get(id=variant.id)
    return (fresh.stock_on_hand, fresh.stock_reserved)


def _pay(order) -> None:
    gateway = SimulatedGateway()
    payment = Payment.objects.get(id=order.payment_id)
    body = gateway.notification_body(reference=payment.reference, amount=payment.amount)
    assert services.payment_notification_receive(body=body, signature=gateway.sign(body)) == "accepted"


def _expire(order) -> int:
    Payment.objects.filter(id=order.payment_id).update(expires_at=Payment.objects.get(id=order.payment_id).created_at)
    return services.payment_expire(payment_id=order.payment_id)


def _voucher_order(buyer_id=BUYER, **extra):
    variant = VariantFactory(price=100_000, stock_on_hand=5)
    voucher = VoucherFactory(shop=variant.product.shop, code="BALIK", per_buyer_limit=1, usage_limit=1)
    choice = contracts.VoucherChoice(shop_id=variant.product.shop_id, code="BALIK")
    (order,) = place(buyer_id, (variant, 1), vouchers=(choice,), **extra)
    return order, voucher, variant, choice


# --- The voucher use comes back ------------------------------------------------------------


def test_cancelling_an_order_that_used_a_voucher_gives_the_use_back():
    order, voucher, variant, choice = _voucher_order()
    assert (Voucher.objects.get(id=voucher.id).used_count, VoucherUse.objects.count()) == (1, 1)

    services.order_cancel(order_id=order.id, reason="salah pilih", buyer_id=BUYER)

    assert (Voucher.objects.get(id=voucher.id).used_count, VoucherUse.objects.count()) == (0, 0)
    # The buyer (per-buyer limit 1) and the voucher (usage limit 1) can use it again
    (again,) = place(BUYER, (variant, 1), vouchers=(choice,))
    assert (again.discount, Voucher.objects.get(id=voucher.id).used_count) == (10_000, 1)


def test_expiring_an_order_that_used_a_voucher_gives_the_use_back():
    order, voucher, _variant, _choice = _voucher_order()

    assert _expire(order) == 1

    assert Order.objects.get(id=order.id).status == "expired"
    assert (Voucher.objects.get(id=voucher.id).used_count, VoucherUse.objects.count()) == (0, 0)


def test_the_seller_cancelling_a_paid_cash_order_with_a_voucher_gives_the_use_back():
    order, voucher, _variant, _choice = _voucher_order(method="cod")

    services.order_cancel(order_id=order.id, reason="stok rusak", owner_user_id=order.shop.owner_user_id)

    assert (Voucher.objects.get(id=voucher.id).used_count, VoucherUse.objects.count()) == (0, 0)


def test_giving_back_one_order_leaves_another_buyers_use_of_the_same_voucher():
    variant = VariantFactory(price=100_000, stock_on_hand=5)
    voucher = VoucherFactory(shop=variant.product.shop, code="BERSAMA")
    choice = contracts.VoucherChoice(shop_id=variant.product.shop_id, code="BERSAMA")
    (mine,) = place(BUYER, (variant, 1), vouchers=(choice,))
    (theirs,) = place(OTHER_BUYER, (variant, 1), vouchers=(choice,))
    assert Voucher.objects.get(id=voucher.id).used_count == 2

    services.order_cancel(order_id=mine.id, reason="batal", buyer_id=BUYER)

    assert Voucher.objects.get(id=voucher.id).used_count == 1
    assert list(VoucherUse.objects.values_list("order_id", "buyer_id")) == [(theirs.id, OTHER_BUYER)]


def test_cancelling_an_order_without_a_voucher_leaves_the_shops_voucher_count():
    variant = VariantFactory(price=100_000, stock_on_hand=5)
    voucher = VoucherFactory(shop=variant.product.shop, code="LAIN")
    choice = contracts.VoucherChoice(shop_id=variant.product.shop_id, code="LAIN")
    place(OTHER_BUYER, (variant, 1), vouchers=(choice,))
    (plain,) = place(BUYER, (variant, 1))

    services.order_cancel(order_id=plain.id, reason="batal", buyer_id=BUYER)

    assert (Voucher.objects.get(id=voucher.id).used_count, VoucherUse.objects.count()) == (1, 1)


# --- Each order moves only its own variants' stock ------------------------------------------


def _two_orders_sharing_variants():
    """Two buyers' pending orders over the same two variants, and a third variant no order holds."""
    shop = ShopFactory()
    first = VariantFactory(product__shop=shop, price=100_000, stock_on_hand=10)
    second = VariantFactory(product__shop=shop, price=50_000, stock_on_hand=8)
    untouched = VariantFactory(product__shop=shop, price=10_000, stock_on_hand=7, stock_reserved=2)
    (mine,) = place(BUYER, (first, 2), (second, 3))
    (theirs,) = place(OTHER_BUYER, (first, 1), (second, 4))
    assert (_stock(first), _stock(second)) == ((10, 3), (8, 7))
    return mine, theirs, first, second, untouched


def test_paying_one_order_commits_only_its_own_reservations():
    mine, theirs, first, second, untouched = _two_orders_sharing_variants()

    _pay(mine)

    assert (_stock(first), _stock(second), _stock(untouched)) == ((8, 1), (5, 4), (7, 2))
    assert Order.objects.get(id=theirs.id).status == "pending_payment"
    _pay(theirs)
    assert (_stock(first), _stock(second), _stock(untouched)) == ((7, 0), (1, 0), (7, 2))


def test_cancelling_one_pending_order_releases_only_its_own_reservations():
    mine, _theirs, first, second, untouched = _two_orders_sharing_variants()

    services.order_cancel(order_id=mine.id, reason="batal", buyer_id=BUYER)

    assert (_stock(first), _stock(second), _stock(untouched)) == ((10, 1), (8, 4), (7, 2))


def test_expiring_one_payment_releases_only_its_own_orders_reservations():
    mine, _theirs, first, second, untouched = _two_orders_sharing_variants()

    assert _expire(mine) == 1

    assert (_stock(first), _stock(second), _stock(untouched)) == ((10, 1), (8, 4), (7, 2))
    assert Product.objects.get(id=first.product_id).sold_count == 1


def test_cancelling_a_paid_order_restocks_only_its_own_variants():
    mine, theirs, first, second, untouched = _two_orders_sharing_variants()
    _pay(mine)
    _pay(theirs)

    services.order_cancel(order_id=mine.id, reason="rusak", owner_user_id=mine.shop.owner_user_id)

    assert (_stock(first), _stock(second), _stock(untouched)) == ((9, 0), (4, 0), (7, 2))


# --- Cash on delivery ----------------------------------------------------------------------


def test_cancelling_a_cash_on_delivery_order_puts_its_units_back_on_the_shelf():
    shop = ShopFactory()
    first = VariantFactory(product__shop=shop, stock_on_hand=6)
    second = VariantFactory(product__shop=shop, stock_on_hand=4)
    (order,) = place(BUYER, (first, 2), (second, 4), method="cod")
    assert (_stock(first), _stock(second)) == ((4, 0), (0, 0))

    services.order_cancel(order_id=order.id, reason="pembeli menolak", owner_user_id=shop.owner_user_id)

    assert Order.objects.get(id=order.id).status == "cancelled"
    assert (_stock(first), _stock(second)) == ((6, 0), (4, 0))
    assert Product.objects.get(id=first.product_id).sold_count == 0
