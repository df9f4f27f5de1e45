"""The ledger: every rupiah of an order held by a seller, a creator, a courier or the platform, exactly."""

import pytest
from django.db import IntegrityError, connections, transaction
from hypothesis import given
from hypothesis import strategies as st

from config.roles import SELLERS
from integration import contracts
from marketplace import pricing, services
from marketplace.models import (
    AccountKind,
    FeeInvoice,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    Order,
    ReconciliationRun,
    Shop,
)
from marketplace.services.ledger import Leg, ledger_post
from marketplace.tasks import reconcile_ledger
from tests.admin_world import staff_user
from tests.factories import ProductFactory, ShopFactory, VariantFactory, VoucherFactory
from tests.marketplace.conftest import place
from tests.marketplace.test_reversals import _pay

pytestmark = pytest.mark.django_db(databases=["default", "marketplace"])
BUYER = 901
CREATOR = 77


@pytest.fixture(autouse=True)
def _fee(settings):
    settings.PLATFORM_FEE_FIXED, settings.PLATFORM_FEE_BP, settings.PLATFORM_FEE_VAT_BP = 1250, 100, 1100


def balance(kind, holder=None) -> int:
    account = LedgerAccount.objects.filter(kind=kind, holder_id=holder).first()
    return account.balance if account else 0


def _deliver(order) -> None:
    services.order_pack(order_id=order.id)
    services.order_ship(order_id=order.id, courier="jne-reg", tracking_number=f"JNE{order.id}")
    services.order_deliver(order_id=order.id)


def _complete(order) -> None:
    _deliver(order)
    services.order_complete(order_id=order.id)


def _attributed_order(method="virtual_account", price=100_000, quantity=2, commission_bp=500):
    product = ProductFactory(commission_bp=commission_bp)
    variant = VariantFactory(product=product, price=price, stock_on_hand=10)
    claim = contracts.Attribution(product_id=product.id, source="showcase", creator_id=CREATOR)
    (order,) = place(BUYER, (variant, quantity), method=method, attributions=(claim,))
    return order


# --- The fee -------------------------------------------------------------------------------


def test_the_fee_is_fixed_plus_a_share_and_vat_on_the_fee_rounded_down():
    assert pricing.platform_fee(base=100_000, room=100_000, fixed=1250, rate_bp=100, vat_bp=1100) == (2250, 247)
    assert pricing.platform_fee(base=33_333, room=33_333, fixed=0, rate_bp=250, vat_bp=1100) == (833, 91)


def test_the_fee_and_its_vat_never_exceed_what_the_shop_keeps():
    # 1.000 left: the largest fee whose VAT still fits is 900 (+99 VAT).
    assert pricing.platform_fee(base=1_000, room=1_000, fixed=1250, rate_bp=100, vat_bp=1100) == (900, 99)
    assert pricing.platform_fee(base=5_000, room=0, fixed=1250, rate_bp=100, vat_bp=1100) == (0, 0)


@given(
    base=st.integers(0, 10**10),
    share=st.integers(0, 100),
    fixed=st.integers(0, 10**5),
    rate=st.integers(0, 3000),
    vat=st.integers(0, 2500),
)
def test_fee_plus_vat_fits_the_room_and_is_uncapped_when_it_fits(base, share, fixed, rate, vat):
    room = base * share // 100
    fee, tax = pricing.platform_fee(base=base, room=room, fixed=fixed, rate_bp=rate, vat_bp=vat)
    assert 0 <= fee + tax <= room
    assert tax == fee * vat // 10_000
    wanted = fixed + base * rate // 10_000
    if wanted + wanted * vat // 10_000 <= room:
        assert fee == wanted


# --- An order's money ----------------------------------------------------------------------


