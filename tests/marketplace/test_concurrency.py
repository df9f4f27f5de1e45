"""Concurrency proofs on PostgreSQL: real threads, each with its own connection.

Each test prints its figures (units sold, stock left, outcomes by kind, wall time).
"""

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections
from django.db.models import F
from django.utils import timezone

from integration import contracts
from marketplace import services
from marketplace.models import Checkout, Order, OrderLine, Payment, Variant, Voucher, VoucherUse
from marketplace.payments import SimulatedGateway
from marketplace.services import stock as stock_guards
from tests.conftest import on_postgres
from tests.factories import ShopFactory, VariantFactory, VoucherFactory
from tests.marketplace.conftest import command, fill_cart
from tests.postgres import postgres_unavailable

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(databases=["default", "marketplace"], transaction=True),
]
THREADS = 32  # the shared PostgreSQL allows 100 connections; leave room for others


@pytest.fixture(autouse=True)
def _postgres_only(monkeypatch):
    if not on_postgres():
        postgres_unavailable("needs PostgreSQL: SQLite serialises every writer, so there is no race to prove")
    # Relaying outbox rows after each commit would open storefront connections in every
    # thread; the rows themselves are what these tests are about, so they stay pending.
    monkeypatch.setattr("integration.publish.enqueue_relay", lambda label: None)


def _race(calls):
    """Runs every call at once (THREADS at a time); returns (outcomes by kind, results, seconds)."""
    start = threading.Event()

    def run(call):
        start.wait()
        try:
            return "ok", call()
        except contracts.PortError as error:
            return error.code, None
        except Exception as error:  # a server error: counted, and the test fails on it
            return f"error:{type(error).__name__}:{error}", None
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        futures = [pool.submit(run, call) for call in calls]
        began = time.perf_counter()
        start.set()
        results = [f.result() for f in futures]
        seconds = time.perf_counter() - began
    return Counter(kind for kind, _ in results), [r for _, r in results if r is not None], seconds


def _buyers_of_one_variant(first_buyer: int, count: int, stock: int) -> tuple[Variant, range]:
    variant = VariantFactory(stock_on_hand=stock)
    buyers = range(first_buyer, first_buyer + count)
    for buyer in buyers:
        fill_cart(buyer, (variant, 1))
    return variant, buyers


def _assert_10_of_10_units_sold(variant, outcomes):
    stock = Variant.objects.get(id=variant.id)
    sold = sum(OrderLine.objects.filter(variant=variant).values_list("quantity", flat=True))
    assert outcomes == Counter({"ok": 10, "out_of_stock": 190})
    assert (sold, stock.stock_reserved, stock.stock_available) == (10, 10, 0)
    assert Order.objects.count() == 10 and Checkout.objects.count() == 10


def _reserve_without_its_condition(variant, quantity, *, sold=False):
    """A reservation that trusts its caller's check: only the row lock stands between buyers."""
    assert not sold
    Variant.objects.using("marketplace").filter(id=variant.id).update(stock_reserved=F("stock_reserved") + quantity)


def test_200_checkouts_of_10_units_sell_exactly_10():
    # Given a variant with 10 units and 200 buyers with one in their cart
    variant, buyers = _buyers_of_one_variant(50_001, 200, stock=10)

    # When all of them check out at once
    outcomes, _results, seconds = _race(
        [lambda b=buyer: services.checkout_place(command=command(b)) for buyer in buyers]
    )

    # Then exactly 10 units are sold, stock is 0 and everyone else is told it ran out
    stock = Variant.objects.get(id=variant.id)
    print(f"\n200 checkouts / 10 units: {dict(outcomes)}, left {stock.stock_available}, {seconds:.2f}s")
    _assert_10_of_10_units_sold(variant, outcomes)


def test_the_variant_row_lock_alone_sells_exactly_10_of_10_units(monkeypatch):
    # Given the reservation's own condition taken away: only the checkout's row lock is left
    monkeypatch.setattr("marketplace.services.checkout._reserve", _reserve_without_its_condition)
    variant, buyers = _buyers_of_one_variant(51_001, 200, stock=10)

    # When 200 buyers check out at once
    outcomes, _results, seconds = _race(
        [lambda b=buyer: services.checkout_place(command=command(b)) for buyer in buyers]
    )

    # Then the check made under the lock saw every earlier sale: still exactly 10 sold
    print(f"\n200 checkouts / 10 units, lock only: {dict(outcomes)}, {seconds:.2f}s")
    _assert_10_of_10_units_sold(variant, outcomes)


