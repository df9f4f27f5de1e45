"""The preview and the placement of a checkout come from one quote: for the same cart and
choices they agree on every problem and every total, in the same words. Then the quote's own
rules, with the numbers worked out by hand from the courier table in marketplace/couriers.py
(base + per started kilogram, plus the surcharge across provinces)."""

import dataclasses

import pytest

from integration import contracts
from marketplace import services
from marketplace.models import Checkout, Courier, Order, Product, ProductStatus, Variant
from marketplace.services.quote import CheckoutQuote, voucher_codes
from tests.factories import ShopFactory, VariantFactory, VoucherFactory
from tests.marketplace.conftest import ADDRESS, command, fill_cart

pytestmark = pytest.mark.django_db(databases=["default", "marketplace"])
BUYER = 601
RULES_BUYER = 631


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


# --- The quote's own rules ----------------------------------------------------------------------


def _address(province):
    return dataclasses.replace(ADDRESS, province=province)


def _preview(province="DI Yogyakarta", shipping=(), vouchers=()):
    return services.checkout_preview(buyer_id=RULES_BUYER, province=province, shipping=shipping, vouchers=vouchers)


# --- The refusal: one error, naming the first field a buyer fixes -------------------------------


@pytest.mark.parametrize(
    ("problems", "message", "code"),
    [
        ({"cart": ["Your cart is empty."], "shipping": ["S"]}, "Your cart is empty.", "invalid"),
        (
            {"line_7": ["Only 0 left."], "shipping": ["S"]},
            "Some items in your cart are no longer available.",
            "out_of_stock",
        ),
        (
            {"shipping": ["Choose one of the offered couriers."], "vouchers": ["V"]},
            "Choose one of the offered couriers.",
            "invalid",
        ),
        ({"vouchers": ["This voucher is not valid now."]}, "This voucher is not valid now.", "voucher"),
    ],
    ids=["cart-first", "lines-before-shipping", "shipping-before-vouchers", "vouchers"],
)
def test_a_refusal_names_every_field_and_leads_with_the_first_to_fix(problems, message, code):
    refusal = CheckoutQuote(shops=(), options=(), problems=problems, notices={}).refusal()

    assert (refusal.message, refusal.code, refusal.fields) == (message, code, problems)


def test_a_quote_without_problems_has_no_refusal_even_with_notices():
    quote = CheckoutQuote(shops=(), options=(), problems={}, notices={"line_1": ["The price changed."]})

    assert quote.refusal() is None


def test_notices_come_before_problems_for_the_same_field_and_other_fields_keep_theirs():
    quote = CheckoutQuote(
        shops=(),
        options=(),
        problems={"line_1": ["Only 1 left."], "shipping": ["Choose one of the offered couriers."]},
        notices={"line_1": ["The price changed."], "line_2": ["The price of B changed."]},
    )

    assert quote.shown() == {
        "line_1": ["The price changed.", "Only 1 left."],
        "line_2": ["The price of B changed."],
        "shipping": ["Choose one of the offered couriers."],
    }
    assert quote.problems == {"line_1": ["Only 1 left."], "shipping": ["Choose one of the offered couriers."]}


def test_voucher_codes_are_trimmed_and_upper_case_by_shop():
    choices = (
        contracts.VoucherChoice(shop_id=1, code=" hemat10 "),
        contracts.VoucherChoice(shop_id=2, code="Ongkir5k"),
    )

    assert voucher_codes(choices) == {1: "HEMAT10", 2: "ONGKIR5K"}


# --- Couriers and fees -------------------------------------------------------------------------


def test_every_courier_is_offered_with_its_fee_for_the_parcels_weight_within_the_province():
    variant = VariantFactory(weight_grams=500)  # the shop is in DI Yogyakarta
    fill_cart(RULES_BUYER, (variant, 3))  # 1.500 g: two started kilograms

    preview = _preview(province="  di yogyakarta ")

    shop_id = variant.product.shop_id
    assert sorted(preview.shipping_options, key=lambda o: o.courier) == [
        contracts.ShippingOption(shop_id=shop_id, courier="jne-reg", name="JNE Reguler", fee=21_000, etd_days="2-3"),
        contracts.ShippingOption(shop_id=shop_id, courier="jne-yes", name="JNE YES", fee=38_000, etd_days="1"),
        contracts.ShippingOption(shop_id=shop_id, courier="jnt-ez", name="J&T EZ", fee=24_000, etd_days="2-4"),
        contracts.ShippingOption(
            shop_id=shop_id, courier="sicepat-reg", name="SiCepat REG", fee=22_000, etd_days="2-3"
        ),
    ]
    assert preview.shop_totals == ((shop_id, 375_000, 21_000, 0),)
    assert preview.total == 396_000


def test_across_provinces_each_courier_adds_its_surcharge_and_a_tie_goes_to_the_first_courier():
    variant = VariantFactory(weight_grams=750, price=100_000)
    fill_cart(RULES_BUYER, (variant, 2))  # 1.500 g, from DI Yogyakarta to Jawa Barat

    preview = _preview(province="Jawa Barat")

    fees = {o.courier: o.fee for o in preview.shipping_options}
    # JNE Reguler 9.000 + 2 x 6.000 + 8.000 ties SiCepat 10.000 + 2 x 6.000 + 7.000
    assert fees == {"jne-reg": 29_000, "sicepat-reg": 29_000, "jnt-ez": 30_000, "jne-yes": 50_000}
    (order,) = services.checkout_place(command=command(RULES_BUYER, address=_address("Jawa Barat")))
    assert (order.courier, order.shipping_fee, order.total) == ("jne-reg", 29_000, 229_000)


