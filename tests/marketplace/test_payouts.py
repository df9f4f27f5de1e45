"""Withdrawals: available balance to a verified bank account, settled by the gateway's signed callback."""

import re

import pytest
from django.db import connections

from integration import contracts
from marketplace import services
from marketplace.disbursements import Inquiry, SimulatedDisbursements
from marketplace.models import AccountKind, BankAccount, LedgerEntry, LedgerTransaction, Payout, Shop
from marketplace.services.ledger import Leg, ledger_post
from tests.factories import ShopFactory
from tests.marketplace.test_ledger import _attributed_order, _complete, balance
from tests.marketplace.test_reversals import _pay
from tests.queries import count_queries

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


# --- What the gateway is told, and what a callback leaves behind -------------------------------


class _LaterDisbursements:
    """A provider that answers later, by callback, and remembers what it was asked to send."""

    name = "later"
    sent: list[dict] = []

    def inquire(self, *, bank_code, number):
        return Inquiry(found=True, holder_name="N" * 150)

    def create_payout(self, **asked):
        type(self).sent.append(asked)


class _OtherDisbursements(_LaterDisbursements):
    name = "other"


def test_a_payout_is_sent_to_the_accounts_bank_number_and_holder_in_two_queries(shop_id, settings):
    account = _account(shop_id, number="0812 3456 7890")
    payout, waiting = _withdraw(shop_id, account, 50_000), _withdraw(shop_id, account, 20_000, key="k2")
    settings.DISBURSEMENT_GATEWAY = "tests.marketplace.test_payouts._LaterDisbursements"
    _LaterDisbursements.sent = []

    with count_queries() as queries:
        services.payout_send(payout_id=payout.id)

    assert _LaterDisbursements.sent == [
        {
            "reference": payout.reference,
            "amount": 50_000,
            "bank_code": "bca",
            "number": "081234567890",
            "holder_name": "SIM 7890",
        }
    ]
    assert len(queries) == 2, queries  # the payout with its account; the gateway's name
    payout.refresh_from_db()
    assert (payout.status, payout.gateway) == ("requested", "later")  # the outcome comes by callback
    assert Payout.objects.get(id=waiting.id).gateway == ""  # the other payout was not sent


def test_sending_again_keeps_the_gateway_the_payout_first_went_to(shop_id, settings):
    payout = _withdraw(shop_id, _account(shop_id), 50_000)
    settings.DISBURSEMENT_GATEWAY = "tests.marketplace.test_payouts._LaterDisbursements"
    _LaterDisbursements.sent = []
    services.payout_send(payout_id=payout.id)
    settings.DISBURSEMENT_GATEWAY = "tests.marketplace.test_payouts._OtherDisbursements"

    services.payout_send(payout_id=payout.id)

    assert [asked["reference"] for asked in _LaterDisbursements.sent] == [payout.reference, payout.reference]
    assert Payout.objects.get(id=payout.id).gateway == "later"


def test_a_refused_payout_keeps_the_banks_reason_cut_to_255_characters(shop_id):
    payout = _withdraw(shop_id, _account(shop_id), 40_000)
    sim = SimulatedDisbursements()
    body = sim.notification_body(reference=payout.reference, amount=40_000, status="failed", reason="r" * 300)

    assert services.payout_notification_receive(body=body, signature=sim.sign(body)) == "accepted"

    payout.refresh_from_db()
    assert (payout.status, payout.failure_reason) == ("failed", "r" * 255)
    assert payout.settled_at is not None
    assert balance(AccountKind.SHOP_AVAILABLE, shop_id) == AVAILABLE
    assert balance(AccountKind.SHOP_PAYOUT, shop_id) == 0


def test_a_succeeded_payout_is_settled_with_its_time_and_no_reason(shop_id):
    payout = _withdraw(shop_id, _account(shop_id), 40_000)
    float_before = balance(AccountKind.GATEWAY)
    sim = SimulatedDisbursements()
    body = sim.notification_body(reference=payout.reference, amount=40_000, status="succeeded", reason="ignored")

    assert services.payout_notification_receive(body=body, signature=sim.sign(body)) == "accepted"

    payout.refresh_from_db()
    assert (payout.status, payout.failure_reason, payout.settled_at is not None) == ("succeeded", "", True)
    settled = LedgerTransaction.objects.get(kind="payout_succeeded")
    assert (settled.payout_id, settled.memo) == (payout.id, payout.reference)
    assert balance(AccountKind.SHOP_AVAILABLE, shop_id) == AVAILABLE - 40_000
    assert balance(AccountKind.SHOP_PAYOUT, shop_id) == 0
    assert balance(AccountKind.GATEWAY) == float_before + 40_000


