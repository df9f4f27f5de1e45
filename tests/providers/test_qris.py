"""QRIS as a payment method: offered by the checkout page and the API, opened on Midtrans
with `other_qris` only."""

import pytest
from django.urls import reverse

from marketplace.models import Payment
from tests.api.conftest import client_for
from tests.factories import ADDRESS_VALUES, UserFactory, VariantFactory

pytestmark = pytest.mark.django_db(databases="__all__")


def test_the_checkout_page_offers_qris_and_opens_a_qris_only_snap_page(midtrans, client):
    shopper = UserFactory(username="qori")
    client.force_login(shopper)
    variant = VariantFactory(price=100_000, stock_on_hand=5)
    client.post(reverse("storefront:cart_add"), {"variant_id": variant.id, "quantity": 1})

    page = client.get(reverse("storefront:checkout")).content.decode()
    placed = client.post(
        reverse("storefront:checkout"), {**ADDRESS_VALUES, "payment_method": "qris", "idempotency_key": "k-qris"}
    )

    assert 'value="qris"' in page and "QRIS" in page
    payment = Payment.objects.get()
    assert (payment.method, placed.status_code, placed.url) == ("qris", 302, payment.pay_url)
    assert placed.url.startswith(f"{midtrans.url}/snap/v4/redirection/")
    assert midtrans.requests[-1][2]["enabled_payments"] == ["other_qris"]


@pytest.mark.parametrize(("method", "status"), [("qris", 201), ("bitcoin", 400)])
def test_the_api_takes_qris_and_still_refuses_an_unknown_method(midtrans, method, status):
    api = client_for(UserFactory(username=f"api-{method}"))
    variant = VariantFactory(price=100_000, stock_on_hand=5)
    api.post("/api/v1/cart/items/", {"variant_id": variant.id, "quantity": 1}, format="json")

    response = api.post(
        "/api/v1/checkout/",
        {"address": ADDRESS_VALUES, "payment_method": method},
        format="json",
        HTTP_IDEMPOTENCY_KEY=f"k-{method}",
    )

    assert response.status_code == status, response.content
    if status == 201:
        assert Payment.objects.get().method == "qris"
        assert response.json()["payment"]["pay_url"].startswith(midtrans.url)
    else:
        assert "payment_method" in str(response.json())
        assert Payment.objects.count() == 0
