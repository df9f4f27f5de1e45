"""Payouts and refunds counted by outcome, for /internal/metrics (this process's counters)."""

import pytest
from prometheus_client import REGISTRY

from marketplace import services
from tests.factories import VariantFactory
from tests.marketplace.conftest import place
from tests.marketplace.test_orders import _pay as _pay_online
from tests.marketplace.test_payouts import _account, _simulated, _withdraw, shop_id  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db(databases=["default", "marketplace"])
BUYER = 611


def counted(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(f"{name}_total", labels) or 0.0


def test_payouts_are_counted_when_requested_and_when_the_bank_answers(shop_id, django_capture_on_commit_callbacks):  # noqa: F811
    good, bouncing = _account(shop_id), _account(shop_id, number="1234567899")  # the simulator bounces a 9
    before = {o: counted("jalin_payouts", outcome=o) for o in ("requested", "succeeded", "failed")}

    with django_capture_on_commit_callbacks(using="marketplace", execute=True):
        _withdraw(shop_id, good, 20_000, key="sent")
        _withdraw(shop_id, bouncing, 30_000, key="bounced")
        _withdraw(shop_id, good, 20_000, key="sent")  # the same again: no second payout

    assert {o: counted("jalin_payouts", outcome=o) - before[o] for o in before} == {
        "requested": 2,
        "succeeded": 1,
        "failed": 1,
    }


def test_refunds_are_counted_by_path():
    variant = VariantFactory(price=100_000, stock_on_hand=5)
    (paid,) = place(BUYER, (variant, 1))
    _pay_online(paid)
    (delivered,) = place(BUYER, (variant, 1), method="cod")
    services.order_pack(order_id=delivered.id)
    services.order_ship(order_id=delivered.id, courier="jne-reg", tracking_number="T1")
    services.order_deliver(order_id=delivered.id, buyer_id=BUYER)
    (unpaid,) = place(BUYER, (variant, 1))
    before = {p: counted("jalin_refunds", path=p) for p in ("cancelled", "returned")}

    services.order_cancel(order_id=paid.id, reason="stok habis")
    services.order_refund(order_id=delivered.id, reason="barang rusak")
    services.order_cancel(order_id=unpaid.id, reason="salah ukuran")  # nothing was paid: no refund

    assert {p: counted("jalin_refunds", path=p) - before[p] for p in before} == {"cancelled": 1, "returned": 1}
