"""Withdrawals: available balance to a verified bank account, settled by the gateway's signed callback."""

import pytest

from integration import contracts
from marketplace import services
from marketplace.disbursements import SimulatedDisbursements
from marketplace.models import AccountKind, BankAccount, LedgerEntry, Payout
from tests.marketplace.test_ledger import _attributed_order, _complete, balance
from tests.marketplace.test_reversals import _pay

pytestmark = pytest.mark.django_db(databases=["default", "marketplace"])
# One completed order of 2 x 100.000 with 5% commission: 190.000 - fee 3.250 - VAT 357.
AVAILABLE = 186_393


@pytest.fixture(autouse=True)
def _simulated(settings):
    settings.DISBURSEMENT_SIMULATOR_ENABLED = True
    settings.DISBURSEMENT_SIM_SECRET = "test-disbursement-secret"
    settings.PAYOUT_MINIMUM = 10_000
    settings.PLATFORM_FEE_FIXED, settings.PLATFORM_FEE_BP, settings.PLATFORM_FEE_VAT_BP = 1250, 100, 1100


@pytest.fixture
def shop_id():
    order = _attributed_order()
    _pay(order)
    _complete(order)
    assert balance(AccountKind.SHOP_AVAILABLE, order.shop_id) == AVAILABLE
    return order.shop_id


def _account(shop_id, number="1234567890"):
    return services.bank_account_add(payee_kind="shop", payee_id=shop_id, bank_code="bca", number=number)


def _withdraw(shop_id, account, amount, key="k1"):
    return services.payout_request(
        payee_kind="shop", payee_id=shop_id, bank_account_id=account.id, amount=amount, idempotency_key=key
    )


def test_a_bank_account_is_verified_by_the_banks_inquiry_and_named_by_it(shop_id):
    account = _account(shop_id, number="0812 3456 7890")
    assert (account.number, account.holder_name, account.verified_at is not None) == ("081234567890", "SIM 7890", True)


@pytest.mark.parametrize(
    ("bank_code", "number", "field"),
    [("bca", "12340000", "number"), ("xyz", "1234567890", "bank_code"), ("bca", "12ab", "number")],
)
def test_an_account_the_bank_does_not_know_or_a_bad_number_is_refused(shop_id, bank_code, number, field):
    with pytest.raises(contracts.InvalidRequest) as refused:
        services.bank_account_add(payee_kind="shop", payee_id=shop_id, bank_code=bank_code, number=number)
    assert field in refused.value.fields
    assert BankAccount.objects.count() == 0


def test_a_withdrawal_is_in_flight_then_sent_when_the_bank_confirms(shop_id, django_capture_on_commit_callbacks):
    account = _account(shop_id)
    with django_capture_on_commit_callbacks(using="marketplace", execute=True):
        payout = _withdraw(shop_id, account, 50_000)

    payout.refresh_from_db()
    assert (payout.status, payout.gateway) == ("succeeded", "sim")
    assert balance(AccountKind.SHOP_AVAILABLE, shop_id) == AVAILABLE - 50_000
    assert balance(AccountKind.SHOP_PAYOUT, shop_id) == 0


def test_a_payout_the_bank_refuses_returns_the_money(shop_id, django_capture_on_commit_callbacks):
    account = _account(shop_id, number="1234567899")  # the simulator bounces numbers ending in 9
    with django_capture_on_commit_callbacks(using="marketplace", execute=True):
        payout = _withdraw(shop_id, account, 50_000)

    payout.refresh_from_db()
    assert payout.status == "failed"
    assert balance(AccountKind.SHOP_AVAILABLE, shop_id) == AVAILABLE
    assert balance(AccountKind.SHOP_PAYOUT, shop_id) == 0


def test_until_the_callback_the_money_is_in_flight(shop_id):
    _withdraw(shop_id, _account(shop_id), 60_000)  # not sent: no commit in this test's transaction
    assert balance(AccountKind.SHOP_AVAILABLE, shop_id) == AVAILABLE - 60_000
    assert balance(AccountKind.SHOP_PAYOUT, shop_id) == 60_000


def test_the_same_key_and_body_is_the_same_withdrawal(shop_id):
    account = _account(shop_id)
    first, again = _withdraw(shop_id, account, 20_000), _withdraw(shop_id, account, 20_000)
    assert first.id == again.id
    assert balance(AccountKind.SHOP_AVAILABLE, shop_id) == AVAILABLE - 20_000