def test_a_paid_order_is_pending_for_the_shop_the_creator_and_the_courier():
    order = _attributed_order()  # 2 x 100.000, 5% commission to the creator
    _pay(order)

    shipping = order.shipping_fee
    assert balance(AccountKind.GATEWAY) == -(200_000 + shipping)
    assert balance(AccountKind.SHOP_PENDING, order.shop_id) == 190_000
    assert balance(AccountKind.CREATOR_PENDING, CREATOR) == 10_000
    assert balance(AccountKind.COURIER_PAYABLE) == shipping
    assert balance(AccountKind.SHOP_AVAILABLE, order.shop_id) == 0


def test_completion_releases_the_balance_less_the_fee_and_its_vat():
    order = _attributed_order()
    _pay(order)
    _complete(order)

    # Fee: 1.250 + 1% of 200.000 = 3.250; VAT 11% = 357 (357.5 rounded down).
    assert balance(AccountKind.SHOP_PENDING, order.shop_id) == 0
    assert balance(AccountKind.SHOP_AVAILABLE, order.shop_id) == 190_000 - 3_250 - 357
    assert balance(AccountKind.CREATOR_PENDING, CREATOR) == 0
    assert balance(AccountKind.CREATOR_AVAILABLE, CREATOR) == 10_000
    assert (balance(AccountKind.PLATFORM_FEES), balance(AccountKind.TAX_PAYABLE)) == (3_250, 357)
    invoice = FeeInvoice.objects.get(order=order)
    assert (invoice.base, invoice.fee, invoice.vat, invoice.total) == (200_000, 3_250, 357, 3_607)


def test_a_refund_gives_back_every_rupiah_from_every_holder():
    order = _attributed_order()
    _pay(order)
    services.order_cancel(order_id=order.id, reason="stok habis", owner_user_id=order.shop.owner_user_id)

    assert Order.objects.get(id=order.id).status == "refunded"
    total = Order.objects.get(id=order.id).total
    assert balance(AccountKind.REFUNDS) == total
    for kind, holder in [
        (AccountKind.SHOP_PENDING, order.shop_id),
        (AccountKind.CREATOR_PENDING, CREATOR),
        (AccountKind.COURIER_PAYABLE, None),
    ]:
        assert balance(kind, holder) == 0
    assert balance(AccountKind.GATEWAY) == -total


def test_refunding_a_completed_order_takes_back_the_fee_from_the_platform():
    order = _attributed_order()
    _pay(order)
    _complete(order)

    services.order_refund(order_id=order.id, reason="barang rusak", owner_user_id=order.shop.owner_user_id)

    assert balance(AccountKind.SHOP_AVAILABLE, order.shop_id) == 0
    assert balance(AccountKind.CREATOR_AVAILABLE, CREATOR) == 0
    assert (balance(AccountKind.PLATFORM_FEES), balance(AccountKind.TAX_PAYABLE)) == (0, 0)
    assert balance(AccountKind.REFUNDS) == order.total


def test_cash_on_delivery_is_captured_when_the_courier_delivers():
    order = _attributed_order(method="cod", quantity=1)
    assert LedgerEntry.objects.count() == 0  # nothing is paid yet: the buyer pays the courier

    _deliver(order)

    assert balance(AccountKind.COD) == -order.total
    assert balance(AccountKind.SHOP_PENDING, order.shop_id) == 95_000
    assert balance(AccountKind.GATEWAY) == 0


def test_cancelling_an_unpaid_cash_order_moves_no_money():
    order = _attributed_order(method="cod")
    services.order_cancel(order_id=order.id, reason="berubah pikiran", owner_user_id=order.shop.owner_user_id)
    assert LedgerTransaction.objects.count() == 0


def test_a_shop_voucher_is_funded_by_the_shop():
    variant = VariantFactory(price=100_000, stock_on_hand=5)
    VoucherFactory(shop=variant.product.shop, code="HEMAT", kind="fixed", value=15_000)
    choice = contracts.VoucherChoice(shop_id=variant.product.shop_id, code="HEMAT")
    (order,) = place(BUYER, (variant, 1), vouchers=(choice,))
    _pay(order)
    assert balance(AccountKind.SHOP_PENDING, order.shop_id) == 85_000


