"""The creator API's money: balance, statement, bank accounts and withdrawals, all through the
marketplace port, each creator's own."""

import pytest

from integration import contracts
from marketplace.models import BankAccount, Payout
from tests.api.conftest import client_for
from tests.factories import CreatorFactory, ProductFactory, UserFactory, VariantFactory
from tests.marketplace.conftest import place
from tests.marketplace.test_ledger import _complete
from tests.marketplace.test_reversals import _pay
from tests.queries import count_queries

pytestmark = pytest.mark.django_db(databases=["default", "storefront", "marketplace"])


@pytest.fixture(autouse=True)
def _money(settings):
    settings.LANGUAGE_CODE = "en"
    settings.DISBURSEMENT_SIMULATOR_ENABLED = True
    settings.DISBURSEMENT_SIM_SECRET = "test-disbursement-secret"
    settings.PAYOUT_MINIMUM = 10_000


def earn(creator_id: int, *, price=200_000, commission_bp=1000, complete=True):
    """One paid order of `price` through the creator's showcase (10 %: Rp 20.000 commission)."""
    product = ProductFactory(commission_bp=commission_bp)
    variant = VariantFactory(product=product, price=price, stock_on_hand=10)
    claim = contracts.Attribution(product_id=product.id, source="showcase", creator_id=creator_id)
    (order,) = place(901, (variant, 1), attributions=(claim,))
    _pay(order)
    if complete:
        _complete(order)
    return order


@pytest.fixture
def creator():
    user = UserFactory(username="kreator")
    user.creator = CreatorFactory(user_id=user.id, handle="sari")
    earn(user.creator.id)
    earn(user.creator.id, price=50_000, complete=False)  # Rp 5.000 still pending
    return user


def test_a_creator_sees_the_balance_registers_an_account_and_withdraws(creator, django_capture_on_commit_callbacks):
    client = client_for(creator)
    assert client.get("/api/v1/creator/balance/").json() == {
        "payee_id": creator.creator.id,
        "pending": 5_000,
        "available": 20_000,
        "in_flight": 0,
        "currency": "IDR",
    }
    account = client.post("/api/v1/creator/bank-accounts/", {"bank_code": "bri", "number": "1234567890"}, format="json")
    assert account.status_code == 201, account.json()
    assert BankAccount.objects.get().payee_kind == "creator"

    body = {"bank_account_id": account.json()["id"], "amount": 15_000}
    with django_capture_on_commit_callbacks(using="marketplace", execute=True):
        first = client.post("/api/v1/creator/payouts/", body, format="json", HTTP_IDEMPOTENCY_KEY="c-1")
    assert (first.status_code, first.json()["amount"], first.json()["status"]) == (201, 15_000, "requested")
    again = client.post("/api/v1/creator/payouts/", body, format="json", HTTP_IDEMPOTENCY_KEY="c-1")
    assert (again.status_code, again.json()["id"]) == (201, first.json()["id"])
    other = client.post(
        "/api/v1/creator/payouts/", {**body, "amount": 12_000}, format="json", HTTP_IDEMPOTENCY_KEY="c-1"
    )
    assert (other.status_code, other.json()["errors"]) == (
        400,
        {"idempotency_key": ["Use a new key for a new withdrawal."]},
    )
    assert Payout.objects.count() == 1
    assert client.get("/api/v1/creator/balance/").json()["available"] == 5_000
    assert [p["status"] for p in client.get("/api/v1/creator/payouts/").json()["results"]] == ["succeeded"]

    statement = client.get("/api/v1/creator/statement/?from=2026-01-01&to=2026-12-31").json()
    assert (statement["opening"], statement["closing"]) == (0, 10_000)  # 5.000 pending + 5.000 available
    assert sum(line["amount"] for line in statement["lines"]) == 10_000


def test_a_creator_sees_only_their_own_money(creator):
    other = UserFactory(username="lain")
    CreatorFactory(user_id=other.id, handle="lain")
    client = client_for(other)
    assert client.get("/api/v1/creator/balance/").json()["available"] == 0
    client_for(creator).post(
        "/api/v1/creator/bank-accounts/", {"bank_code": "bri", "number": "1234567890"}, format="json"
    )
    assert client.get("/api/v1/creator/bank-accounts/").json()["results"] == []
    mine = BankAccount.objects.get()
    refused = client.post(
        "/api/v1/creator/payouts/",
        {"bank_account_id": mine.id, "amount": 10_000},
        format="json",
        HTTP_IDEMPOTENCY_KEY="x",
    )
    assert (refused.status_code, refused.json()["errors"]) == (
        400,
        {"bank_account_id": ["Choose one of your verified bank accounts."]},
    )
    assert client_for(UserFactory()).get("/api/v1/creator/balance/").status_code == 403
    assert Payout.objects.count() == 0


def test_a_bad_period_is_refused_by_the_marketplaces_rule(creator):
    response = client_for(creator).get("/api/v1/creator/statement/?from=2026-12-02&to=2026-12-01")
    assert (response.status_code, response.json()["errors"]) == (
        400,
        {"to": ["The period must not end before it starts."]},
    )


def test_balance_and_statement_answer_in_the_same_queries_at_two_sizes(creator):
    client = client_for(creator)

    def measure():
        with count_queries() as balance:
            assert client.get("/api/v1/creator/balance/").status_code == 200
        with count_queries() as statement:
            lines = client.get("/api/v1/creator/statement/?from=2026-01-01&to=2026-12-31").json()["lines"]
        return len(balance), len(statement), len(lines)

    small = measure()
    earn(creator.creator.id)
    earn(creator.creator.id)
    large = measure()

    # token, the creator, then the accounts (balance) or the opening and the lines (statement)
    assert (small[0], small[1]) == (large[0], large[1]) == (3, 4), (small, large)
    assert (small[2], large[2]) == (4, 10)
