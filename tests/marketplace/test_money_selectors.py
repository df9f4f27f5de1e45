"""A payee's balance and statement, read from the ledger: literal figures, Jakarta's days."""

from datetime import UTC, date, datetime

import pytest

from integration import contracts
from marketplace import selectors
from marketplace.models import LedgerTransaction
from tests.marketplace.test_ledger import CREATOR, _attributed_order, _complete
from tests.marketplace.test_payouts import _account, _simulated, _withdraw  # noqa: F401  (autouse fixture)
from tests.marketplace.test_reversals import _pay
from tests.queries import count_queries

pytestmark = pytest.mark.django_db(databases=["default", "marketplace"])
Kind = LedgerTransaction.Kind


def _at(kind: str, when: datetime) -> None:
    LedgerTransaction.objects.filter(kind=kind).update(created_at=when)


@pytest.fixture
def shop_id(django_capture_on_commit_callbacks):
    """2 x Rp 100.000 with 5 % commission: paid 30 Nov 23:30 WIB, completed 1 Dec 00:10 WIB,
    Rp 50.000 withdrawn and sent 2 Dec 09:00 WIB."""
    order = _attributed_order()
    _pay(order)
    _complete(order)
    with django_capture_on_commit_callbacks(using="marketplace", execute=True):
        _withdraw(order.shop_id, _account(order.shop_id), 50_000)
    _at(Kind.PAYMENT_CAPTURED, datetime(2026, 11, 30, 16, 30, tzinfo=UTC))
    _at(Kind.ORDER_SETTLED, datetime(2026, 11, 30, 17, 10, tzinfo=UTC))
    _at(Kind.PAYOUT_REQUESTED, datetime(2026, 12, 2, 2, 0, tzinfo=UTC))
    _at(Kind.PAYOUT_SUCCEEDED, datetime(2026, 12, 2, 2, 0, 5, tzinfo=UTC))
    return order.shop_id


def test_the_balance_shows_pending_available_and_in_flight_apart(shop_id):
    assert selectors.payee_balance("shop", shop_id) == contracts.BalanceDTO(
        payee_kind="shop", payee_id=shop_id, pending=0, available=136_393, in_flight=0
    )
    # The creator's commission (5 % of 200.000) became available with the order.
    assert selectors.payee_balance("creator", CREATOR).available == 10_000
    assert selectors.payee_balance("shop", shop_id + 999) == contracts.BalanceDTO("shop", shop_id + 999, 0, 0, 0)


def test_a_statement_runs_from_the_opening_to_the_closing_balance_by_jakarta_days(shop_id):
    # 1 December in Jakarta starts at 30 Nov 17:00 UTC: the capture (16:30 UTC) is before it.
    statement = selectors.payee_statement("shop", shop_id, date_from=date(2026, 12, 1), date_to=date(2026, 12, 1))

    assert (statement.opening, statement.closing) == (190_000, 186_393)
    assert [(line.kind, line.bucket, line.amount, line.balance_after) for line in statement.lines] == [
        ("order_settled", "pending", -190_000, 0),
        ("order_settled", "available", 186_393, 186_393),
    ]
    assert {line.order_number for line in statement.lines} == {statement.lines[0].order_number}
    assert statement.lines[0].order_number.startswith("INV/")


def test_the_whole_story_adds_up_and_names_the_payout(shop_id):
    statement = selectors.payee_statement("shop", shop_id, date_from=date(2026, 11, 1), date_to=date(2026, 12, 31))

    assert statement.opening == 0
    assert [(line.kind, line.bucket, line.amount) for line in statement.lines] == [
        ("payment_captured", "pending", 190_000),
        ("order_settled", "pending", -190_000),
        ("order_settled", "available", 186_393),
        ("payout_requested", "available", -50_000),
        ("payout_requested", "in_flight", 50_000),
        ("payout_succeeded", "in_flight", -50_000),
    ]
    assert statement.closing == 136_393
    assert statement.lines[-1].payout_reference.startswith("PO-")
    assert statement.lines[-1].description == "Payout succeeded"


def test_a_statement_after_the_period_opens_with_what_was_left(shop_id):
    statement = selectors.payee_statement("shop", shop_id, date_from=date(2026, 12, 3), date_to=date(2026, 12, 31))
    assert (statement.opening, statement.lines, statement.closing) == (136_393, (), 136_393)


@pytest.mark.parametrize(
    ("date_from", "date_to", "message"),
    [
        (date(2026, 12, 2), date(2026, 12, 1), "The period must not end before it starts."),
        (date(2025, 11, 30), date(2026, 12, 1), "A statement covers at most 366 days."),
    ],
)
def test_a_reversed_or_too_long_period_is_refused(settings, date_from, date_to, message):
    settings.LANGUAGE_CODE = "en"
    with pytest.raises(contracts.InvalidRequest) as refused:
        selectors.payee_statement("shop", 1, date_from=date_from, date_to=date_to)
    assert refused.value.fields == {"to": [message]}


def test_366_days_are_one_statement():
    statement = selectors.payee_statement("shop", 1, date_from=date(2026, 1, 1), date_to=date(2027, 1, 1))
    assert statement.lines == ()


def test_balance_and_statement_cost_the_same_queries_at_two_sizes(shop_id):
    def measure():
        with count_queries() as balance:
            selectors.payee_balance("shop", shop_id)
        with count_queries() as statement:
            found = selectors.payee_statement("shop", shop_id, date_from=date(2026, 11, 1), date_to=date(2026, 12, 31))
        return len(balance), len(statement), len(found.lines)

    small = measure()
    _withdraw(shop_id, _account(shop_id, "2234567890"), 20_000, key="k2")
    _withdraw(shop_id, _account(shop_id, "3234567890"), 20_000, key="k3")
    LedgerTransaction.objects.filter(
        kind=Kind.PAYOUT_REQUESTED, created_at__gt=datetime(2026, 12, 3, tzinfo=UTC)
    ).update(created_at=datetime(2026, 12, 5, tzinfo=UTC))
    large = measure()

    assert (small[0], small[1]) == (large[0], large[1]) == (1, 2)
    assert (small[2], large[2]) == (6, 10)
