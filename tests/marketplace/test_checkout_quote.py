"""The preview and the placement of a checkout come from one quote: for the same cart and
choices they agree on every problem and every total, in the same words."""

import pytest

from integration import contracts
from marketplace import services
from marketplace.models import Checkout, Order, Variant
from tests.factories import ShopFactory, VariantFactory, VoucherFactory
from tests.marketplace.conftest import ADDRESS, command, fill_cart

pytestmark = pytest.mark.django_db(databases=["default", "marketplace"])
BUYER = 601


def _preview_and_place(shipping=(), vouchers=()):
    """The preview, then what placing the same checkout answered: its orders' totals, or its refusal."""
    preview = services.checkout_preview(buyer_id=BUYER, province=ADDRESS.province, shipping=shipping, vouchers=vouchers)
    try:
        orders = services.checkout_place(command=command(BUYER, shipping=shipping, vouchers=vouchers))
    except contracts.InvalidRequest as refusal:
        return preview, refusal
    return preview, tuple((o.shop_id, o.subtotal, o.shipping_fee, o.discount) for o in orders)


def test_a_usable_courier_and_voucher_price_the_preview_and_the_orders_alike():
    variant = VariantFactory()  # 125.000, in the buyer's province
    shop_id = variant.product.shop_id
    VoucherFactory(shop=variant.product.shop, code="HEMAT10", value=10)
    fill_cart(BUYER, (variant, 1))

    preview, placed = _preview_and_place(
        shipping=(contracts.ShippingChoice(shop_id=shop_id, courier="jne-yes"),),
        vouchers=(contracts.VoucherChoice(shop_id=shop_id, code="hemat10"),),
    )

    assert preview.problems == {}
    assert preview.shop_totals == placed == ((shop_id, 125_000, 28_000, 12_500),)
    assert preview.total == 140_500


def test_a_voucher_below_its_minimum_is_the_same_problem_in_the_preview_and_at_placing():
    variant = VariantFactory()
    shop_id = variant.product.shop_id
    VoucherFactory(shop=variant.product.shop, code="BESAR", min_spend=500_000)
    fill_cart(BUYER, (variant, 1))

    preview, refusal = _preview_and_place(vouchers=(contracts.VoucherChoice(shop_id=shop_id, code="BESAR"),))

    expected = {"vouchers": ["Spend at least Rp 500.000 at this shop to use this voucher."]}
    assert preview.problems == refusal.fields == expected
    assert (refusal.code, refusal.message) == ("voucher", expected["vouchers"][0])
    assert preview.shop_totals == ((shop_id, 125_000, 15_000, 0),)  # priced without the voucher
    assert Order.objects.count() == Checkout.objects.count() == 0


def test_an_out_of_stock_line_is_the_same_problem_in_the_preview_and_at_placing():
    variant = VariantFactory(stock_on_hand=3, product__title="Kopi Gayo")
    fill_cart(BUYER, (variant, 3))
    Variant.objects.filter(id=variant.id).update(stock_on_hand=1)

    preview, refusal = _preview_and_place()

    (line,) = preview.cart.lines
    expected = {f"line_{line.id}": ["Only 1 of Kopi Gayo (M) left."]}
    assert preview.problems == refusal.fields == expected
    assert refusal.code == "out_of_stock"
    # 3 x 500 g start a second kilogram: JNE Reguler 9.000 + 2 x 6.000
    assert preview.shop_totals == ((variant.product.shop_id, 375_000, 21_000, 0),)
    assert Order.objects.count() == 0


def test_an_unknown_courier_is_the_same_problem_in_the_preview_and_at_placing():
    variant = VariantFactory()
    shop_id = variant.product.shop_id
    fill_cart(BUYER, (variant, 1))

    preview, refusal = _preview_and_place(shipping=(contracts.ShippingChoice(shop_id=shop_id, courier="kuda"),))

    expected = {"shipping": ["Choose one of the offered couriers."]}
    assert preview.problems == refusal.fields == expected
    assert refusal.message == "Choose one of the offered couriers."
    assert preview.shop_totals == ((shop_id, 125_000, 15_000, 0),)  # priced with the cheapest
    assert Order.objects.count() == 0


def test_a_choice_for_a_shop_not_in_the_cart_is_the_same_problem_in_the_preview_and_at_placing():
    fill_cart(BUYER, (VariantFactory(), 1))

    preview, refusal = _preview_and_place(vouchers=(contracts.VoucherChoice(shop_id=ShopFactory().id, code="X"),))

    expected = {"shipping": ["A shipping or voucher choice names a shop that is not in your cart."]}
    assert preview.problems == refusal.fields == expected
    assert Order.objects.count() == 0


def test_an_empty_cart_is_the_same_problem_in_the_preview_and_at_placing():
    preview, refusal = _preview_and_place()

    assert preview.problems == refusal.fields == {"cart": ["Your cart is empty."]}
    assert (preview.shop_totals, preview.total) == ((), 0)


def test_a_price_change_is_shown_in_the_preview_and_does_not_stop_placing_at_the_same_totals():
    variant = VariantFactory(price=100_000, product__title="Kain Tenun")
    fill_cart(BUYER, (variant, 2))
    Variant.objects.filter(id=variant.id).update(price=110_000)

    preview, placed = _preview_and_place()

    (line,) = preview.cart.lines
    assert preview.problems == {f"line_{line.id}": ["The price of Kain Tenun changed from Rp 100.000 to Rp 110.000."]}
    assert preview.shop_totals == placed == ((variant.product.shop_id, 220_000, 15_000, 0),)


def test_several_problems_are_reported_together_and_refused_together():
    scarce = VariantFactory(stock_on_hand=1, product__title="Kopi Gayo")
    other = VariantFactory()
    VoucherFactory(shop=other.product.shop, code="BESAR", min_spend=500_000)
    fill_cart(BUYER, (scarce, 1), (other, 1))
    Variant.objects.filter(id=scarce.id).update(stock_on_hand=0)

    preview, refusal = _preview_and_place(
        shipping=(contracts.ShippingChoice(shop_id=scarce.product.shop_id, courier="kuda"),),
        vouchers=(contracts.VoucherChoice(shop_id=other.product.shop_id, code="BESAR"),),
    )

    line_id = next(line.id for line in preview.cart.lines if line.variant_id == scarce.id)
    assert (
        preview.problems
        == refusal.fields
        == {
            f"line_{line_id}": ["Only 0 of Kopi Gayo (M) left."],
            "shipping": ["Choose one of the offered couriers."],
            "vouchers": ["Spend at least Rp 500.000 at this shop to use this voucher."],
        }
    )
    assert refusal.code == "out_of_stock"