def test_the_conditional_reservation_alone_never_oversells():
    # Given a variant with 10 units, read once and then never locked again (a stale copy)
    variant = VariantFactory(stock_on_hand=10)
    stale = Variant.objects.get(id=variant.id)

    # When 40 reservations of one unit run at once, each with that stale copy
    outcomes, _results, seconds = _race([lambda: stock_guards._reserve(stale, 1)] * 40)

    # Then the conditional update alone lets exactly 10 through
    print(f"\n40 unlocked reservations / 10 units: {dict(outcomes)}, {seconds:.2f}s")
    assert outcomes == Counter({"ok": 10, "out_of_stock": 30})
    variant.refresh_from_db()
    assert (variant.stock_on_hand, variant.stock_reserved) == (10, 10)


def test_a_sale_on_delivery_without_a_lock_never_takes_more_than_is_free():
    # Given 10 units of which 4 are reserved, and a stale copy of the row
    variant = VariantFactory(stock_on_hand=10, stock_reserved=4)
    stale = Variant.objects.get(id=variant.id)

    # When 20 cash-on-delivery sales of one unit run at once
    outcomes, _results, _seconds = _race([lambda: stock_guards._reserve(stale, 1, sold=True)] * 20)

    # Then only the 6 free units leave the shelf; the reserved ones stay
    assert outcomes == Counter({"ok": 6, "out_of_stock": 14})
    variant.refresh_from_db()
    assert (variant.stock_on_hand, variant.stock_reserved) == (4, 4)


def _voucher_race(first_buyer: int):
    """50 buyers, each with a variant of their own in the cart, try a 5-use voucher at once."""
    shop = ShopFactory()
    voucher = VoucherFactory(shop=shop, code="LIMA", usage_limit=5)
    choice = (contracts.VoucherChoice(shop_id=shop.id, code="LIMA"),)
    buyers = range(first_buyer, first_buyer + 50)
    for buyer in buyers:
        fill_cart(buyer, (VariantFactory(product__shop=shop, stock_on_hand=1, price=100_000), 1))
    outcomes, _results, seconds = _race(
        [lambda b=buyer: services.checkout_place(command=command(b, vouchers=choice)) for buyer in buyers]
    )
    return voucher, outcomes, seconds


def _assert_used_5_times(voucher, outcomes):
    assert outcomes == Counter({"ok": 5, "voucher": 45})
    assert Voucher.objects.get(id=voucher.id).used_count == 5
    assert VoucherUse.objects.filter(voucher=voucher).count() == 5
    assert Order.objects.filter(voucher=voucher, discount=10_000).count() == Order.objects.count() == 5
    assert sum(Variant.objects.values_list("stock_reserved", flat=True)) == 5


def test_a_voucher_of_5_uses_is_used_5_times_by_50_concurrent_checkouts():
    # No two buyers share a variant, so no variant lock orders them: only the voucher's guards do.
    voucher, outcomes, seconds = _voucher_race(60_001)

    print(f"\n50 checkouts / 5-use voucher: {dict(outcomes)}, {seconds:.2f}s")
    _assert_used_5_times(voucher, outcomes)


def _take_vouchers_without_their_condition(buyer_id, uses):
    """Counts a use whatever the count already is: only the voucher's row lock is left."""
    uses = [(order, voucher) for order, voucher in uses if voucher is not None]
    for _order, voucher in uses:
        Voucher.objects.using("marketplace").filter(id=voucher.id).update(used_count=F("used_count") + 1)
    VoucherUse.objects.using("marketplace").bulk_create(
        [VoucherUse(voucher=voucher, buyer_id=buyer_id, order=order) for order, voucher in uses]
    )


def test_the_voucher_row_lock_alone_keeps_its_limit(monkeypatch):
    monkeypatch.setattr("marketplace.services.checkout._take_vouchers", _take_vouchers_without_their_condition)

    voucher, outcomes, seconds = _voucher_race(61_001)

    print(f"\n50 checkouts / 5-use voucher, lock only: {dict(outcomes)}, {seconds:.2f}s")
    _assert_used_5_times(voucher, outcomes)


def test_the_conditional_use_alone_keeps_the_voucher_limit(monkeypatch):
    # The check made under the lock is bypassed, as if it had read a stale count
    monkeypatch.setattr("marketplace.services.quote.voucher_problem", lambda **kwargs: "")

    voucher, outcomes, seconds = _voucher_race(62_001)

    print(f"\n50 checkouts / 5-use voucher, conditional use only: {dict(outcomes)}, {seconds:.2f}s")
    _assert_used_5_times(voucher, outcomes)


