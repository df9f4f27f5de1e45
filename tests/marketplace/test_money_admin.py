"""The seller centre's money page and the platform's finance view: a shop's balance, its
statement with exports, bank accounts and withdrawals, each seller's own."""

import csv
import io
from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from openpyxl import load_workbook

from marketplace.models import BankAccount, LedgerTransaction, Payout
from tests.admin_world import staff_user
from tests.factories import ShopFactory, UserFactory
from tests.marketplace.test_ledger import _attributed_order, _complete
from tests.marketplace.test_reversals import _pay
from tests.queries import count_queries

pytestmark = pytest.mark.django_db(databases=["default", "storefront", "marketplace"])
AVAILABLE = 186_393  # 2 x 100.000, 5 % commission, less the fee 3.250 and VAT 357


@pytest.fixture(autouse=True)
def _money(settings):
    settings.LANGUAGE_CODE = "en"
    settings.DISBURSEMENT_SIMULATOR_ENABLED = True
    settings.DISBURSEMENT_SIM_SECRET = "test-disbursement-secret"
    settings.PAYOUT_MINIMUM = 10_000
    settings.PLATFORM_FEE_FIXED, settings.PLATFORM_FEE_BP, settings.PLATFORM_FEE_VAT_BP = 1250, 100, 1100


@pytest.fixture
def seller(client):
    from config.roles import SELLERS

    order = _attributed_order()
    _pay(order)
    _complete(order)
    # Paid 30 Nov 10:00 WIB, completed 1 Dec 10:00 WIB.
    LedgerTransaction.objects.filter(kind="payment_captured").update(created_at=datetime(2026, 11, 30, 3, tzinfo=UTC))
    LedgerTransaction.objects.filter(kind="order_settled").update(created_at=datetime(2026, 12, 1, 3, tzinfo=UTC))
    user = staff_user("penjual", SELLERS)
    order.shop.owner_user_id = user.pk
    order.shop.save()
    user.shop = order.shop
    client.force_login(user)
    return user


def _url(shop_id):
    return reverse("admin:marketplace_shop_money", args=[shop_id])


def test_the_money_page_shows_the_balance_and_the_statement(client, seller):
    response = client.get(_url(seller.shop.pk), {"from": "2026-12-01", "to": "2026-12-31"})

    assert response.status_code == 200
    assert response.context["balance"].available == AVAILABLE
    page = response.content.decode()
    assert '<td id="balance-available">Rp 186.393</td>' in page
    assert '<td id="statement-opening">Rp 190.000</td>' in page
    assert '<td id="statement-closing">Rp 186.393</td>' in page


