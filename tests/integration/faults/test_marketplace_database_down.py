"""The marketplace database refuses connections: discovery still answers from the
storefront's read model, transactions answer 503 with Retry-After, and the
storefront database is left exactly as it was."""

import contextlib

import pytest
from django.apps import apps
from django.db import connections
from django.urls import reverse

from storefront.services import post_create
from tests.conftest import on_postgres
from tests.factories import CreatorFactory, UserFactory, VariantFactory
from tests.integration.processes import free_port
from tests.postgres import postgres_unavailable

NOTICE = "Checkout is briefly unavailable. You can keep browsing"
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(databases="__all__", transaction=True)]


@contextlib.contextmanager
def marketplace_database_refused():
    """Points the marketplace alias at a port nothing listens on (the shared server keeps running)."""
    connection = connections["marketplace"]
    original = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = str(free_port())
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["PORT"] = original


def _storefront_snapshot() -> dict[str, list[tuple]]:
    return {
        model._meta.label: list(model.objects.using("storefront").order_by("pk").values_list())
        for model in apps.get_app_config("storefront").get_models()
    }


def test_discovery_answers_and_transactions_wait_while_the_marketplace_database_is_down(client, rebuild_cards):
    if not on_postgres():
        postgres_unavailable("refuses a real PostgreSQL connection (the CI's PostgreSQL run)")
    # Given products, their cards, posts tagging them, and a shopper with a cart
    variants = [VariantFactory(price=75_000, stock_on_hand=5) for _ in range(3)]
    rebuild_cards()
    creator = CreatorFactory()
    posts = [
        post_create(creator=creator, caption=f"Pilihan {i}", product_ids=[v.product_id]) for i, v in enumerate(variants)
    ]
    shopper = UserFactory(username="dewi")
    client.force_login(shopper)
    client.post(reverse("storefront:cart_add"), {"variant_id": variants[0].id, "quantity": 1})
    before = _storefront_snapshot()
    discovery = [reverse("storefront:feed")]
    discovery += [reverse("storefront:post_detail", args=[p.id]) for p in posts]
    discovery += [reverse("storefront:product_detail", args=[v.product_id]) for v in variants]
    checkout_body = {
        "recipient": "Dewi",
        "phone": "0812 1111 2222",
        "street": "Jl. Gejayan 3",
        "city": "Sleman",
        "province": "DI Yogyakarta",
        "postal_code": "55281",
        "payment_method": "cod",
        "idempotency_key": "during-outage",
    }
    transactions = [
        ("get", reverse("storefront:cart"), None),
        ("post", reverse("storefront:cart_add"), {"variant_id": variants[1].id, "quantity": 1}),
        ("get", reverse("storefront:checkout"), None),
        ("post", reverse("storefront:checkout"), checkout_body),
        ("get", reverse("storefront:order_list"), None),
    ]

    # When the marketplace database refuses connections
    with marketplace_database_refused():
        discovery_statuses = [client.get(url).status_code for url in discovery]
        product_page = client.get(discovery[-1]).content.decode()
        answers = [getattr(client, method)(url, data) for method, url, data in transactions]
        feed_after = client.get(discovery[0])

    # Then discovery answers 200 with a notice, transactions 503 with Retry-After...
    assert discovery_statuses == [200] * 7
    assert "Buying is briefly unavailable" in product_page
    assert (feed_after.status_code, NOTICE in feed_after.content.decode()) == (200, True)
    assert [a.status_code for a in answers] == [503] * 5
    assert [a["Retry-After"] for a in answers] == ["30"] * 5
    # ...the storefront database is unchanged, and the marketplace serves again afterwards
    assert _storefront_snapshot() == before
    assert client.get(reverse("storefront:cart")).status_code == 200
    print(
        f"\nmarketplace database down: {len(discovery) + 2} discovery requests (200), "
        f"{len(answers)} transaction requests (503)"
    )
