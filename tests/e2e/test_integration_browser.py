"""The admin's integration page in a real browser: an operator follows a purchase and replays a
dead letter, at phone and desktop widths."""

import pytest
from django.db import transaction

from integration import contracts, correlation, events
from integration.outbox import OutboxStatus
from integration.publish import publish
from integration.relay import relay_all_outboxes
from integration.transport import marketplace
from marketplace.models import OutboxEvent
from tests.e2e.test_admin_browser import _sign_in
from tests.factories import UserFactory, VariantFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, databases="__all__")]
ADDRESS = contracts.Address("Ayu", "0812345678", "Jl. Kaliurang 5", "Sleman", "DI Yogyakarta", "55281")


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_an_operator_follows_a_purchase_and_replays_a_dead_letter(page_at, viewport):
    # Given a purchase, relayed, and a dead-lettered event
    UserFactory(username="operator", is_staff=True, is_superuser=True)  # password: jalin-test-pw
    port = marketplace()
    variant = VariantFactory(stock_on_hand=3)
    with correlation.bound("req-e2e-purchase"):
        port.add_to_cart(buyer_id=7, variant_id=variant.id, quantity=1)
        (order,) = port.checkout(
            contracts.CheckoutCommand(buyer_id=7, address=ADDRESS, payment_method="cod", idempotency_key="e2e")
        ).orders
    relay_all_outboxes()
    with transaction.atomic(using="marketplace"):
        publish(OutboxEvent, events.ProductUnpublished(product_id=variant.product_id))
    OutboxEvent.objects.filter(id=OutboxEvent.objects.latest("id").id).update(
        status=OutboxStatus.DEAD, attempts=8, last_error="RuntimeError('search index down')"
    )

    # When the operator opens the page from the admin's index
    page, shot = page_at(viewport)
    _sign_in(page, "operator")
    page.click("#integration-link a")
    page.wait_for_selector("#purchases")
    shot("integration")

    # Then the purchase shows its order and its handled events, and the dead letter its error
    purchase = page.locator("#purchases .purchase").first
    assert "req-e2e-purchase" in purchase.inner_text() and order.number in purchase.inner_text()
    assert purchase.locator(".handler-handled").count() > 0
    assert "search index down" in page.locator(".dead-letter").inner_text()

    # When they replay it
    page.click("text=Kirim ulang event yang dipilih")
    page.wait_for_selector(".messagelist")
    shot("replayed")

    # Then it is pending again (and, in process, delivered at once)
    assert OutboxEvent.objects.filter(status=OutboxStatus.DEAD).count() == 0