def test_a_callback_whose_ledger_posting_fails_leaves_the_payout_requested(shop_id, monkeypatch):
    payout = _withdraw(shop_id, _account(shop_id), 40_000)
    sim = SimulatedDisbursements()
    body = sim.notification_body(reference=payout.reference, amount=40_000, status="succeeded")

    def broken(**kwargs):
        raise RuntimeError("ledger down")

    monkeypatch.setattr("marketplace.services.payouts.ledger_post", broken)
    with pytest.raises(RuntimeError):
        services.payout_notification_receive(body=body, signature=sim.sign(body))

    payout = Payout.objects.get(id=payout.id)
    assert (payout.status, payout.settled_at) == ("requested", None)


def test_every_refused_callback_is_logged_with_its_outcome_and_reference(shop_id, caplog):
    payout = _withdraw(shop_id, _account(shop_id), 40_000)
    sim = SimulatedDisbursements()
    wrong = sim.notification_body(reference=payout.reference, amount=40_001, status="succeeded")
    unknown = sim.notification_body(reference="PO-nope", amount=40_000, status="succeeded")

    services.payout_notification_receive(body=wrong, signature="f" * 64)
    services.payout_notification_receive(body=wrong, signature=sim.sign(wrong))
    services.payout_notification_receive(body=unknown, signature=sim.sign(unknown))

    assert caplog.messages == [
        "payout notification refused: forged",
        f"payout notification refused: wrong_amount ('{payout.reference}')",
        "payout notification refused: unknown ('PO-nope')",
    ]
    assert [r.levelname for r in caplog.records] == ["WARNING"] * 3


def test_a_key_reused_for_another_withdrawal_says_so(shop_id):
    account = _account(shop_id)
    _withdraw(shop_id, account, 30_000)

    with pytest.raises(contracts.InvalidRequest) as refused:
        _withdraw(shop_id, account, 30_001)

    assert refused.value.message == "This Idempotency-Key was used for another withdrawal."
    assert refused.value.fields == {"idempotency_key": ["Use a new key for a new withdrawal."]}


# --- A withdrawal's own rules ------------------------------------------------------------------


def _creator_with(creator_id, amount, number):
    """A creator with `amount` available and a verified account."""
    ledger_post(
        kind="order_settled",
        legs=[Leg(AccountKind.CREATOR_AVAILABLE, creator_id, amount), Leg(AccountKind.CREATOR_PENDING, None, -amount)],
    )
    return services.bank_account_add(payee_kind="creator", payee_id=creator_id, bank_code="bni", number=number)


def test_a_key_of_100_characters_and_the_minimum_amount_are_accepted(shop_id):
    payout = _withdraw(shop_id, _account(shop_id), 10_000, key="k" * 100)
    assert (payout.amount, payout.idempotency_key) == (10_000, "k" * 100)
    assert balance(AccountKind.SHOP_AVAILABLE, shop_id) == AVAILABLE - 10_000


@pytest.mark.parametrize(
    ("amount", "key", "field", "message"),
    [
        (20_000, "x" * 101, "idempotency_key", "Send an Idempotency-Key of 1 to 100 characters."),
        (20_000, None, "idempotency_key", "Send an Idempotency-Key of 1 to 100 characters."),
        (20_000, "   ", "idempotency_key", "Send an Idempotency-Key of 1 to 100 characters."),
        (9_999, "k2", "amount", "The smallest withdrawal is Rp 10.000."),
    ],
)
def test_a_refused_withdrawal_says_why(shop_id, amount, key, field, message):
    with pytest.raises(contracts.InvalidRequest) as refused:
        _withdraw(shop_id, _account(shop_id), amount, key=key)
    assert (refused.value.message, refused.value.fields) == (message, {field: [message]})
    assert Payout.objects.count() == 0