def test_the_fee_of_a_discounted_order_is_on_the_goods_less_the_discount():
    variant = VariantFactory(price=100_000, stock_on_hand=5)
    VoucherFactory(shop=variant.product.shop, code="HEMAT", kind="fixed", value=15_000)
    choice = contracts.VoucherChoice(shop_id=variant.product.shop_id, code="HEMAT")
    (order,) = place(BUYER, (variant, 1), vouchers=(choice,))
    _pay(order)
    _complete(order)

    # Fee: 1.250 + 1% of 85.000 = 2.100; VAT 11% = 231.
    assert (balance(AccountKind.PLATFORM_FEES), balance(AccountKind.TAX_PAYABLE)) == (2_100, 231)
    assert balance(AccountKind.SHOP_AVAILABLE, order.shop_id) == 85_000 - 2_100 - 231


def test_a_refund_the_available_balance_cannot_cover_is_refused_and_changes_nothing():
    order = _attributed_order()
    _pay(order)
    _complete(order)
    # The shop's available money left it (as a payout would take it).
    LedgerAccount.objects.filter(kind=AccountKind.SHOP_AVAILABLE, holder_id=order.shop_id).update(balance=100)
    entries = LedgerEntry.objects.count()

    with pytest.raises(contracts.InvalidRequest) as refused:
        services.order_refund(order_id=order.id, reason="barang rusak", owner_user_id=order.shop.owner_user_id)

    assert refused.value.code == "balance_too_low"
    assert Order.objects.get(id=order.id).status == "completed"
    assert LedgerEntry.objects.count() == entries


# --- The ledger's own guards ---------------------------------------------------------------


def test_an_unbalanced_transaction_is_never_written():
    with pytest.raises(ValueError, match="unbalanced"):
        ledger_post(kind="payment_captured", legs=[Leg(AccountKind.GATEWAY, None, -10), Leg("refunds", None, 9)])
    assert LedgerTransaction.objects.count() == 0


def test_an_order_moves_its_money_once_per_event():
    order = _attributed_order()
    _pay(order)
    with pytest.raises(IntegrityError), transaction.atomic(using="marketplace"):
        services.ledger.ledger_capture(Order.objects.get(id=order.id))


def test_reconciliation_finds_a_kept_balance_that_differs_from_its_entries(caplog):
    order = _attributed_order()
    _pay(order)
    assert reconcile_ledger() == 0

    LedgerAccount.objects.filter(kind=AccountKind.SHOP_PENDING).update(balance=1)

    assert reconcile_ledger() == 1
    (difference,) = ReconciliationRun.objects.first().differences
    assert (difference["kept"], difference["entries"]) == (1, 190_000)
    assert "balance differs" in caplog.text


# --- In the admin ----------------------------------------------------------------------------


def test_a_seller_sees_only_their_own_fee_invoices(client):
    mine, theirs = _attributed_order(), _attributed_order()
    for order in (mine, theirs):
        _pay(order)
        _complete(order)
    seller = staff_user("fee-seller", SELLERS)
    Shop.objects.filter(id=mine.shop_id).update(owner_user_id=seller.id)
    client.force_login(seller)

    page = client.get("/admin/marketplace/feeinvoice/")

    assert page.status_code == 200
    assert f"FEE/{mine.number}" in page.text
    assert f"FEE/{theirs.number}" not in page.text


def test_finance_staff_are_warned_when_the_last_reconciliation_found_a_difference(admin_client, settings):
    settings.LANGUAGE_CODE = "en"
    order = _attributed_order()
    _pay(order)
    LedgerAccount.objects.filter(kind=AccountKind.COURIER_PAYABLE).update(balance=5)
    reconcile_ledger()

    page = admin_client.get("/admin/marketplace/ledgeraccount/", follow=True)

    assert page.status_code == 200
    assert "found 1 balances that differ" in page.text


