"""Contract tests of the port's creator money methods, in process and over HTTP alike."""

from datetime import date

import pytest

from integration import contracts
from marketplace.models import Payout
from tests.api.test_creator_money import earn

pytestmark = pytest.mark.django_db(databases="__all__")
CREATOR = 4242
YEAR = {"date_from": date(2026, 1, 1), "date_to": date(2026, 12, 31)}


@pytest.fixture
def earned(settings):
    settings.DISBURSEMENT_SIMULATOR_ENABLED = True
    settings.PAYOUT_MINIMUM = 10_000
    earn(CREATOR)  # Rp 20.000 available
    earn(CREATOR, price=50_000, complete=False)  # Rp 5.000 pending
    return CREATOR


def test_a_creators_balance_and_statement_come_as_dtos(port, earned):
    assert port.get_creator_balance(creator_id=earned) == contracts.BalanceDTO(
        payee_kind="creator", payee_id=earned, pending=5_000, available=20_000, in_flight=0
    )
    statement = port.get_creator_statement(creator_id=earned, **YEAR)
    assert isinstance(statement, contracts.StatementDTO)
    assert (statement.date_from, statement.date_to, statement.opening, statement.closing) == (
        date(2026, 1, 1),
        date(2026, 12, 31),
        0,
        25_000,
    )
    assert sorted((line.bucket, line.amount) for line in statement.lines) == [
        ("available", 20_000),
        ("pending", -20_000),
        ("pending", 5_000),
        ("pending", 20_000),
    ]
    assert all(line.order_number.startswith("INV/") for line in statement.lines)


def test_a_reversed_period_is_an_invalid_request_on_to(port):
    with pytest.raises(contracts.InvalidRequest) as refused:
        port.get_creator_statement(creator_id=CREATOR, date_from=date(2026, 2, 1), date_to=date(2026, 1, 1))
    assert list(refused.value.fields) == ["to"]


def test_an_account_the_bank_does_not_know_is_refused(port, earned):
    with pytest.raises(contracts.InvalidRequest) as refused:
        port.add_creator_bank_account(creator_id=earned, bank_code="bca", number="12340000")
    assert list(refused.value.fields) == ["number"]
    assert port.list_creator_bank_accounts(creator_id=earned) == []


def test_a_withdrawal_is_once_per_key_and_a_key_reused_for_another_is_refused(port, earned):
    account = port.add_creator_bank_account(creator_id=earned, bank_code="bca", number="1234567890")
    assert (account.holder_name, account.number_masked, account.verified) == ("SIM 7890", "••••••7890", True)
    assert port.list_creator_bank_accounts(creator_id=earned) == [account]

    first = port.request_creator_payout(
        creator_id=earned, bank_account_id=account.id, amount=15_000, idempotency_key="p-1"
    )
    again = port.request_creator_payout(
        creator_id=earned, bank_account_id=account.id, amount=15_000, idempotency_key="p-1"
    )
    assert (first.id, first.amount) == (again.id, 15_000)
    with pytest.raises(contracts.InvalidRequest) as refused:
        port.request_creator_payout(creator_id=earned, bank_account_id=account.id, amount=14_000, idempotency_key="p-1")
    assert refused.value.code == "idempotency_key_reused"
    with pytest.raises(contracts.InvalidRequest) as too_much:
        port.request_creator_payout(creator_id=earned, bank_account_id=account.id, amount=10_000, idempotency_key="p-2")
    assert too_much.value.code == "balance_too_low"
    assert [p.id for p in port.list_creator_payouts(creator_id=earned)] == [first.id]
    assert Payout.objects.count() == 1


def test_a_creator_cannot_withdraw_to_another_creators_account(port, earned):
    theirs = port.add_creator_bank_account(creator_id=earned + 1, bank_code="bni", number="5556667771")
    with pytest.raises(contracts.InvalidRequest) as refused:
        port.request_creator_payout(creator_id=earned, bank_account_id=theirs.id, amount=10_000, idempotency_key="x")
    assert list(refused.value.fields) == ["bank_account_id"]
