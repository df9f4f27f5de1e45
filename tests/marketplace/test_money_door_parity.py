"""Door parity for withdrawals: the same bad withdrawal through the seller API and the seller
centre's withdraw form is refused by the same rule, in the same words, and writes nothing."""

import html

import pytest
from django.urls import reverse

from config.roles import SELLERS
from marketplace import services
from marketplace.models import BankAccount, LedgerAccount, LedgerEntry, LedgerTransaction, Payout
from tests.admin_world import staff_user
from tests.api.conftest import client_for
from tests.marketplace.test_ledger import _attributed_order, _complete
from tests.marketplace.test_reversals import _pay

pytestmark = pytest.mark.django_db(databases=["default", "storefront", "marketplace"])
AVAILABLE = 186_393


@pytest.fixture
def world(settings):
    settings.LANGUAGE_CODE = "en"
    settings.DISBURSEMENT_SIMULATOR_ENABLED = True
    settings.DISBURSEMENT_SIM_SECRET = "test-disbursement-secret"
    settings.PAYOUT_MINIMUM = 10_000
    settings.PLATFORM_FEE_FIXED, settings.PLATFORM_FEE_BP, settings.PLATFORM_FEE_VAT_BP = 1250, 100, 1100
    order = _attributed_order()
    _pay(order)
    _complete(order)
    seller = staff_user("penjual", SELLERS)
    order.shop.owner_user_id = seller.pk
    order.shop.save()
    verified = services.bank_account_add(
        payee_kind="shop", payee_id=order.shop_id, bank_code="bca", number="1234567890"
    )
    unverified = BankAccount.objects.create(
        payee_kind="shop", payee_id=order.shop_id, bank_code="bni", number="5556667771", holder_name="X"
    )
    # An earlier withdrawal under the key "used": Rp 20.000 to the verified account.
    services.payout_request(
        payee_kind="shop", payee_id=order.shop_id, bank_account_id=verified.id, amount=20_000, idempotency_key="used"
    )
    return {"seller": seller, "shop": order.shop, "verified": verified.id, "unverified": unverified.id}


def _written():
    balances = list(LedgerAccount.objects.order_by("id").values_list("id", "balance"))
    return Payout.objects.count(), LedgerTransaction.objects.count(), LedgerEntry.objects.count(), balances


def _api(world, account, amount, key):
    body = {"bank_account_id": world[account], "amount": amount}
    response = client_for(world["seller"]).post(
        "/api/v1/seller/payouts/", body, format="json", HTTP_IDEMPOTENCY_KEY=key
    )
    assert response.status_code == 400, response.content
    return {message for messages in response.json()["errors"].values() for message in messages}


def _admin(client, world, account, amount, key):
    client.force_login(world["seller"])
    url = reverse("admin:marketplace_shop_money", args=[world["shop"].pk])
    form = {"action": "withdraw", "bank_account_id": world[account], "amount": amount, "idempotency_key": key}
    response = client.post(url, form)
    assert response.status_code == 200, "the page is shown again, nothing done"
    shown = {str(m) for m in response.context["messages"]}
    page = html.unescape(response.content.decode())
    return shown, page


CASES = [
    ("verified", AVAILABLE, "k-over", {"More than the available balance."}),
    ("verified", 9_999, "k-small", {"The smallest withdrawal is Rp 10.000."}),
    ("unverified", 50_000, "k-unverified", {"Choose one of your verified bank accounts."}),
    ("verified", 30_000, "used", {"Use a new key for a new withdrawal."}),
    ("verified", 50_000, "", {"Send an Idempotency-Key of 1 to 100 characters."}),
]


@pytest.mark.parametrize(("account", "amount", "key", "messages"), CASES)
def test_a_bad_withdrawal_is_refused_alike_by_the_api_and_the_admin(client, world, account, amount, key, messages):
    before = _written()

    through_api = _api(world, account, amount, key)
    shown, page = _admin(client, world, account, amount, key)

    assert messages <= through_api
    assert messages <= shown  # the admin message says it...
    for message in messages:
        assert message in page  # ...and so does the form, next to the field
    assert _written() == before