@pytest.mark.parametrize(
    ("amount", "key", "code", "field"),
    [
        (AVAILABLE + 1, "k2", "balance_too_low", "amount"),
        (9_999, "k2", None, "amount"),
        (20_000, "k1", "idempotency_key_reused", "idempotency_key"),  # k1 was for 30.000
        (20_000, "x" * 101, None, "idempotency_key"),
    ],
)
def test_a_bad_withdrawal_is_refused_with_its_field_and_writes_nothing(shop_id, amount, key, code, field):
    account = _account(shop_id)
    _withdraw(shop_id, account, 30_000, key="k1")
    entries = LedgerEntry.objects.count()

    with pytest.raises(contracts.InvalidRequest) as refused:
        _withdraw(shop_id, account, amount, key=key)

    assert field in refused.value.fields
    if code:
        assert refused.value.code == code
    assert (Payout.objects.count(), LedgerEntry.objects.count()) == (1, entries)
    assert balance(AccountKind.SHOP_AVAILABLE, shop_id) == AVAILABLE - 30_000


def test_an_unverified_or_someone_elses_account_is_refused(shop_id):
    account = _account(shop_id)
    BankAccount.objects.filter(id=account.id).update(verified_at=None)
    with pytest.raises(contracts.InvalidRequest) as refused:
        _withdraw(shop_id, account, 20_000)
    assert "bank_account_id" in refused.value.fields
    theirs = services.bank_account_add(payee_kind="shop", payee_id=shop_id + 1000, bank_code="bni", number="5556667771")
    with pytest.raises(contracts.InvalidRequest):
        _withdraw(shop_id, theirs, 20_000, key="k3")
    assert Payout.objects.count() == 0


def test_another_owner_cannot_withdraw_a_shops_money(shop_id):
    account = _account(shop_id)
    with pytest.raises(contracts.NotFound):
        services.payout_request(
            payee_kind="shop",
            payee_id=shop_id,
            bank_account_id=account.id,
            amount=20_000,
            idempotency_key="k9",
            owner_user_id=999_999,
        )


def test_a_forged_unknown_or_wrong_amount_callback_changes_nothing(shop_id):
    payout = _withdraw(shop_id, _account(shop_id), 40_000)
    sim = SimulatedDisbursements()
    body = sim.notification_body(reference=payout.reference, amount=40_000, status="succeeded")
    wrong = sim.notification_body(reference=payout.reference, amount=40_001, status="succeeded")
    unknown = sim.notification_body(reference="PO-nope", amount=40_000, status="succeeded")

    assert services.payout_notification_receive(body=body, signature="0" * 64) == "forged"
    assert services.payout_notification_receive(body=wrong, signature=sim.sign(wrong)) == "wrong_amount"
    assert services.payout_notification_receive(body=unknown, signature=sim.sign(unknown)) == "unknown"
    assert Payout.objects.get(id=payout.id).status == "requested"
    assert balance(AccountKind.SHOP_PAYOUT, shop_id) == 40_000

    assert services.payout_notification_receive(body=body, signature=sim.sign(body)) == "accepted"
    assert services.payout_notification_receive(body=body, signature=sim.sign(body)) == "duplicate"
    assert balance(AccountKind.SHOP_PAYOUT, shop_id) == 0


def test_the_simulators_signed_callback_settles_a_payout_by_the_endpoint(
    shop_id, settings, client, django_capture_on_commit_callbacks
):
    settings.DISBURSEMENT_SIM_BY_CALLBACK = True
    with django_capture_on_commit_callbacks(using="marketplace", execute=True):
        payout = _withdraw(shop_id, _account(shop_id), 50_000)
    payout.refresh_from_db()
    assert (payout.status, balance(AccountKind.SHOP_PAYOUT, shop_id)) == ("requested", 50_000)
    sim = SimulatedDisbursements()
    body = sim.notification_body(reference=payout.reference, amount=50_000, status="succeeded")
    url = "/gateway/sim/payouts/callback/"

    forged = client.post(url, body, content_type="application/json", HTTP_X_SIM_SIGNATURE="0" * 64)
    signed = client.post(url, body, content_type="application/json", HTTP_X_SIM_SIGNATURE=sim.sign(body))

    assert (forged.status_code, forged.json()) == (400, {"outcome": "forged"})
    assert (signed.status_code, signed.json()) == (200, {"outcome": "accepted"})
    payout.refresh_from_db()
    assert (payout.status, balance(AccountKind.SHOP_PAYOUT, shop_id)) == ("succeeded", 0)
