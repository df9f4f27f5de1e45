"""The platform promotions' own rules, each at its edge: when a platform voucher can be used,
which free-shipping campaign applies and how much it pays, and the platform staff's commands
that create and edit them. Expected figures are worked out by hand."""

from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connections
from django.test.utils import CaptureQueriesContext

from integration import contracts
from marketplace import services
from marketplace.models import FreeShippingCampaign, PlatformVoucher, PlatformVoucherUse
from marketplace.services import promotions
from marketplace.services._common import UNSET
from marketplace.services.promotions import Campaign, Offer, OrderPromotion
from tests.factories import FreeShippingCampaignFactory, PlatformVoucherFactory, ShopFactory, VariantFactory
from tests.marketplace.conftest import command, fill_cart

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
START, END = datetime(2026, 12, 1, tzinfo=UTC), datetime(2026, 12, 31, tzinfo=UTC)
db = pytest.mark.django_db(databases=["default", "marketplace"])


def _place(buyer_id: int, code: str):
    return services.checkout_place(command=command(buyer_id, platform_voucher=code))


def _voucher(**fields) -> PlatformVoucher:
    """An unsaved platform voucher: Rp 20.000 off, valid through December."""
    return PlatformVoucher(
        **{"code": "JALIN20", "kind": "fixed", "value": 20_000, "starts_at": START, "ends_at": END, **fields}
    )


def _campaign(shops=(1, 2, 3), **fields) -> Campaign:
    row = FreeShippingCampaign(**{"campaign_key": "ongkir", "name": "Ongkir", **fields})
    return Campaign(row, frozenset(shops))


# --- When a platform voucher can be used ------------------------------------------------------


def _problem(voucher, *, shops=frozenset(), used_by_buyer=0, spend=100_000, shop_ids=frozenset({1})):
    with time_machine.travel(NOW, tick=False):
        offer = Offer(voucher, frozenset(shops)) if voucher is not None else None
        return promotions.platform_voucher_problem(
            offer=offer, used_by_buyer=used_by_buyer, spend=spend, shop_ids=set(shop_ids)
        )


def test_a_usable_platform_voucher_has_no_problem():
    assert _problem(_voucher()) == ""


def test_no_voucher_or_an_inactive_one_does_not_exist():
    assert _problem(None) == "This platform voucher does not exist."
    assert _problem(_voucher(is_active=False)) == "This platform voucher does not exist."


@pytest.mark.parametrize(
    ("starts_at", "ends_at", "problem"),
    [
        (NOW, END, ""),  # from its first instant
        (NOW + timedelta(seconds=1), END, "This voucher is not valid now."),
        (START, NOW + timedelta(seconds=1), ""),
        (START, NOW, "This voucher is not valid now."),  # not at its last instant
    ],
)
def test_a_platform_voucher_is_valid_from_its_start_until_just_before_its_end(starts_at, ends_at, problem):
    assert _problem(_voucher(starts_at=starts_at, ends_at=ends_at)) == problem


def test_a_voucher_of_some_shops_needs_one_of_them_in_the_cart():
    assert _problem(_voucher(), shops={2, 3}, shop_ids={1}) == (
        "This platform voucher does not apply to the shops in your cart."
    )
    assert _problem(_voucher(), shops={2, 3}, shop_ids={1, 3}) == ""


def test_the_minimum_spend_is_reached_at_exactly_the_minimum():
    assert _problem(_voucher(min_spend=100_000), spend=100_000) == ""
    assert _problem(_voucher(min_spend=100_000), spend=99_999) == (
        "Spend at least Rp 100.000 in this checkout to use this voucher."
    )
    assert _problem(_voucher(min_spend=1_250_000), spend=0) == (
        "Spend at least Rp 1.250.000 in this checkout to use this voucher."
    )


def test_the_last_use_of_the_total_and_of_the_buyers_limit_is_allowed():
    assert _problem(_voucher(usage_limit=5, used_count=4)) == ""
    assert _problem(_voucher(usage_limit=5, used_count=5)) == "This voucher has been fully used."
    assert _problem(_voucher(usage_limit=None, used_count=10_000)) == ""
    assert _problem(_voucher(per_buyer_limit=2), used_by_buyer=1) == ""
    assert _problem(_voucher(per_buyer_limit=2), used_by_buyer=2) == "You have already used this voucher."


# --- Free shipping: what a campaign pays --------------------------------------------------------


