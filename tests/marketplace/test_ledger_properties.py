"""Random order lives across shops: after every step the ledger balances to the rupiah, with
or without a platform voucher (the platform's alone, or co-funded by the shop) and free shipping."""

import itertools

import pytest
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from integration import contracts
from marketplace import services
from marketplace.models import (
    AccountKind,
    FreeShippingCampaign,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    Order,
    PlatformVoucher,
    PlatformVoucherUse,
    PromotionFunding,
)
from tests.factories import (
    FreeShippingCampaignFactory,
    PlatformVoucherFactory,
    ProductFactory,
    ShopFactory,
    VariantFactory,
)
from tests.marketplace.conftest import place
from tests.marketplace.test_reversals import _pay

pytestmark = pytest.mark.django_db(databases=["default", "marketplace"])
_buyers = itertools.count(20_000)

SOURCES = [AccountKind.GATEWAY, AccountKind.COD]
LIVES = {
    # name: (payment method, steps after checkout)
    "paid": ("virtual_account", ["pay"]),
    "paid, cancelled": ("virtual_account", ["pay", "cancel"]),
    "completed": ("virtual_account", ["pay", "deliver", "complete"]),
    "completed, refunded": ("virtual_account", ["pay", "deliver", "complete", "refund"]),
    "delivered, refunded": ("virtual_account", ["pay", "deliver", "refund"]),
    "unpaid, cancelled": ("virtual_account", ["cancel"]),
    "cash, completed": ("cod", ["deliver", "complete"]),
    "cash, refunded": ("cod", ["deliver", "refund"]),
    "cash, cancelled": ("cod", ["cancel"]),
}

orders = st.lists(
    st.tuples(
        st.integers(0, 2),  # which shop
        st.integers(1_000, 2_000_000),  # unit price
        st.integers(1, 3),  # quantity
        st.sampled_from([0, 250, 1000, 3000]),  # commission, basis points
        st.sampled_from(sorted(LIVES)),
        st.sampled_from(["", "PLATFORM", "BARENG"]),  # no platform voucher, the platform's, co-funded
    ),
    min_size=1,
    max_size=4,
)


def _step(order: Order, step: str) -> None:
    owner = order.shop.owner_user_id
    if step == "pay":
        _pay(order)
    elif step == "deliver":
        services.order_pack(order_id=order.id)
        services.order_ship(order_id=order.id, courier="jne-reg", tracking_number=f"P{order.id}")
        services.order_deliver(order_id=order.id)
    elif step == "complete":
        services.order_complete(order_id=order.id)
    elif step == "cancel":
        services.order_cancel(order_id=order.id, reason="uji", owner_user_id=owner)
    elif step == "refund":
        services.order_refund(order_id=order.id, reason="uji", owner_user_id=owner)


def _assert_the_books_balance(paid: int, refunded: int) -> None:
    unbalanced = LedgerEntry.objects.values("transaction_id").annotate(total=Sum("amount")).exclude(total=0)
    assert not unbalanced.exists()
    kept = dict(LedgerAccount.objects.values_list("id", "balance"))
    recomputed = dict(LedgerEntry.objects.values("account_id").annotate(t=Sum("amount")).values_list("account_id", "t"))
    assert kept == {account: recomputed.get(account, 0) for account in kept}
    available = [AccountKind.SHOP_AVAILABLE, AccountKind.CREATOR_AVAILABLE]
    assert not LedgerAccount.objects.filter(kind__in=available, balance__lt=0).exists()
    held = LedgerAccount.objects.exclude(kind__in=[*SOURCES, AccountKind.REFUNDS]).aggregate(s=Sum("balance"))["s"]
    assert (held or 0) == paid - refunded
    assert -(LedgerAccount.objects.filter(kind__in=SOURCES).aggregate(s=Sum("balance"))["s"] or 0) == paid


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(orders=orders)
def test_every_step_of_every_order_keeps_the_books_balanced(orders):
    LedgerEntry.objects.all().delete()  # each example starts with empty books
    LedgerTransaction.objects.all().delete()
    LedgerAccount.objects.all().delete()
    PromotionFunding.objects.all().delete()
    PlatformVoucherUse.objects.all().delete()
    PlatformVoucher.objects.all().delete()
    FreeShippingCampaign.objects.all().delete()
    shops = [ShopFactory() for _ in range(3)]
    PlatformVoucherFactory(code="PLATFORM", value=7_500, per_buyer_limit=99)
    PlatformVoucherFactory(code="BARENG", kind="percent", value=15, shop_share_bp=3000, per_buyer_limit=99).shops.set(
        shops
    )
    FreeShippingCampaignFactory(max_per_order=9_000).shops.set(shops[:2])  # free shipping at two of the shops
    paid = refunded = promoted = 0  # promoted: what the platform funds of the orders paid and not refunded
    for shop_index, price, quantity, commission_bp, life, code in orders:
        method, steps = LIVES[life]
        product = ProductFactory(shop=shops[shop_index], commission_bp=commission_bp)
        variant = VariantFactory(product=product, price=price, stock_on_hand=5)
        claim = contracts.Attribution(product_id=product.id, source="showcase", creator_id=shop_index + 1)
        (order,) = place(
            next(_buyers), (variant, quantity), method=method, attributions=(claim,), platform_voucher=code
        )
        funded = sum(PromotionFunding.objects.filter(order=order).values_list("platform_amount", flat=True))
        captured = False
        for step in steps:
            _step(order, step)
            order = Order.objects.get(id=order.id)
            if step == "pay" or (step == "deliver" and method == "cod"):
                captured, paid, promoted = True, paid + order.total, promoted + funded
            if step in ("cancel", "refund") and captured:
                refunded, promoted = refunded + order.total, promoted - funded
            _assert_the_books_balance(paid, refunded)
            expense = LedgerAccount.objects.filter(kind=AccountKind.PLATFORM_PROMOTIONS).first()
            assert (expense.balance if expense else 0) == -promoted