def test_50_concurrent_checkouts_with_one_key_place_the_orders_once():
    first, second = VariantFactory(stock_on_hand=5), VariantFactory(stock_on_hand=5)
    buyer = 70_001
    fill_cart(buyer, (first, 2), (second, 1))
    same = command(buyer, key="one-key")

    outcomes, results, seconds = _race([lambda: services.checkout_place(command=same)] * 50)

    answers = {tuple(o.id for o in orders) for orders in results}
    print(f"\n50 checkouts / one key: {dict(outcomes)}, distinct answers {len(answers)}, {seconds:.2f}s")
    assert outcomes == Counter({"ok": 50})
    assert len(answers) == 1 and Order.objects.count() == 2 and Checkout.objects.count() == 1
    assert [Variant.objects.get(id=v.id).stock_reserved for v in (first, second)] == [2, 1]


def test_expiry_racing_payment_callbacks_settles_each_order_once():
    # Given 20 unpaid orders past their window, each with 2 of 20 units reserved
    variant = VariantFactory(stock_on_hand=40, max_per_order=5)
    payments = []
    for buyer in range(80_001, 80_021):
        fill_cart(buyer, (variant, 2))
        (order,) = services.checkout_place(command=command(buyer))
        payments.append(order.payment)
    Payment.objects.update(expires_at=timezone.now())
    gateway = SimulatedGateway()

    def pay(payment):
        body = gateway.notification_body(reference=payment.reference, amount=payment.amount)
        return services.payment_notification_receive(body=body, signature=gateway.sign(body))

    # When, for every payment, two expiry sweeps and two callbacks race
    calls = []
    for payment in payments:
        calls += [lambda p=payment: services.payment_expire(payment_id=p.id)] * 2
        calls += [lambda p=payment: pay(p)] * 2
    outcomes, results, seconds = _race(calls)

    # Then each order is either paid or expired, never both, and stock adds up
    statuses = Counter(Order.objects.values_list("status", flat=True))
    stock = Variant.objects.get(id=variant.id)
    print(
        f"\nexpiry vs payment, 80 calls: {dict(statuses)}, results {dict(Counter(map(str, results)))}, {seconds:.2f}s"
    )
    assert outcomes == Counter({"ok": 80})
    assert statuses["paid"] + statuses["expired"] == 20
    assert results.count("accepted") == statuses["paid"] and results.count(1) == statuses["expired"]
    assert (stock.stock_on_hand, stock.stock_reserved) == (40 - 2 * statuses["paid"], 0)


def test_cancels_racing_payment_callbacks_never_deadlock():
    # Given 16 unpaid two-shop checkouts (one payment each for both orders)
    first, second = VariantFactory(stock_on_hand=40), VariantFactory(stock_on_hand=40)
    checkouts = []
    for buyer in range(90_001, 90_017):
        fill_cart(buyer, (first, 1), (second, 1))
        orders = services.checkout_place(command=command(buyer))
        checkouts.append((buyer, orders, orders[0].payment))
    gateway = SimulatedGateway()

    def pay(payment):
        body = gateway.notification_body(reference=payment.reference, amount=payment.amount)
        return services.payment_notification_receive(body=body, signature=gateway.sign(body))

    # When each buyer cancels both orders while the gateway reports the payment
    calls = []
    for buyer, orders, payment in checkouts:
        calls.append(lambda p=payment: pay(p))
        calls += [
            lambda b=buyer, o=order: services.order_cancel(order_id=o.id, reason="batal", buyer_id=b)
            for order in orders
        ]
    outcomes, _results, seconds = _race(calls)

    # Then nothing failed with a deadlock (or any other error): a cancel either won or was refused
    print(f"\n16 payments / callback vs 2 cancels: {dict(outcomes)}, {seconds:.2f}s")
    assert not [kind for kind in outcomes if kind.startswith("error:")]
    assert outcomes["ok"] + outcomes["illegal_transition"] == 48
    # and each payment is for exactly the orders it paid, or failed with both cancelled
    for _buyer, orders, payment in checkouts:
        payment.refresh_from_db()
        settled = list(Order.objects.filter(id__in=[o.id for o in orders]).values_list("status", "total"))
        paid = sum(total for status, total in settled if status == "paid")
        if payment.status == "paid":
            assert payment.amount == paid > 0
        else:
            assert (payment.status, payment.amount, paid) == ("failed", 0, 0)