def test_an_unverified_account_is_refused_with_its_reason(shop_id):
    account = _account(shop_id)
    BankAccount.objects.filter(id=account.id).update(verified_at=None)
    with pytest.raises(contracts.InvalidRequest) as refused:
        _withdraw(shop_id, account, 20_000)
    message = "Choose one of your verified bank accounts."
    assert (refused.value.message, refused.value.fields) == (message, {"bank_account_id": [message]})


def test_a_withdrawal_goes_to_the_account_chosen_of_several(shop_id):
    older, newer = _account(shop_id, number="1111111111"), _account(shop_id, number="2222222222")
    to_older, to_newer = _withdraw(shop_id, older, 20_000, key="k1"), _withdraw(shop_id, newer, 20_000, key="k2")
    assert Payout.objects.get(id=to_older.id).bank_account_id == older.id
    assert Payout.objects.get(id=to_newer.id).bank_account_id == newer.id


def test_a_creators_account_is_not_the_shop_of_the_same_id(shop_id):
    creators = _creator_with(shop_id, 50_000, "3333333333")
    with pytest.raises(contracts.InvalidRequest) as refused:
        _withdraw(shop_id, creators, 20_000)
    assert list(refused.value.fields) == ["bank_account_id"]
    assert balance(AccountKind.CREATOR_AVAILABLE, shop_id) == 50_000


def test_the_owner_withdraws_their_own_shops_money(shop_id):
    owner = Shop.objects.get(id=shop_id).owner_user_id
    payout = services.payout_request(
        payee_kind="shop",
        payee_id=shop_id,
        bank_account_id=_account(shop_id).id,
        amount=20_000,
        idempotency_key="k1",
        owner_user_id=owner,
    )
    assert (payout.payee_kind, payout.payee_id, payout.amount) == ("shop", shop_id, 20_000)


def test_a_key_is_each_payees_own(shop_id):
    shops = _withdraw(shop_id, _account(shop_id), 20_000)
    same_id = _creator_with(shop_id, 50_000, "3333333333")
    other = _creator_with(shop_id + 1, 50_000, "4444444444")

    creators = [
        services.payout_request(
            payee_kind="creator",
            payee_id=account.payee_id,
            bank_account_id=account.id,
            amount=15_000,
            idempotency_key="k1",
        )
        for account in (same_id, other)
    ]

    assert len({shops.id, *(payout.id for payout in creators)}) == 3
    assert (
        balance(AccountKind.CREATOR_AVAILABLE, shop_id) == balance(AccountKind.CREATOR_AVAILABLE, shop_id + 1) == 35_000
    )


def test_a_key_seen_before_is_answered_before_the_new_request_is_checked(shop_id):
    account = _account(shop_id)
    _withdraw(shop_id, account, 30_000)
    with pytest.raises(contracts.InvalidRequest) as refused:
        _withdraw(shop_id, account, 5_000)  # below the minimum, but the key settles it first
    assert refused.value.code == "idempotency_key_reused"


def test_a_withdrawal_is_one_ledger_transaction_of_the_payout_with_its_reference(shop_id):
    payout = _withdraw(shop_id, _account(shop_id), 20_000)
    assert re.fullmatch(r"PO-[0-9a-f]{24}", payout.reference)
    entry = LedgerTransaction.objects.get(payout=payout)
    assert (entry.kind, entry.memo) == ("payout_requested", payout.reference)


def test_the_same_key_landing_concurrently_is_answered_with_the_first_payout(shop_id):
    account = _account(shop_id)
    rival: list[Payout] = []
    # Other payouts, each sharing two of the three parts of (payee kind, payee, key) with the rival.
    for n, (kind, payee, key) in enumerate([("shop", shop_id, "k0"), ("creator", shop_id, "k1"), ("shop", 0, "k1")]):
        Payout.objects.create(
            payee_kind=kind,
            payee_id=payee,
            bank_account=account,
            amount=10_000,
            idempotency_key=key,
            reference=f"PO-{n}",
        )

    def a_rival_commits_first(execute, sql, params, many, context):
        # Between this request's look-up of the key and its insert, a request with the same key lands.
        if not rival and BankAccount._meta.db_table in sql:
            rival.append(
                Payout.objects.create(
                    payee_kind="shop",
                    payee_id=shop_id,
                    bank_account=account,
                    amount=20_000,
                    idempotency_key="k1",
                    reference="PO-rival",
                )
            )
        return execute(sql, params, many, context)

    with connections["marketplace"].execute_wrapper(a_rival_commits_first):
        payout = _withdraw(shop_id, account, 20_000)

    assert (payout.id, payout.reference) == (rival[0].id, "PO-rival")
    assert Payout.objects.count() == 4
    assert not LedgerTransaction.objects.filter(kind="payout_requested").exists()


