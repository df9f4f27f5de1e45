"""The same checkout sent several times at once, as a client retrying on a flaky network does."""

import threading

import pytest
from django.db import connections

from marketplace.models import Order, Variant
from tests.api.conftest import ADDRESS, client_for
from tests.conftest import on_postgres
from tests.postgres import postgres_unavailable

CALLERS = 4


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, databases=["default", "storefront", "marketplace"])
def test_concurrent_repeats_of_one_checkout_order_once(world):
    if not on_postgres():
        postgres_unavailable("needs PostgreSQL: SQLite serialises every writer")
    # Given a cart with two items
    client_for(world.shopper).post(
        "/api/v1/cart/items/", {"variant_id": world.variant.id, "quantity": 2}, format="json"
    )
    body = {"address": ADDRESS, "payment_method": "virtual_account"}
    barrier = threading.Barrier(CALLERS)
    answers = []

    def call():
        client = client_for(world.shopper)
        barrier.wait()
        response = client.post("/api/v1/checkout/", body, format="json", HTTP_IDEMPOTENCY_KEY="flaky-1")
        answers.append((response.status_code, response.json()))
        connections.close_all()

    # When four copies of the call arrive together
    threads = [threading.Thread(target=call) for _ in range(CALLERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    # Then one order is placed; every other copy is told to wait or gets the same answer
    assert Order.objects.count() == 1
    assert Variant.objects.get(id=world.variant.id).stock_reserved == 2
    statuses = sorted(status for status, _ in answers)
    assert len(statuses) == CALLERS and set(statuses) <= {201, 409} and 201 in statuses
    placed = [answer for status, answer in answers if status == 201]
    assert all(answer == placed[0] for answer in placed)
    waiting = [answer for status, answer in answers if status == 409]
    assert all(answer["type"] == "/api/problems/idempotency_key_in_flight/" for answer in waiting)
