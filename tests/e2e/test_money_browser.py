"""A seller's money in a real browser: an order's money pending, then available when the order
completes; a withdrawal in flight, then sent when the disbursement gateway's signed callback arrives."""

import httpx
import pytest
from django.apps import apps
from django.contrib.auth.models import Group

from config.roles import SELLERS, roles_sync
from marketplace.disbursements import SimulatedDisbursements
from marketplace.models import Payout, PayoutStatus
from tests.factories import ProductFactory, ShopFactory, UserFactory, VariantFactory
from tests.marketplace.conftest import place
from tests.marketplace.test_ledger import _complete
from tests.marketplace.test_reversals import _pay

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, databases="__all__")]
PASSWORD = "jalin-test-pw"


def _text(page, selector: str) -> str:
    return page.locator(selector).inner_text().strip()


def test_a_seller_watches_an_orders_money_become_available_and_withdraws_it(page_at, live_server, settings):
    # Given a seller whose shop sold Rp 150.000 of goods, paid but not completed
    settings.DISBURSEMENT_SIMULATOR_ENABLED = True
    settings.DISBURSEMENT_SIM_BY_CALLBACK = True  # the bank answers later, by callback
    settings.PAYOUT_MINIMUM = 10_000
    settings.PLATFORM_FEE_FIXED, settings.PLATFORM_FEE_BP, settings.PLATFORM_FEE_VAT_BP = 1250, 100, 1100
    roles_sync(apps, using="default")
    seller = UserFactory(username="penjual", is_staff=True)  # password: PASSWORD
    seller.groups.add(Group.objects.get(name=SELLERS))
    shop = ShopFactory(owner_user_id=seller.pk, name="Batik Sekar", slug="batik-sekar")
    variant = VariantFactory(product=ProductFactory(shop=shop, commission_bp=0), price=150_000, stock_on_hand=5)
    (order,) = place(901, (variant, 1))
    _pay(order)

    page, shot = page_at("desktop")
    page.goto("/admin/login/?next=/admin/")
    page.fill("#id_username", "penjual")
    page.fill("#id_password", PASSWORD)
    page.locator("#login-form [type=submit]").click()
    page.wait_for_selector("#seller-dashboard")
    page.locator("#shop-money a", has_text="Batik Sekar").click()
    page.wait_for_selector("#balance")
    shot("pending")
    # Then the order's money is pending, nothing is available yet
    assert _text(page, "#balance-pending") == "Rp 150.000"
    assert _text(page, "#balance-available") == "Rp 0"

    # When the order completes: fee 1.250 + 1 % of 150.000 = 2.750, VAT 11 % = 302
    _complete(order)
    page.reload()
    shot("available")
    assert _text(page, "#balance-pending") == "Rp 0"
    assert _text(page, "#balance-available") == "Rp 146.948"

    # ...they register a bank account, which the bank's inquiry confirms
    page.select_option("#id_bank_code", "bca")
    page.fill("#id_number", "1234567890")
    page.locator("input[name=register]").click()
    page.wait_for_selector(".messagelist .success")
    assert "SIM 7890" in _text(page, "#bank-accounts")

    # ...and withdraw Rp 100.000
    page.fill("#id_amount", "100000")
    shot("withdraw-form")
    page.locator("input[name=withdraw]").click()
    page.wait_for_selector(".messagelist .success")
    shot("in-flight")
    assert _text(page, "#balance-available") == "Rp 46.948"
    assert _text(page, "#balance-in-flight") == "Rp 100.000"
    payout = Payout.objects.get()
    assert payout.status == PayoutStatus.REQUESTED

    # When the disbursement gateway's signed callback says the money was sent
    sim = SimulatedDisbursements()
    body = sim.notification_body(reference=payout.reference, amount=100_000, status="succeeded")
    answer = httpx.post(
        f"{live_server.url}/gateway/sim/payouts/callback/",
        content=body,
        headers={"X-Sim-Signature": sim.sign(body), "Content-Type": "application/json"},
    )
    assert answer.json() == {"outcome": "accepted"}

    # Then the balance shows it gone, and the statement tells the whole story
    page.reload()
    shot("sent")
    assert _text(page, "#balance-in-flight") == "Rp 0"
    assert _text(page, "#balance-available") == "Rp 46.948"
    assert page.locator("#payouts .payout-status").get_attribute("data-status") == "succeeded"
    assert _text(page, "#statement-closing") == "Rp 46.948"
