"""Concurrency proofs on PostgreSQL: real threads, each with its own connection.

Each test prints its figures (units sold, stock left, outcomes by kind, wall time).
"""

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections
from django.utils import timezone

from integration import contracts
from marketplace import services
from marketplace.models import Checkout, Order, OrderLine, Payment, Variant, Voucher
from marketplace.payments import SimulatedGateway
from tests.conftest import on_postgres
from tests.factories import VariantFactory, VoucherFactory
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


def test_200_checkouts_of_10_units_sell_exactly_10():
    # Given a variant with 10 units and 200 buyers with one in their cart
    variant = VariantFactory(stock_on_hand=10)
    buyers = range(50_001, 50_201)
    for buyer in buyers:
        fill_cart(buyer, (variant, 1))

    # When all of them check out at once
    outcomes, _results, seconds = _race(
        [lambda b=buyer: services.checkout_place(command=command(b)) for buyer in buyers]
    )

    # Then exactly 10 units are sold, stock is 0 and everyone else is told it ran out
    stock = Variant.objects.get(id=variant.id)
    sold = sum(OrderLine.objects.filter(variant=variant).values_list("quantity", flat=True))
    print(f"\n200 checkouts / 10 units: {dict(outcomes)}, sold {sold}, left {stock.stock_available}, {seconds:.2f}s")
    assert outcomes == Counter({"ok": 10, "out_of_stock": 190})
    assert (sold, stock.stock_reserved, stock.stock_available) == (10, 10, 0)
    assert Order.objects.count() == 10 and Checkout.objects.count() == 10


def test_a_voucher_of_5_uses_is_used_5_times_by_50_concurrent_checkouts():
    variant = VariantFactory(stock_on_hand=100, price=100_000)
    voucher = VoucherFactory(shop=variant.product.shop, code="LIMA", usage_limit=5)
    choice = (contracts.VoucherChoice(shop_id=voucher.shop_id, code="LIMA"),)
    buyers = range(60_001, 60_051)
    for buyer in buyers:
        fill_cart(buyer, (variant, 1))

    outcomes, _results, seconds = _race(
        [lambda b=buyer: services.checkout_place(command=command(b, vouchers=choice)) for buyer in buyers]
    )

    used = Voucher.objects.get(id=voucher.id).used_count
    print(f"\n50 checkouts / 5-use voucher: {dict(outcomes)}, voucher used {used}, {seconds:.2f}s")
    assert outcomes == Counter({"ok": 5, "voucher": 45})
    assert used == 5 and Order.objects.filter(voucher=voucher, discount=10_000).count() == 5
    assert Variant.objects.get(id=variant.id).stock_reserved == 5


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