def test_without_caps_a_campaign_pays_every_eligible_orders_whole_fee():
    subsidies = promotions.shipping_subsidies(
        _campaign(shops=(1, 3)), subtotals=[100_000, 50_000, 25_000], fees=[15_000, 21_000, 9_000], shop_ids=[1, 2, 3]
    )

    assert subsidies == [15_000, 0, 9_000]


def test_the_per_order_cap_limits_each_fee():
    subsidies = promotions.shipping_subsidies(
        _campaign(max_per_order=10_000), subtotals=[100_000, 50_000], fees=[15_000, 8_000], shop_ids=[1, 2]
    )

    assert subsidies == [10_000, 8_000]


def test_the_per_checkout_cap_is_split_by_subtotal_only_when_it_binds():
    at_cap = promotions.shipping_subsidies(
        _campaign(max_per_checkout=23_000), subtotals=[100_000, 50_000], fees=[15_000, 8_000], shop_ids=[1, 2]
    )
    over_cap = promotions.shipping_subsidies(
        _campaign(max_per_checkout=12_000), subtotals=[100_000, 50_000], fees=[15_000, 8_000], shop_ids=[1, 2]
    )

    assert at_cap == [15_000, 8_000]
    assert over_cap == [8_000, 4_000]  # 12.000 by 100:50


def test_the_per_checkout_cap_leaves_out_orders_of_ineligible_shops():
    # 9.000 over A and C by 100:25 (7.200 and 1.800); B, not eligible, would have weighed 50
    subsidies = promotions.shipping_subsidies(
        _campaign(shops=(1, 3), max_per_checkout=9_000),
        subtotals=[100_000, 50_000, 25_000],
        fees=[15_000, 15_000, 15_000],
        shop_ids=[1, 2, 3],
    )

    assert subsidies == [7_200, 0, 1_800]


def test_the_minimum_spend_counts_only_the_eligible_shops_and_is_reached_at_exactly_the_minimum():
    kwargs = {"subtotals": [100_000, 50_000], "fees": [15_000, 15_000], "shop_ids": [1, 2]}

    assert promotions.shipping_subsidies(_campaign(shops=(1,), min_spend=100_000), **kwargs) == [15_000, 0]
    assert promotions.shipping_subsidies(_campaign(shops=(1,), min_spend=100_001), **kwargs) == [0, 0]


def test_a_campaign_of_other_shops_pays_nothing_even_without_a_minimum():
    subsidies = promotions.shipping_subsidies(_campaign(shops=(9,)), subtotals=[100_000], fees=[15_000], shop_ids=[1])

    assert subsidies == [0]


# --- Applying both to a checkout's orders ---------------------------------------------------------


def test_the_campaign_that_pays_most_applies_and_a_tie_goes_to_the_first():
    small, large, also_large = (
        _campaign(campaign_key="kecil", max_per_order=5_000),
        _campaign(campaign_key="besar", max_per_order=12_000),
        _campaign(campaign_key="besar-juga", shops=(1,), max_per_order=15_000),
    )
    kwargs = {"subtotals": [100_000, 50_000], "rooms": [100_000, 50_000], "fees": [15_000, 15_000]}

    shares, chosen = promotions.apply(**kwargs, shop_ids=[1, 2], offer=None, campaigns=[small, large, also_large])

    assert chosen is large  # 24.000 against 10.000 and 15.000
    assert shares == [OrderPromotion(0, 0, 12_000), OrderPromotion(0, 0, 12_000)]
    _shares, tied = promotions.apply(
        **kwargs, shop_ids=[1, 2], offer=None, campaigns=[_campaign(campaign_key="a"), _campaign(campaign_key="b")]
    )
    assert tied.campaign.campaign_key == "a"


def test_no_campaign_that_pays_anything_applies_none():
    shares, chosen = promotions.apply(
        subtotals=[100_000],
        rooms=[100_000],
        fees=[15_000],
        shop_ids=[1],
        offer=None,
        campaigns=[_campaign(shops=(9,))],
    )

    assert (shares, chosen) == ([OrderPromotion(0, 0, 0)], None)


def test_a_voucher_of_some_shops_is_figured_on_their_rooms_and_shared_by_their_subtotals():
    # 10 percent of the rooms at A and C (80.000 + 20.000) is 10.000, split 100:25 by subtotal;
    # B is not taking part. The shops pay 25 percent of their share, rounded down
    offer = Offer(_voucher(kind="percent", value=10, shop_share_bp=2500), frozenset({1, 3}))

    shares, chosen = promotions.apply(
        subtotals=[100_000, 50_000, 25_000],
        rooms=[80_000, 50_000, 20_000],
        fees=[0, 0, 0],
        shop_ids=[1, 2, 3],
        offer=offer,
        campaigns=[],
    )

    assert chosen is None
    assert shares == [OrderPromotion(8_000, 2_000, 0), OrderPromotion(0, 0, 0), OrderPromotion(2_000, 500, 0)]
    assert [share.platform_funded for share in shares] == [6_000, 0, 1_500]