def test_the_cheapest_courier_is_the_first_by_id_among_equal_fees_whatever_their_codes():
    Courier.objects.filter(code="jne-reg").update(is_active=False)
    variant = VariantFactory(weight_grams=1_000, price=100_000)
    fill_cart(RULES_BUYER, (variant, 1))
    # one kilogram across provinces: SiCepat 10.000 + 6.000 + 7.000 = J&T 10.000 + 7.000 + 6.000
    Courier.objects.filter(code="jnt-ez").update(code="a-first-by-name")

    (order,) = services.checkout_place(command=command(RULES_BUYER, address=_address("Jawa Barat")))

    assert (order.courier, order.shipping_fee) == ("sicepat-reg", 23_000)


def test_a_blank_courier_choice_gets_the_cheapest_and_no_problem():
    variant = VariantFactory()
    fill_cart(RULES_BUYER, (variant, 1))

    preview = _preview(shipping=(contracts.ShippingChoice(shop_id=variant.product.shop_id, courier=""),))

    assert (preview.problems, preview.shop_totals) == ({}, ((variant.product.shop_id, 125_000, 15_000, 0),))


def test_a_courier_choice_for_a_shop_not_in_the_cart_is_a_problem():
    fill_cart(RULES_BUYER, (VariantFactory(), 1))
    elsewhere = ShopFactory()

    preview = _preview(shipping=(contracts.ShippingChoice(shop_id=elsewhere.id, courier="jne-reg"),))

    assert preview.problems == {"shipping": ["A shipping or voucher choice names a shop that is not in your cart."]}


def test_the_chosen_courier_prices_its_own_shop_only():
    near = VariantFactory(price=100_000)
    far = VariantFactory(price=100_000, product__shop__province="Jawa Barat")
    fill_cart(RULES_BUYER, (near, 1), (far, 1))

    preview = _preview(shipping=(contracts.ShippingChoice(shop_id=near.product.shop_id, courier="jne-yes"),))

    # near: JNE YES 18.000 + 10.000; far: the cheapest across provinces, JNE Reguler 9.000 + 6.000 + 8.000
    assert preview.shop_totals == (
        (near.product.shop_id, 100_000, 28_000, 0),
        (far.product.shop_id, 100_000, 23_000, 0),
    )
    assert preview.total == 251_000


# --- Lines and vouchers --------------------------------------------------------------------------


def test_a_line_whose_price_changed_and_ran_short_shows_the_notice_then_the_problem():
    variant = VariantFactory(price=100_000, stock_on_hand=5, product__title="Kain Tenun")
    fill_cart(RULES_BUYER, (variant, 3))
    Variant.objects.filter(id=variant.id).update(price=120_000, stock_on_hand=2)

    preview = _preview()

    (line,) = preview.cart.lines
    assert preview.problems == {
        f"line_{line.id}": [
            "The price of Kain Tenun changed from Rp 100.000 to Rp 120.000.",
            "Only 2 of Kain Tenun (M) left.",
        ]
    }
    assert preview.shop_totals == ((variant.product.shop_id, 360_000, 21_000, 0),)


def test_a_line_of_a_product_taken_off_sale_or_over_its_limit_says_so():
    gone = VariantFactory(product__title="Batik Lama")
    limited = VariantFactory(product__title="Kopi Gayo", max_per_order=5)
    fill_cart(RULES_BUYER, (gone, 1), (limited, 5))
    Product.objects.filter(id=gone.product_id).update(status=ProductStatus.ARCHIVED)
    Variant.objects.filter(id=limited.id).update(max_per_order=4)

    preview = _preview()

    line_of = {line.variant_id: line.id for line in preview.cart.lines}
    assert preview.problems == {
        f"line_{line_of[gone.id]}": ["Batik Lama is no longer available."],
        f"line_{line_of[limited.id]}": ["At most 4 of Kopi Gayo per order."],
    }


def test_an_inactive_voucher_is_as_good_as_none_and_prices_without_a_discount():
    variant = VariantFactory()
    VoucherFactory(shop=variant.product.shop, code="LIBUR", is_active=False)
    fill_cart(RULES_BUYER, (variant, 1))
    shop_id = variant.product.shop_id

    preview = _preview(vouchers=(contracts.VoucherChoice(shop_id=shop_id, code="LIBUR"),))

    assert preview.problems == {"vouchers": ["This voucher does not exist for this shop."]}
    assert preview.shop_totals == ((shop_id, 125_000, 15_000, 0),)


def test_a_voucher_of_one_shop_gives_nothing_to_another_shop_in_the_cart():
    mine = VariantFactory(price=100_000)
    other = VariantFactory(price=100_000)
    VoucherFactory(shop=mine.product.shop, code="HEMAT10", value=10, max_discount=None)
    fill_cart(RULES_BUYER, (mine, 1), (other, 1))

    preview = _preview(vouchers=(contracts.VoucherChoice(shop_id=mine.product.shop_id, code="HEMAT10"),))

    assert preview.shop_totals == (
        (mine.product.shop_id, 100_000, 15_000, 10_000),
        (other.product.shop_id, 100_000, 15_000, 0),
    )
    assert preview.total == 220_000