def test_an_unknown_payee_kind_is_refused_on_its_field(shop_id):
    with pytest.raises(contracts.InvalidRequest) as refused:
        services.payout_request(
            payee_kind="bank", payee_id=shop_id, bank_account_id=1, amount=20_000, idempotency_key="k1"
        )
    assert (refused.value.message, refused.value.fields) == ("Unknown payee.", {"payee_kind": ["Unknown payee."]})


def test_the_owner_of_another_shop_can_neither_add_an_account_nor_withdraw(shop_id):
    intruder = ShopFactory().owner_user_id  # owns a shop, just not this one
    with pytest.raises(contracts.NotFound) as missing:
        services.bank_account_add(
            payee_kind="shop", payee_id=shop_id, bank_code="bca", number="1234567890", owner_user_id=intruder
        )
    assert missing.value.message == "Shop not found."
    account = _account(shop_id)
    with pytest.raises(contracts.NotFound):
        services.payout_request(
            payee_kind="shop",
            payee_id=shop_id,
            bank_account_id=account.id,
            amount=20_000,
            idempotency_key="k1",
            owner_user_id=intruder,
        )
    assert (BankAccount.objects.count(), Payout.objects.count()) == (1, 0)


def test_the_owner_adds_an_account_to_their_own_shop(shop_id):
    owner = Shop.objects.get(id=shop_id).owner_user_id
    account = services.bank_account_add(
        payee_kind="shop", payee_id=shop_id, bank_code="bca", number="1234567890", owner_user_id=owner
    )
    assert (account.payee_kind, account.payee_id) == ("shop", shop_id)


@pytest.mark.parametrize("number", ["123456", "12345678901234567891"])
def test_an_account_number_of_6_or_20_digits_is_accepted(shop_id, number):
    assert _account(shop_id, number=number).number == number


@pytest.mark.parametrize(
    ("bank_code", "number", "fields"),
    [
        ("bca", "12345", {"number": ["An account number has 6 to 20 digits."]}),
        ("bca", "123456789012345678901", {"number": ["An account number has 6 to 20 digits."]}),
        ("bca", "abcdefgh", {"number": ["An account number has 6 to 20 digits."]}),
        ("xyz", "1234567890", {"bank_code": ["Choose one of the banks."]}),
        (
            None,
            None,
            {"bank_code": ["Choose one of the banks."], "number": ["An account number has 6 to 20 digits."]},
        ),
    ],
)
def test_a_bad_bank_account_is_refused_with_every_field(shop_id, bank_code, number, fields):
    with pytest.raises(contracts.InvalidRequest) as refused:
        services.bank_account_add(payee_kind="shop", payee_id=shop_id, bank_code=bank_code, number=number)
    assert (refused.value.message, refused.value.fields) == ("Please correct the bank account.", fields)
    assert BankAccount.objects.count() == 0


def test_an_account_the_bank_does_not_know_says_so():
    with pytest.raises(contracts.InvalidRequest) as refused:
        services.bank_account_add(payee_kind="shop", payee_id=1, bank_code="bca", number="12340000")
    message = "The bank knows no such account."
    assert (refused.value.message, refused.value.fields) == (message, {"number": [message]})


def test_registering_an_account_twice_is_refused_and_the_transaction_goes_on(shop_id):
    _account(shop_id)
    with pytest.raises(contracts.InvalidRequest) as refused:
        _account(shop_id)
    message = "This account is already registered."
    assert (refused.value.message, refused.value.fields) == (message, {"number": [message]})
    assert BankAccount.objects.count() == 1  # the refused insert was undone on its own


def test_the_holder_name_is_the_banks_cut_to_100_characters(shop_id, settings):
    settings.DISBURSEMENT_GATEWAY = "tests.marketplace.test_payouts._LaterDisbursements"
    assert _account(shop_id).holder_name == "N" * 100