def test_a_voucher_for_every_shop_is_the_platforms_alone_whatever_its_share():
    offer = Offer(_voucher(value=9_000, max_discount=6_000, shop_share_bp=5000), frozenset())

    shares, _chosen = promotions.apply(
        subtotals=[100_000, 50_000], rooms=[100_000, 50_000], fees=[0, 0], shop_ids=[1, 2], offer=offer, campaigns=[]
    )

    assert shares == [OrderPromotion(4_000, 0, 0), OrderPromotion(2_000, 0, 0)]  # capped at 6.000, 100:50


def test_codes_are_trimmed_and_upper_case():
    assert promotions.normalised_code("  jalin20 ") == "JALIN20"
    assert promotions.normalised_code(None) == ""


# --- Reading them from the database ---------------------------------------------------------------


@db
def test_an_offer_is_found_by_its_normalised_code_with_its_shops():
    a, b = ShopFactory(), ShopFactory()
    voucher = PlatformVoucherFactory(code="BARENG")
    voucher.shops.set([a, b])
    PlatformVoucherFactory(code="LAIN").shops.set([ShopFactory()])

    found = promotions.offer_by_code(" bareng ", for_update=False)

    assert (found.voucher.id, found.shops) == (voucher.id, frozenset({a.id, b.id}))
    assert promotions.offer_by_code("TIDAK-ADA") is None
    assert promotions.offer_by_code("   ") is None


@db
def test_campaigns_running_now_name_only_the_shops_asked_about():
    a, b, c = ShopFactory(), ShopFactory(), ShopFactory()
    with time_machine.travel(NOW, tick=False):
        running = FreeShippingCampaignFactory(starts_at=NOW, ends_at=NOW + timedelta(seconds=1))
        running.shops.set([a, b, c])
        ended = FreeShippingCampaignFactory(starts_at=START, ends_at=NOW)
        ended.shops.set([a])
        not_yet = FreeShippingCampaignFactory(starts_at=NOW + timedelta(seconds=1), ends_at=END)
        not_yet.shops.set([a])
        FreeShippingCampaignFactory(is_active=False).shops.set([a])
        FreeShippingCampaignFactory().shops.set([ShopFactory()])

        found = promotions.campaigns_now({a.id, b.id})

    assert [(c.campaign.id, c.shops) for c in found] == [(running.id, frozenset({a.id, b.id}))]


@db
def test_the_uses_are_counted_per_voucher_and_per_buyer():
    shop = ShopFactory()
    first, second = PlatformVoucherFactory(code="SATU"), PlatformVoucherFactory(code="DUA", per_buyer_limit=5)
    for buyer, code in ((7, "SATU"), (7, "DUA"), (8, "DUA"), (7, "DUA")):
        fill_cart(buyer, (VariantFactory(product__shop=shop), 1))
        _place(buyer, code)

    assert promotions.platform_voucher_uses([first.id, second.id]) == {first.id: 1, second.id: 3}
    assert promotions.platform_voucher_uses([first.id]) == {first.id: 1}
    assert (promotions.uses_of_buyer(second.id, 7), promotions.uses_of_buyer(second.id, 8)) == (2, 1)
    assert promotions.uses_of_buyer(first.id, 8) == 0


@db
def test_a_use_is_taken_without_a_limit_and_refused_past_it():
    shop = ShopFactory()
    unlimited = PlatformVoucherFactory(code="BEBAS", usage_limit=None, per_buyer_limit=9)
    for _ in range(3):
        fill_cart(7, (VariantFactory(product__shop=shop), 1))
        _place(7, "BEBAS")
    assert PlatformVoucher.objects.get(id=unlimited.id).used_count == 3

    full = PlatformVoucherFactory(code="PENUH", usage_limit=2, used_count=2)
    checkout = PlatformVoucherUse.objects.first().checkout
    with pytest.raises(contracts.InvalidRequest) as refused:
        promotions.take(offer=Offer(full, frozenset()), buyer_id=7, checkout=checkout)

    assert (refused.value.message, refused.value.code, refused.value.fields) == (
        "This voucher has been fully used.",
        "voucher",
        {"platform_voucher": ["Fully used."]},
    )
    assert PlatformVoucher.objects.get(id=full.id).used_count == 2


