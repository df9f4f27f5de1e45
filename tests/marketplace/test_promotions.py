"""Platform vouchers and free shipping across the shops of one checkout: the split, who funds
it, its ledger legs, and giving its use back. Expected figures are worked out by hand."""

import hashlib
import json
from dataclasses import asdict

import pytest
from django.db.models import Sum

from integration import contracts
from marketplace import services
from marketplace.models import (
    AccountKind,
    FeeInvoice,
    LedgerAccount,
    LedgerEntry,
    Order,
    Payment,
    PlatformVoucher,
    PlatformVoucherUse,
    PromotionFunding,
)
from marketplace.services.checkout import _fingerprint
from tests.factories import FreeShippingCampaignFactory, PlatformVoucherFactory, ShopFactory, VariantFactory
from tests.marketplace.conftest import ADDRESS, command, fill_cart
from tests.marketplace.test_reversals import _expire, _pay
from tests.queries import count_queries

pytestmark = pytest.mark.django_db(databases=["default", "storefront", "marketplace"])
BUYER = 7_001


def _three_shops():
    """Shops A, B, C in the buyer's province: one line each of Rp 100.000, 50.000 and 25.000,
    500 g, so JNE Reguler costs 9.000 + 6.000 = Rp 15.000 for each."""
    shops = [ShopFactory() for _ in range(3)]
    variants = [
        VariantFactory(product__shop=shop, price=price, stock_on_hand=5)
        for shop, price in zip(shops, (100_000, 50_000, 25_000), strict=True)
    ]
    fill_cart(BUYER, *((v, 1) for v in variants))
    return shops


def _balance(kind, holder=None) -> int:
    account = LedgerAccount.objects.filter(kind=kind, holder_id=holder).first()
    return account.balance if account else 0


def _by_shop(orders):
    return {o.shop_id: o for o in orders}


def _funding(order):
    return {(f.source, f.platform_amount, f.shop_amount) for f in PromotionFunding.objects.filter(order=order)}


def test_three_shops_share_a_rp_20000_platform_voucher_and_free_shipping_to_the_rupiah():
    # Given three shops, a Rp 20.000 platform voucher, and free shipping at A and B of at most
    # Rp 10.000 an order and Rp 15.000 a checkout
    a, b, c = _three_shops()
    voucher = PlatformVoucherFactory(code="JALIN20", value=20_000, usage_limit=10)
    campaign = FreeShippingCampaignFactory(max_per_order=10_000, max_per_checkout=15_000)
    campaign.shops.set([a, b])

    # When the buyer checks out with the code
    orders = _by_shop(services.checkout_place(command=command(BUYER, platform_voucher=" jalin20 ")))

    # Then the voucher is split 100:50:25 (11.428,57 / 5.714,29 / 2.857,14 -> the rupiah left to A),
    # and free shipping gives A its 10.000 (its quota of 15.000 reaches its cap) and B the 5.000 left
    assert {s.id: (o.discount, o.shipping_fee, o.total) for s, o in zip((a, b, c), orders.values(), strict=True)} == {
        a.id: (11_429, 5_000, 93_571),
        b.id: (5_714, 10_000, 54_286),
        c.id: (2_857, 15_000, 37_143),
    }
    assert sum(o.total for o in orders.values()) == 185_000 == 175_000 + 45_000 - 20_000 - 15_000
    assert Payment.objects.get().amount == 185_000
    assert _funding(orders[a.id]) == {("platform_voucher", 11_429, 0), ("free_shipping", 10_000, 0)}
    assert _funding(orders[b.id]) == {("platform_voucher", 5_714, 0), ("free_shipping", 5_000, 0)}
    assert _funding(orders[c.id]) == {("platform_voucher", 2_857, 0)}
    voucher.refresh_from_db()
    assert (voucher.used_count, PlatformVoucherUse.objects.filter(voucher=voucher).count()) == (1, 1)

    # When the payment arrives: each shop is owed its full price, the courier its full fee,
    # and the platform's promotion expense pays the difference
    _pay(orders[a.id])
    assert (_balance(AccountKind.SHOP_PENDING, a.id), _balance(AccountKind.SHOP_PENDING, b.id)) == (100_000, 50_000)
    assert _balance(AccountKind.SHOP_PENDING, c.id) == 25_000
    assert _balance(AccountKind.COURIER_PAYABLE) == 45_000
    assert _balance(AccountKind.PLATFORM_PROMOTIONS) == -35_000

    # When B's order is cancelled by its seller after payment (so refunded)
    services.order_cancel(order_id=orders[b.id].id, reason="stok habis", owner_user_id=b.owner_user_id)

    # Then the buyer gets back exactly B's total, and exactly B's share leaves the promotion expense
    assert _balance(AccountKind.REFUNDS) == 54_286
    assert _balance(AccountKind.PLATFORM_PROMOTIONS) == -35_000 + 5_714 + 5_000 == -24_286
    assert _balance(AccountKind.SHOP_PENDING, b.id) == 0
    assert _balance(AccountKind.COURIER_PAYABLE) == 30_000
    # and the voucher stays used: A's and C's orders still hold it
    assert PlatformVoucher.objects.get(id=voucher.id).used_count == 1
    unbalanced = LedgerEntry.objects.values("transaction_id").annotate(t=Sum("amount")).exclude(t=0)
    assert not unbalanced.exists()


