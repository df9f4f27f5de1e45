"""Query budget of a checkout: a cart from three shops, through the page, across all databases."""

import pytest
from django.urls import reverse

from marketplace.models import Order
from tests.factories import CHECKOUT_ADDRESS, ShopFactory, UserFactory, VariantFactory
from tests.queries import count_queries

pytestmark = pytest.mark.django_db(databases="__all__")

CHECKOUT_BUDGET = 40


def test_checkout_of_a_three_shop_cart_stays_within_its_budget(client, port):
    # Given a shopper whose cart holds two lines from each of three shops
    shopper = UserFactory()
    for _ in range(3):
        shop = ShopFactory()
        for _ in range(2):
            variant = VariantFactory(product__shop=shop, price=50_000, stock_on_hand=5)
            port.add_to_cart(buyer_id=shopper.id, variant_id=variant.id, quantity=2)
    client.force_login(shopper)

    # When the shopper places the checkout
    with count_queries() as queries:
        response = client.post(
            reverse("storefront:checkout"),
            {**CHECKOUT_ADDRESS, "payment_method": "virtual_account", "idempotency_key": "budget-1"},
        )

    # Then one order per shop is placed, within the budget
    assert response.status_code == 302
    assert sorted(Order.objects.filter(buyer_id=shopper.id).values_list("subtotal", flat=True)) == [200_000] * 3
    assert len(queries) <= CHECKOUT_BUDGET, queries
