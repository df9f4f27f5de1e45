"""The creator centre's money page (through the port), and door parity of a creator's bad
withdrawals: the creator API and the page refuse alike and write nothing."""

import pytest
from django.urls import reverse

from config.roles import CREATORS
from marketplace import services
from marketplace.models import BankAccount, LedgerEntry, Payout
from tests.admin_world import staff_user
from tests.api.conftest import client_for
from tests.api.test_creator_money import earn
from tests.factories import CreatorFactory

pytestmark = pytest.mark.django_db(databases=["default", "storefront", "marketplace"])


@pytest.fixture
def creator(settings, client):
    settings.LANGUAGE_CODE = "en"
    settings.DISBURSEMENT_SIMULATOR_ENABLED = True
    settings.PAYOUT_MINIMUM = 10_000
    user = staff_user("kreator", CREATORS)
    user.creator = CreatorFactory(user_id=user.pk, handle="sari")
    earn(user.creator.id)  # Rp 20.000 available
    client.force_login(user)
    return user


def _url(creator_id):
    return reverse("admin:storefront_creator_money", args=[creator_id])


def test_the_creator_centre_shows_the_money_and_withdraws(client, creator, django_capture_on_commit_callbacks):
    url = _url(creator.creator.id)
    page = client.get(url, {"from": "2026-01-01", "to": "2026-12-31"})
    assert '<td id="balance-available">Rp 20.000</td>' in page.content.decode()
    assert page.context["statement"].closing == 20_000

    client.post(url, {"action": "bank_account", "bank_code": "mandiri", "number": "1234567890"})
    account = BankAccount.objects.get(payee_kind="creator", payee_id=creator.creator.id)
    key = client.get(url).context["withdraw_form"].initial["idempotency_key"]
    with django_capture_on_commit_callbacks(using="marketplace", execute=True):
        client.post(
            url, {"action": "withdraw", "bank_account_id": account.pk, "amount": 10_000, "idempotency_key": key}
        )
    assert client.get(url).context["balance"].available == 10_000
    exported = client.get(url, {"from": "2026-01-01", "to": "2026-12-31", "export": "csv"})
    assert exported.content.decode().splitlines()[-1] == ",Closing balance,,,,,10000"


def test_a_creator_sees_only_their_own_money_page(client, creator):
    other = staff_user("lain", CREATORS)
    CreatorFactory(user_id=other.pk, handle="lain")
    client.force_login(other)
    assert client.get(_url(creator.creator.id)).status_code == 404
    form = {"action": "bank_account", "bank_code": "bca", "number": "1234567890"}
    assert client.post(_url(creator.creator.id), form).status_code == 404
    assert BankAccount.objects.count() == 0


CASES = [
    (25_000, "k-over", {"More than the available balance."}),
    (9_000, "k-small", {"The smallest withdrawal is Rp 10.000."}),
    (10_000, "used", {"Use a new key for a new withdrawal."}),
]


@pytest.mark.parametrize(("amount", "key", "messages"), CASES)
def test_a_bad_withdrawal_is_refused_alike_by_the_creator_api_and_page(client, creator, amount, key, messages):
    account = services.bank_account_add(
        payee_kind="creator", payee_id=creator.creator.id, bank_code="bca", number="1234567890"
    )
    services.payout_request(
        payee_kind="creator",
        payee_id=creator.creator.id,
        bank_account_id=account.id,
        amount=10_000,
        idempotency_key="used",
    )
    # ...and so 10.000 stays available; the key "used" withdrew 10.000 to this account.
    other = BankAccount.objects.create(
        payee_kind="creator", payee_id=creator.creator.id, bank_code="bni", number="5556667771", holder_name="X"
    )
    target = other.id if key == "used" else account.id  # same key, another body
    before = (Payout.objects.count(), LedgerEntry.objects.count())

    response = client_for(creator).post(
        "/api/v1/creator/payouts/",
        {"bank_account_id": target, "amount": amount},
        format="json",
        HTTP_IDEMPOTENCY_KEY=key,
    )
    assert response.status_code == 400
    through_api = {m for ms in response.json()["errors"].values() for m in ms}
    page = client.post(
        _url(creator.creator.id),
        {"action": "withdraw", "bank_account_id": target, "amount": amount, "idempotency_key": key},
    )
    shown = {str(m) for m in page.context["messages"]}

    assert messages <= through_api and messages <= shown
    assert (Payout.objects.count(), LedgerEntry.objects.count()) == before