# --- The platform staff's commands ------------------------------------------------------------------


@db
def test_a_platform_voucher_is_created_with_its_terms_and_shops():
    a, b = ShopFactory(), ShopFactory()

    voucher = promotions.platform_voucher_create(
        code="bareng",
        kind="percent",
        value=15,
        starts_at=START,
        ends_at=END,
        min_spend=50_000,
        max_discount=30_000,
        usage_limit=100,
        per_buyer_limit=2,
        is_active=False,
        shop_share_bp=4000,
        shop_ids=[a.id, b.id],
    )

    stored = PlatformVoucher.objects.get(id=voucher.id)
    assert (stored.code, stored.kind, stored.value, stored.min_spend, stored.max_discount) == (
        "BARENG",
        "percent",
        15,
        50_000,
        30_000,
    )
    assert (stored.starts_at, stored.ends_at, stored.usage_limit, stored.per_buyer_limit) == (START, END, 100, 2)
    assert (stored.is_active, stored.shop_share_bp, stored.used_count) == (False, 4000, 0)
    assert set(stored.shops.values_list("id", flat=True)) == {a.id, b.id}


@db
def test_a_platform_voucher_created_with_only_its_terms_takes_the_defaults():
    voucher = promotions.platform_voucher_create(code="JALIN", kind="fixed", value=10_000, starts_at=START, ends_at=END)

    stored = PlatformVoucher.objects.get(id=voucher.id)
    assert (stored.min_spend, stored.max_discount, stored.usage_limit, stored.per_buyer_limit) == (0, None, None, 1)
    assert (stored.is_active, stored.shop_share_bp, list(stored.shops.all())) == (True, 0, [])


@db
def test_a_bad_platform_voucher_is_refused_by_field_and_not_saved():
    with pytest.raises(contracts.InvalidRequest) as refused:
        promotions.platform_voucher_create(
            code="BARENG", kind="fixed", value=10_000, starts_at=START, ends_at=END, shop_share_bp=4000
        )

    assert refused.value.message == "Please correct the voucher."
    assert list(refused.value.fields) == ["shop_share_bp"]
    assert PlatformVoucher.objects.count() == 0


@db
def test_an_edit_changes_only_the_fields_given_and_keeps_the_shops():
    a, b = ShopFactory(), ShopFactory()
    voucher = promotions.platform_voucher_create(
        code="BARENG", kind="fixed", value=10_000, starts_at=START, ends_at=END, shop_share_bp=4000, shop_ids=[a.id]
    )

    promotions.platform_voucher_update(voucher_id=voucher.id, value=12_000, min_spend=UNSET)

    stored = PlatformVoucher.objects.get(id=voucher.id)
    assert (stored.value, stored.min_spend, stored.shop_share_bp) == (12_000, 0, 4000)
    assert list(stored.shops.values_list("id", flat=True)) == [a.id]

    promotions.platform_voucher_update(voucher_id=voucher.id, shop_ids=[b.id])
    assert list(PlatformVoucher.objects.get(id=voucher.id).shops.values_list("id", flat=True)) == [b.id]


@db
def test_an_edit_of_an_unknown_field_or_voucher_is_refused():
    with pytest.raises(TypeError, match=r"unknown fields \['colour', 'used_count'\]"):
        promotions.platform_voucher_update(voucher_id=1, used_count=0, colour="red")
    with pytest.raises(contracts.NotFound) as missing:
        promotions.platform_voucher_update(voucher_id=999_999, value=1)

    assert missing.value.message == "Voucher not found."


@db
def test_a_free_shipping_campaign_is_saved_with_its_shops_or_refused_without_one():
    a = ShopFactory()
    campaign = FreeShippingCampaign(
        campaign_key="  ongkir-desember ", name="Ongkir Desember", starts_at=START, ends_at=END
    )

    with pytest.raises(contracts.InvalidRequest) as refused:
        promotions.campaign_save(campaign, [])
    saved = promotions.campaign_save(campaign, [a.id])

    assert refused.value.message == "Please correct the campaign."
    assert list(refused.value.fields) == ["shops"]
    stored = FreeShippingCampaign.objects.get(id=saved.id)
    assert (stored.campaign_key, list(stored.shops.values_list("id", flat=True))) == ("ongkir-desember", [a.id])
    assert FreeShippingCampaign.objects.count() == 1


# --- Who funds what, and giving a use back ----------------------------------------------------------