def test_reconciliation_names_each_differing_account_and_counts_one_without_entries_as_zero(caplog):
    ledger_post(kind="payment_captured", legs=[Leg(AccountKind.GATEWAY, None, -500), Leg("shop_pending", 4242, 500)])
    idle = LedgerAccount.objects.create(kind=AccountKind.SHOP_AVAILABLE, holder_id=4242)  # no entries, balance 0
    stray = LedgerAccount.objects.create(kind=AccountKind.CREATOR_AVAILABLE, holder_id=7, balance=7)
    LedgerAccount.objects.filter(kind=AccountKind.SHOP_PENDING, holder_id=4242).update(balance=499)
    pending = LedgerAccount.objects.get(kind=AccountKind.SHOP_PENDING, holder_id=4242)

    run = services.ledger_reconcile()

    expected = [
        {"account": pending.id, "name": "Shop balance, pending #4242", "kept": 499, "entries": 500},
        {"account": stray.id, "name": "Creator commission, available #7", "kept": 7, "entries": 0},
    ]
    assert (run.accounts, run.differences) == (4, expected)
    assert idle.id not in [difference["account"] for difference in run.differences]
    assert caplog.messages == [f"ledger: balance differs from its entries: {difference}" for difference in expected]
    assert [record.levelname for record in caplog.records] == ["ERROR", "ERROR"]


@pytest.mark.django_db(databases=["default", "marketplace"], transaction=True)
def test_reconciliation_reads_the_entries_and_the_balances_in_one_transaction():
    """One snapshot: a posting committed between the two reads would otherwise look like a difference."""
    with transaction.atomic(using="marketplace"):  # a posting runs inside its business change's transaction
        legs = [Leg(AccountKind.GATEWAY, None, -500), Leg("shop_pending", 4242, 500)]
        ledger_post(kind="payment_captured", legs=legs)
    marketplace = connections["marketplace"]
    seen: list[tuple[str, bool]] = []

    def watch(execute, sql, params, many, context):
        seen.append((sql.split()[0], marketplace.in_atomic_block))
        return execute(sql, params, many, context)

    with marketplace.execute_wrapper(watch):
        run = services.ledger_reconcile()

    assert run.differences == []
    statements = [(verb, inside) for verb, inside in seen if verb in ("SELECT", "INSERT")]
    assert statements == [("SELECT", True), ("SELECT", True), ("INSERT", True)]


def test_an_order_the_shop_keeps_nothing_of_completes_with_no_fee():
    variant = VariantFactory(price=100_000, stock_on_hand=5)
    VoucherFactory(shop=variant.product.shop, code="GRATIS", kind="percent", value=100)
    choice = contracts.VoucherChoice(shop_id=variant.product.shop_id, code="GRATIS")
    (order,) = place(BUYER, (variant, 1), vouchers=(choice,))
    _pay(order)
    _complete(order)

    assert balance(AccountKind.SHOP_PENDING, order.shop_id) == 0
    assert balance(AccountKind.SHOP_AVAILABLE, order.shop_id) == 0
    assert (balance(AccountKind.PLATFORM_FEES), balance(AccountKind.TAX_PAYABLE)) == (0, 0)
    invoice = FeeInvoice.objects.get(order=order)
    assert (invoice.base, invoice.fee, invoice.vat) == (0, 0, 0)


def test_a_refund_is_one_transaction_of_the_order_named_by_its_number():
    order = _attributed_order()
    _pay(order)
    services.order_cancel(order_id=order.id, reason="stok habis", owner_user_id=order.shop.owner_user_id)

    refund = LedgerTransaction.objects.get(kind="order_refunded")
    assert (refund.order_id, refund.memo) == (order.id, Order.objects.get(id=order.id).number)


def test_a_settlement_is_one_transaction_of_the_order_named_by_its_number():
    order = _attributed_order()
    _pay(order)
    _complete(order)

    settled = LedgerTransaction.objects.get(kind="order_settled")
    assert (settled.order_id, settled.memo) == (order.id, Order.objects.get(id=order.id).number)