def test_a_co_funded_voucher_reaches_only_its_shops_and_each_pays_its_share():
    # Given A and B taking part in a Rp 20.000 voucher at 30 percent of each order's share
    a, b, c = _three_shops()
    voucher = PlatformVoucherFactory(code="BARENG", value=20_000, shop_share_bp=3000)
    voucher.shops.set([a, b])

    orders = _by_shop(services.checkout_place(command=command(BUYER, platform_voucher="BARENG")))

    # Then 20.000 splits 100:50 over A and B (13.333,33 / 6.666,67 -> the rupiah to B); C gets none.
    # A pays 30% of 13.333 = 3.999 (rounded down), B 30% of 6.667 = 2.000
    assert [orders[s.id].discount for s in (a, b, c)] == [13_333, 6_667, 0]
    assert _funding(orders[a.id]) == {("platform_voucher", 9_334, 3_999)}
    assert _funding(orders[b.id]) == {("platform_voucher", 4_667, 2_000)}
    assert _funding(orders[c.id]) == set()

    # When A's order is paid, delivered and completed
    _pay(orders[a.id])
    services.order_pack(order_id=orders[a.id].id)
    services.order_ship(order_id=orders[a.id].id, courier="jne-reg", tracking_number="JP1")
    services.order_deliver(order_id=orders[a.id].id)
    services.order_complete(order_id=orders[a.id].id)

    # Then A receives the full price less only its own 3.999, and is charged the fee on that:
    # 1.250 + 1% of 96.001 = 2.210, VAT 11% = 243
    assert FeeInvoice.objects.get(order=orders[a.id]).base == 96_001
    assert _balance(AccountKind.SHOP_AVAILABLE, a.id) == 96_001 - 2_210 - 243 == 93_548
    assert _balance(AccountKind.PLATFORM_PROMOTIONS) == -(9_334 + 4_667)


def test_the_preview_shows_each_orders_share_and_agrees_with_placing():
    a, b, c = _three_shops()
    PlatformVoucherFactory(code="JALIN20", value=20_000)
    campaign = FreeShippingCampaignFactory(max_per_order=10_000)
    campaign.shops.set([c])

    preview = services.checkout_preview(buyer_id=BUYER, province=ADDRESS.province, platform_voucher="jalin20")

    assert preview.problems == {}
    assert preview.promotions == (
        contracts.PromotionShare(shop_id=a.id, platform_discount=11_429, shop_funded=0, shipping_subsidy=0),
        contracts.PromotionShare(shop_id=b.id, platform_discount=5_714, shop_funded=0, shipping_subsidy=0),
        contracts.PromotionShare(shop_id=c.id, platform_discount=2_857, shop_funded=0, shipping_subsidy=10_000),
    )
    assert preview.total == 175_000 + 45_000 - 20_000 - 10_000
    orders = services.checkout_place(command=command(BUYER, platform_voucher="JALIN20"))
    assert sum(o.total for o in orders) == preview.total
    assert tuple((o.shop_id, o.subtotal, o.shipping_fee, o.discount) for o in orders) == preview.shop_totals


