"""The storefront deployed apart, with the marketplace's HTTP endpoint down: discovery
pages answer 200, transaction pages 503 with Retry-After, the storefront database unchanged."""

import pytest
from django.test import override_settings
from django.urls import reverse

from storefront.services import post_create
from tests.factories import CreatorFactory, UserFactory, VariantFactory
from tests.integration.faults.test_marketplace_database_down import NOTICE, _storefront_snapshot
from tests.integration.processes import free_port

pytestmark = pytest.mark.django_db(databases="__all__")


def test_pages_degrade_when_the_marketplace_endpoint_refuses_connections(client, rebuild_cards):
    variant = VariantFactory(stock_on_hand=3)
    rebuild_cards()
    post = post_create(creator=CreatorFactory(), caption="Tenun ikat", product_ids=[variant.product_id])
    client.force_login(UserFactory(username="hana"))
    before = _storefront_snapshot()
    closed = f"http://127.0.0.1:{free_port()}/internal/marketplace/v1/"

    with override_settings(INTEGRATION_TRANSPORT="http", MARKETPLACE_API_URL=closed, MARKETPLACE_API_RETRIES=1):
        discovery = [
            client.get(url)
            for url in (
                reverse("storefront:feed"),
                reverse("storefront:post_detail", args=[post.id]),
                reverse("storefront:product_detail", args=[variant.product_id]),
            )
        ]
        transactions = [
            client.get(reverse("storefront:cart")),
            client.post(reverse("storefront:cart_add"), {"variant_id": variant.id, "quantity": 1}),
            client.get(reverse("storefront:checkout")),
            client.get(reverse("storefront:order_list")),
        ]
        feed_after = client.get(reverse("storefront:feed"))

    assert [r.status_code for r in discovery] == [200, 200, 200]
    assert "Buying is briefly unavailable" in discovery[2].content.decode()
    assert NOTICE not in discovery[0].content.decode()  # nothing had failed yet
    assert (feed_after.status_code, NOTICE in feed_after.content.decode()) == (200, True)
    assert [(r.status_code, r["Retry-After"]) for r in transactions] == [(503, "30")] * 4
    assert _storefront_snapshot() == before