def test_the_statement_exports_as_csv_and_excel_with_the_same_figures(client, seller):
    period = {"from": "2026-12-01", "to": "2026-12-31"}
    exported = client.get(_url(seller.shop.pk), {**period, "export": "csv"})
    assert exported["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(exported.content.decode())))
    assert rows[1] == ["", "Opening balance", "", "", "", "", "190000"]
    assert [row[1:3] + row[5:] for row in rows[2:4]] == [
        ["Order completed: balance released, fee charged", "Pending", "-190000", "0"],
        ["Order completed: balance released, fee charged", "Available", "186393", "186393"],
    ]
    assert rows[2][0] == "2026-12-01 10:00:00"  # WIB
    assert rows[-1] == ["", "Closing balance", "", "", "", "", "186393"]

    workbook = client.get(_url(seller.shop.pk), {**period, "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(workbook.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[1][6] == 190_000 and values[-1][6] == 186_393
    assert values[3][5] == 186_393


def test_a_bad_period_is_a_form_error_and_a_message(client, seller):
    response = client.get(_url(seller.shop.pk), {"from": "2026-12-02", "to": "2026-12-01"})
    assert response.context["period"].errors == {"to": ["The period must not end before it starts."]}
    assert "The period must not end before it starts." in [str(m) for m in response.context["messages"]]
    assert response.context["statement"] is None


def test_a_seller_registers_an_account_and_withdraws_from_the_page(client, seller, django_capture_on_commit_callbacks):
    url = _url(seller.shop.pk)
    registered = client.post(url, {"action": "bank_account", "bank_code": "bca", "number": "1234567890"}, follow=True)
    assert "The bank confirmed the account of SIM 7890." in [str(m) for m in registered.context["messages"]]
    account = BankAccount.objects.get()

    page = client.get(url)
    key = page.context["withdraw_form"].initial["idempotency_key"]
    form = {"action": "withdraw", "bank_account_id": account.pk, "amount": 50_000, "idempotency_key": key}
    with django_capture_on_commit_callbacks(using="marketplace", execute=True):
        done = client.post(url, form, follow=True)
    payout = Payout.objects.get()
    assert f"Withdrawal {payout.reference} of Rp 50.000 requested." in [str(m) for m in done.context["messages"]]
    assert (done.context["balance"].available, done.context["balance"].in_flight) == (AVAILABLE - 50_000, 50_000)
    # The simulator answers once the withdrawal is committed: the money left.
    after = client.get(url).context["balance"]
    assert (after.available, after.in_flight) == (AVAILABLE - 50_000, 0)

    # Sending the same page again withdraws nothing more.
    client.post(url, form)
    assert Payout.objects.count() == 1


def test_another_sellers_shop_is_a_404_and_a_plain_user_is_refused(client, seller):
    other = staff_user("lain", "Sellers")
    ShopFactory(owner_user_id=other.pk)
    client.force_login(other)
    assert client.get(_url(seller.shop.pk)).status_code == 404
    assert (
        client.post(
            _url(seller.shop.pk), {"action": "bank_account", "bank_code": "bca", "number": "1234567890"}
        ).status_code
        == 404
    )
    client.force_login(UserFactory(username="staf", is_staff=True))
    assert client.get(_url(seller.shop.pk)).status_code == 403
    assert BankAccount.objects.count() == 0


def test_the_money_page_costs_the_same_queries_with_more_lines(client, seller):
    period = {"from": "2026-11-01", "to": "2026-12-31"}
    with count_queries() as small:
        client.get(_url(seller.shop.pk), period)
    url = _url(seller.shop.pk)
    for n, number in enumerate(("2234567890", "3234567890")):
        client.post(url, {"action": "bank_account", "bank_code": "bca", "number": number})
        account = BankAccount.objects.get(number=number)
        client.post(
            url, {"action": "withdraw", "bank_account_id": account.pk, "amount": 10_000, "idempotency_key": f"k{n}"}
        )
    LedgerTransaction.objects.filter(kind="payout_requested").update(created_at=datetime(2026, 12, 2, tzinfo=UTC))
    with count_queries() as large:
        response = client.get(_url(seller.shop.pk), period)
    assert len(response.context["lines"]) == 7
    # user, permissions (2), shop, bank accounts, opening, lines, balance, payouts: 9 at any size
    assert len(small) == len(large) == 9, (small, large)


def test_the_finance_view_is_for_staff_who_may_view_the_ledger(client, seller):
    url = reverse("admin:marketplace_ledgeraccount_finance")
    assert client.get(url).status_code == 403  # a seller
    finance = UserFactory(username="keuangan", is_staff=True)
    group = Group.objects.create(name="Finance")
    group.permissions.add(Permission.objects.get(codename="view_ledgeraccount"))
    finance.groups.add(group)
    client.force_login(finance)

    response = client.get(url)

    assert response.status_code == 200
    rows = dict(response.context["rows"])
    assert rows["Fees earned"] == "Rp 3.250"
    assert rows["VAT (PPN) on fees, payable"] == "Rp 357"
    assert rows["Held for shops"] == "Rp 186.393"
    assert rows["Held for creators"] == "Rp 10.000"
    assert rows["Spent on platform promotions"] == "Rp 0"