@pytest.mark.parametrize(
    ("voucher", "code", "message"),
    [
        ({}, "NOPE", "This platform voucher does not exist."),
        ({"is_active": False}, "JALIN20", "This platform voucher does not exist."),
        ({"min_spend": 175_001}, "JALIN20", "Spend at least Rp 175.001 in this checkout to use this voucher."),
        ({"usage_limit": 0}, "JALIN20", "This voucher has been fully used."),
        ({"per_buyer_limit": 0}, "JALIN20", "You have already used this voucher."),
    ],
)
def test_a_platform_voucher_that_cannot_be_used_refuses_the_checkout_and_writes_nothing(voucher, code, message):
    _three_shops()
    PlatformVoucherFactory(code="JALIN20", **voucher)

    preview = services.checkout_preview(buyer_id=BUYER, province=ADDRESS.province, platform_voucher=code)
    with pytest.raises(contracts.InvalidRequest) as refused:
        services.checkout_place(command=command(BUYER, platform_voucher=code))

    assert preview.problems == {"platform_voucher": [message]}
    assert (refused.value.code, refused.value.fields) == ("voucher", {"platform_voucher": [message]})
    assert (Order.objects.count(), PromotionFunding.objects.count(), PlatformVoucherUse.objects.count()) == (0, 0, 0)


def test_a_voucher_of_other_shops_is_refused():
    _three_shops()
    PlatformVoucherFactory(code="LAIN", shop_share_bp=1000).shops.set([ShopFactory()])

    preview = services.checkout_preview(buyer_id=BUYER, province=ADDRESS.province, platform_voucher="LAIN")

    assert preview.problems == {"platform_voucher": ["This platform voucher does not apply to the shops in your cart."]}


def test_expiry_gives_the_use_back():
    _three_shops()
    voucher = PlatformVoucherFactory(code="JALIN20", usage_limit=1)
    orders = services.checkout_place(command=command(BUYER, platform_voucher="JALIN20"))

    assert _expire(orders[0]) == 3

    voucher.refresh_from_db()
    assert (voucher.used_count, PlatformVoucherUse.objects.count()) == (0, 0)


def test_the_use_comes_back_only_when_the_last_order_of_the_checkout_is_cancelled():
    _three_shops()
    voucher = PlatformVoucherFactory(code="JALIN20", usage_limit=1)
    orders = services.checkout_place(command=command(BUYER, platform_voucher="JALIN20"))

    counts = []
    for order in orders:
        services.order_cancel(order_id=order.id, reason="ganti", buyer_id=BUYER)
        counts.append(PlatformVoucher.objects.get(id=voucher.id).used_count)

    assert counts == [1, 1, 0]
    assert PlatformVoucherUse.objects.count() == 0


def test_free_shipping_needs_its_minimum_spend_at_its_shops():
    a, b, _c = _three_shops()
    campaign = FreeShippingCampaignFactory(min_spend=150_001)
    campaign.shops.set([a, b])  # 150.000 spent there: one rupiah short

    preview = services.checkout_preview(buyer_id=BUYER, province=ADDRESS.province)

    assert preview.promotions == ()
    assert [fee for _shop, _sub, fee, _disc in preview.shop_totals] == [15_000, 15_000, 15_000]


def test_a_three_shop_checkout_with_both_promotions_stays_within_40_queries(port):
    a, b, c = _three_shops()
    PlatformVoucherFactory(code="JALIN20", value=20_000, usage_limit=10)
    campaign = FreeShippingCampaignFactory(max_per_order=10_000)
    campaign.shops.set([a, b, c])
    shipping = tuple(contracts.ShippingChoice(shop_id=s.id, courier="jne-reg") for s in (a, b, c))

    with count_queries() as counted:
        result = port.checkout(command(BUYER, platform_voucher="JALIN20", shipping=shipping))

    assert len(counted) <= 40, counted
    assert sum(o.total for o in result.orders) == 175_000 + 45_000 - 20_000 - 30_000
    print(f"\nthree-shop checkout with platform voucher and free shipping: {len(counted)} queries")


def test_the_products_of_an_eligible_shop_carry_the_free_shipping_mark(port):
    eligible, other = VariantFactory(), VariantFactory()
    FreeShippingCampaignFactory().shops.set([eligible.product.shop])
    ended = FreeShippingCampaignFactory(is_active=False)
    ended.shops.set([other.product.shop])

    assert port.get_product(eligible.product_id).free_shipping is True
    assert port.get_product(other.product_id).free_shipping is False


def test_a_checkout_without_a_platform_voucher_hashes_as_before_platform_vouchers():
    # The fingerprint of this command as computed before the field existed (its body had no platform_voucher)
    plain = command(BUYER, key="k-1")
    body = asdict(plain)
    for name in ("idempotency_key", "attributions", "platform_voucher"):
        body.pop(name)
    before = hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()

    assert _fingerprint(plain) == before
    assert _fingerprint(command(BUYER, key="k-1", platform_voucher="JALIN20")) != before
