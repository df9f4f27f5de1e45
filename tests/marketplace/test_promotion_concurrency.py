"""A platform voucher's usage limit under concurrency, on PostgreSQL: real threads, each with
its own connection (see test_concurrency.py)."""

from collections import Counter

import pytest
from django.db.models import F

from marketplace import services
from marketplace.models import Order, PlatformVoucher, PlatformVoucherUse, PromotionFunding, Variant
from marketplace.services import promotions
from tests.factories import PlatformVoucherFactory, ShopFactory, VariantFactory
from tests.marketplace.conftest import command, fill_cart
from tests.marketplace.test_concurrency import _postgres_only, _race  # noqa: F401  (the fixture too)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(databases=["default", "marketplace"], transaction=True),
]


def _platform_voucher_race(first_buyer: int):
    """50 buyers, each with two variants of their own over two shops, try a 5-use platform voucher at once."""
    shops = [ShopFactory(), ShopFactory()]
    voucher = PlatformVoucherFactory(code="LIMAJALIN", value=10_000, usage_limit=5)
    buyers = range(first_buyer, first_buyer + 50)
    for buyer in buyers:
        fill_cart(buyer, *((VariantFactory(product__shop=shop, stock_on_hand=1, price=60_000), 1) for shop in shops))
    outcomes, _results, seconds = _race(
        [lambda b=b: services.checkout_place(command=command(b, platform_voucher="LIMAJALIN")) for b in buyers]
    )
    return voucher, outcomes, seconds


def _assert_used_5_times(voucher, outcomes):
    assert outcomes == Counter({"ok": 5, "voucher": 45})
    assert PlatformVoucher.objects.get(id=voucher.id).used_count == 5
    assert PlatformVoucherUse.objects.filter(voucher=voucher).count() == 5
    # every placed checkout got the whole 10.000, split 5.000 / 5.000 over its two orders
    assert set(Order.objects.values_list("discount", flat=True)) == {5_000}
    assert Order.objects.count() == 10 and PromotionFunding.objects.count() == 10
    assert sum(Variant.objects.values_list("stock_reserved", flat=True)) == 10


def test_a_platform_voucher_of_5_uses_is_used_5_times_by_50_concurrent_checkouts():
    voucher, outcomes, seconds = _platform_voucher_race(70_001)

    print(f"\n50 checkouts / 5-use platform voucher: {dict(outcomes)}, {seconds:.2f}s")
    _assert_used_5_times(voucher, outcomes)


def _take_without_its_condition(*, offer, buyer_id, checkout):
    """Counts a use whatever the count already is: only the row lock is left."""
    PlatformVoucher.objects.using("marketplace").filter(id=offer.voucher.id).update(used_count=F("used_count") + 1)
    PlatformVoucherUse.objects.using("marketplace").create(voucher=offer.voucher, buyer_id=buyer_id, checkout=checkout)


def test_the_platform_voucher_row_lock_alone_keeps_its_limit(monkeypatch):
    monkeypatch.setattr(promotions, "take", _take_without_its_condition)

    voucher, outcomes, seconds = _platform_voucher_race(71_001)

    print(f"\n50 checkouts / 5-use platform voucher, lock only: {dict(outcomes)}, {seconds:.2f}s")
    _assert_used_5_times(voucher, outcomes)


def test_the_conditional_use_alone_keeps_the_platform_voucher_limit(monkeypatch):
    # No row lock: every checkout reads the count as it is, a stale copy under the race
    unlocked = promotions.offer_by_code
    monkeypatch.setattr(promotions, "offer_by_code", lambda code, for_update=False: unlocked(code))

    voucher, outcomes, seconds = _platform_voucher_race(72_001)

    print(f"\n50 checkouts / 5-use platform voucher, condition only: {dict(outcomes)}, {seconds:.2f}s")
    _assert_used_5_times(voucher, outcomes)
