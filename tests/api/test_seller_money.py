"""The seller API's money: balance, statement, bank accounts and withdrawals, each shop's own."""

import pytest

from marketplace.models import Payout
from tests.api.conftest import client_for
from tests.factories import ShopFactory, UserFactory
from tests.marketplace.test_ledger import _attributed_order, _complete
from tests.marketplace.test_reversals import _pay
from tests.queries import count_queries

pytestmark = pytest.mark.django_db(databases=["default", "storefront", "marketplace"])
BAD_DATE = "Date has wrong format. Use one of these formats instead: YYYY-MM-DD."
AVAILABLE = 186_393  # 2 x 100.000, 5 % commission, less the fee 3.250 and VAT 357


@pytest.fixture(autouse=True)
def _money(settings):
    settings.LANGUAGE_CODE = "en"
    settings.DISBURSEMENT_SIMULATOR_ENABLED = True
    settings.DISBURSEMENT_SIM_SECRET = "test-disbursement-secret"
    settings.PAYOUT_MINIMUM = 10_000
    settings.PLATFORM_FEE_FIXED, settings.PLATFORM_FEE_BP, settings.PLATFORM_FEE_VAT_BP = 1250, 100, 1100


@pytest.fixture
def seller():
    """A seller whose one shop has one completed order's money available."""
    order = _attributed_order()
    _pay(order)
    _complete(order)
    user = UserFactory(username="penjual")
    order.shop.owner_user_id = user.id
    order.shop.save()
    user.shop_id = order.shop_id
    return user


def _register(client, number="1234567890", **extra):
    return client.post("/api/v1/seller/bank-accounts/", {"bank_code": "bca", "number": number, **extra}, format="json")


def _withdraw(client, account_id, amount, key="w-1", **extra):
    body = {"bank_account_id": account_id, "amount": amount, **extra}
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post("/api/v1/seller/payouts/", body, format="json", **headers)


def test_a_seller_sees_the_balance_registers_an_account_and_withdraws(seller, django_capture_on_commit_callbacks):
    client = client_for(seller)
    assert client.get("/api/v1/seller/balance/").json() == {
        "payee_id": seller.shop_id,
        "pending": 0,
        "available": AVAILABLE,
        "in_flight": 0,
        "currency": "IDR",
    }

    registered = _register(client, number="0812 3456 7890")
    assert registered.status_code == 201, registered.json()
    account = registered.json()
    assert (account["holder_name"], account["number_masked"], account["verified"]) == ("SIM 7890", "••••••••7890", True)

    with django_capture_on_commit_callbacks(using="marketplace", execute=False):
        first = _withdraw(client, account["id"], 50_000)
    assert first.status_code == 201, first.json()
    assert (first.json()["amount"], first.json()["status"]) == (50_000, "requested")
    balance = client.get("/api/v1/seller/balance/").json()
    assert (balance["available"], balance["in_flight"]) == (AVAILABLE - 50_000, 50_000)

    # The same key and body answer the same payout; nothing moves twice.
    again = _withdraw(client, account["id"], 50_000)
    assert (again.status_code, again.json()["id"]) == (201, first.json()["id"])
    assert Payout.objects.count() == 1
    listed = client.get("/api/v1/seller/payouts/").json()
    assert [p["reference"] for p in listed["results"]] == [first.json()["reference"]]
    assert [a["id"] for a in client.get("/api/v1/seller/bank-accounts/").json()["results"]] == [account["id"]]


def test_the_statement_takes_jakarta_days_and_adds_up(seller):
    body = client_for(seller).get("/api/v1/seller/statement/?from=2026-01-01&to=2026-12-31").json()
    # The order's money was captured and settled today, inside the year.
    assert body["opening"] == 0 and body["closing"] == AVAILABLE
    assert [(line["kind"], line["bucket"], line["amount"]) for line in body["lines"]] == [
        ("payment_captured", "pending", 190_000),
        ("order_settled", "pending", -190_000),
        ("order_settled", "available", AVAILABLE),
    ]


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ("from=2026-12-02&to=2026-12-01", {"to": ["The period must not end before it starts."]}),
        ("from=2025-01-01&to=2026-12-01", {"to": ["A statement covers at most 366 days."]}),
        (
            "from=2026-13-01&to=2026-12-01",
            {"from": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]},
        ),
        ("to=2026-12-01", {"from": ["This field is required."]}),
    ],
)
def test_a_bad_period_is_a_400_naming_the_field(seller, query, errors):
    response = client_for(seller).get(f"/api/v1/seller/statement/?{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"] == errors


def test_a_seller_never_sees_nor_moves_another_shops_money(seller):
    other = UserFactory(username="lain")
    ShopFactory(owner_user_id=other.id)
    client = client_for(other)
    assert client.get("/api/v1/seller/balance/").json()["available"] == 0
    assert client.get(f"/api/v1/seller/balance/?shop={seller.shop_id}").status_code == 404
    assert _register(client, shop=seller.shop_id).status_code == 404
    mine = _register(client_for(seller)).json()
    assert _withdraw(client, mine["id"], 20_000, shop=seller.shop_id).status_code == 404
    assert client.get("/api/v1/seller/bank-accounts/").json()["results"] == []
    assert client_for(UserFactory()).get("/api/v1/seller/balance/").status_code == 403
    assert Payout.objects.count() == 0


def test_an_owner_of_two_shops_names_the_shop(seller):
    ShopFactory(owner_user_id=seller.id)
    response = client_for(seller).get("/api/v1/seller/balance/")
    assert (response.status_code, response.json()["errors"]) == (400, {"shop": ["You have several shops: choose one."]})
    assert client_for(seller).get(f"/api/v1/seller/balance/?shop={seller.shop_id}").json()["available"] == AVAILABLE


def test_balance_and_statement_answer_in_the_same_queries_at_two_sizes(seller):
    client = client_for(seller)

    def measure():
        with count_queries() as balance:
            assert client.get("/api/v1/seller/balance/").status_code == 200
        with count_queries() as statement:
            lines = client.get("/api/v1/seller/statement/?from=2026-01-01&to=2026-12-31").json()["lines"]
        return len(balance), len(statement), len(lines)

    small = measure()
    for number in ("2234567890", "3234567890"):
        account = _register(client, number=number).json()
        _withdraw(client, account["id"], 10_000, key=number)
    large = measure()

    # token, is a seller, the shop, then the accounts (balance) or the opening and the lines (statement)
    assert (small[0], small[1]) == (large[0], large[1]) == (4, 5), (small, large)
    assert (small[2], large[2]) == (3, 7)