@db
def test_the_funding_of_an_order_names_each_promotion_and_who_pays():
    a, b = ShopFactory(), ShopFactory()
    fill_cart(
        7, (VariantFactory(product__shop=a, price=100_000), 1), (VariantFactory(product__shop=b, price=50_000), 1)
    )
    PlatformVoucherFactory(code="BARENG", value=15_000, shop_share_bp=2000).shops.set([a, b])
    FreeShippingCampaignFactory(max_per_order=4_000).shops.set([a])

    first, second = _place(7, "BARENG")

    # 15.000 by 100:50: 10.000 and 5.000, of which the shops pay a fifth
    assert promotions.funding_of(first) == {"platform_voucher": (8_000, 2_000), "free_shipping": (4_000, 0)}
    assert promotions.funding_of(second) == {"platform_voucher": (4_000, 1_000)}


@db
def test_no_funding_is_recorded_for_a_share_without_its_promotion():
    fill_cart(7, (VariantFactory(), 1))
    (order,) = services.checkout_place(command=command(7))

    promotions.record_funding(
        [order, order],
        [OrderPromotion(platform_discount=5_000), OrderPromotion(shipping_subsidy=3_000)],
        offer=None,
        campaign=None,
    )

    assert promotions.funding_of(order) == {}


@db
def test_ending_an_order_of_a_checkout_without_a_platform_voucher_gives_nothing_back():
    voucher = PlatformVoucherFactory(code="LAIN", used_count=3)
    fill_cart(7, (VariantFactory(), 1))
    (order,) = services.checkout_place(command=command(7))
    order.status = "cancelled"

    promotions.give_back(order)

    assert PlatformVoucher.objects.get(id=voucher.id).used_count == 3


@db
def test_a_use_given_back_never_takes_the_count_below_zero():
    voucher = PlatformVoucherFactory(code="NOL")
    fill_cart(7, (VariantFactory(), 1))
    (order,) = _place(7, "NOL")
    PlatformVoucher.objects.filter(id=voucher.id).update(used_count=0)
    order.status = "cancelled"

    promotions.give_back(order)

    assert (PlatformVoucher.objects.get(id=voucher.id).used_count, PlatformVoucherUse.objects.count()) == (0, 0)


@contextmanager
def _all_inside_one_transaction():
    """Every statement on the marketplace between the first SAVEPOINT and the last RELEASE
    (the m2m writes open savepoints of their own inside it)."""
    with CaptureQueriesContext(connections["marketplace"]) as captured:
        yield
    statements = [q["sql"].lstrip().upper() for q in captured.captured_queries]
    assert statements[0].startswith("SAVEPOINT"), statements[0]
    assert statements[-1].startswith("RELEASE SAVEPOINT"), statements[-1]
    assert statements[0].split()[1] == statements[-1].split()[2]  # the same savepoint


@db
def test_the_staffs_commands_are_each_one_marketplace_transaction():
    shop = ShopFactory()

    with _all_inside_one_transaction():
        voucher = promotions.platform_voucher_create(
            code="SATU", kind="fixed", value=10_000, starts_at=START, ends_at=END, shop_ids=[shop.id]
        )
    with _all_inside_one_transaction():
        promotions.platform_voucher_update(voucher_id=voucher.id, value=12_000, shop_ids=[])
    campaign = FreeShippingCampaign(campaign_key="ongkir", name="Ongkir", starts_at=START, ends_at=END)
    with _all_inside_one_transaction():
        promotions.campaign_save(campaign, [shop.id])

    assert PlatformVoucher.objects.get(id=voucher.id).value == 12_000


@pytest.mark.parametrize(
    ("subtotals", "fees", "shop_ids"),
    [([100_000], [15_000, 15_000], [1, 2]), ([100_000, 50_000], [15_000], [1, 2]), ([100_000], [15_000], [1, 2])],
)
def test_a_subsidy_needs_one_subtotal_one_fee_and_one_shop_per_order(subtotals, fees, shop_ids):
    with pytest.raises(ValueError, match="zip"):
        promotions.shipping_subsidies(_campaign(), subtotals=subtotals, fees=fees, shop_ids=shop_ids)


def test_a_voucher_share_needs_one_room_per_order():
    offer = Offer(_voucher(), frozenset({1}))

    with pytest.raises(ValueError, match="zip"):
        promotions.apply(
            subtotals=[100_000, 50_000], rooms=[100_000], fees=[0, 0], shop_ids=[1, 2], offer=offer, campaigns=[]
        )