def test_a_creator_earns_on_every_attributed_line_and_the_capture_is_named_by_the_order():
    shop = ShopFactory()
    first, second = (ProductFactory(shop=shop, commission_bp=500) for _ in range(2))
    variants = [VariantFactory(product=product, price=100_000, stock_on_hand=5) for product in (first, second)]
    claims = tuple(
        contracts.Attribution(product_id=p.id, source="showcase", creator_id=CREATOR) for p in (first, second)
    )
    (order,) = place(BUYER, (variants[0], 1), (variants[1], 2), attributions=claims)
    _pay(order)

    # 5% of 100.000 and of 200.000.
    assert balance(AccountKind.CREATOR_PENDING, CREATOR) == 15_000
    assert balance(AccountKind.SHOP_PENDING, order.shop_id) == 285_000
    captured = LedgerTransaction.objects.get(kind="payment_captured")
    assert (captured.order_id, captured.memo) == (order.id, Order.objects.get(id=order.id).number)


@pytest.mark.parametrize(
    "unattributed",
    [{"attribution_source": ""}, {"creator_id": None}, {"commission_bp": 0}],
)
def test_a_line_missing_its_source_creator_or_rate_earns_no_commission(unattributed):
    order = _attributed_order(quantity=1)  # 100.000 at 5%
    order.lines.update(**unattributed)
    _pay(order)

    assert balance(AccountKind.SHOP_PENDING, order.shop_id) == 100_000
    assert not LedgerAccount.objects.filter(kind=AccountKind.CREATOR_PENDING).exists()


def test_legs_on_one_account_add_up_and_a_transaction_has_no_memo_unless_given():
    entry = ledger_post(
        kind="payment_captured",
        legs=[Leg(AccountKind.GATEWAY, None, -10), Leg("shop_pending", 4242, 4), Leg("shop_pending", 4242, 6)],
    )
    assert entry.memo == ""
    assert list(entry.entries.order_by("amount").values_list("amount", flat=True)) == [-10, 10]
    assert balance(AccountKind.SHOP_PENDING, 4242) == 10


def test_an_account_opened_concurrently_is_used_not_duplicated():
    table, opened = LedgerAccount._meta.db_table, []

    def a_rival_opens_it_first(execute, sql, params, many, context):
        # Between this posting's look-up of its accounts and its insert of the missing ones.
        if not opened and sql.lstrip().upper().startswith("INSERT") and table in sql:
            opened.append(True)
            LedgerAccount.objects.create(kind=AccountKind.SHOP_PENDING, holder_id=4242)
        return execute(sql, params, many, context)

    with connections["marketplace"].execute_wrapper(a_rival_opens_it_first):
        ledger_post(
            kind="payment_captured", legs=[Leg(AccountKind.GATEWAY, None, -500), Leg("shop_pending", 4242, 500)]
        )

    assert opened == [True]
    assert LedgerAccount.objects.filter(kind=AccountKind.SHOP_PENDING, holder_id=4242).count() == 1
    assert balance(AccountKind.SHOP_PENDING, 4242) == 500


def test_a_memo_is_cut_to_255_characters():
    legs = [Leg(AccountKind.GATEWAY, None, -10), Leg("refunds", None, 10)]
    assert ledger_post(kind="order_refunded", legs=legs, memo="m" * 300).memo == "m" * 255


def test_a_posting_the_available_balance_cannot_cover_says_so_on_the_amount():
    legs = [Leg(AccountKind.SHOP_AVAILABLE, 4242, -1), Leg(AccountKind.SHOP_PAYOUT, 4242, 1)]
    with pytest.raises(contracts.InvalidRequest) as refused:
        ledger_post(kind="payout_requested", legs=legs)
    assert (refused.value.code, refused.value.message) == ("balance_too_low", "The balance does not cover this.")
    assert refused.value.fields == {"amount": ["More than the available balance."]}
