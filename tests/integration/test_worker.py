"""With Redis and a real Celery worker process, an order's event reaches the storefront."""

import pytest
from django.conf import settings

from config.celery import app as celery_app
from integration import contracts
from storefront.models import ProductCard
from tests.conftest import on_postgres
from tests.factories import VariantFactory
from tests.integration.processes import start_worker, stop, wait_for
from tests.postgres import postgres_unavailable

pytestmark = [pytest.mark.worker, pytest.mark.django_db(databases="__all__", transaction=True)]


@pytest.fixture
def celery_worker():
    if not (settings.REDIS_URL and on_postgres()):
        postgres_unavailable("needs PostgreSQL and REDIS_URL (the CI's PostgreSQL run)")
    celery_app.control.purge()
    worker = start_worker()
    yield worker
    stop(worker)


def test_an_order_event_reaches_the_storefront_through_the_worker(celery_worker, port, rebuild_cards):
    variant = VariantFactory(stock_on_hand=5)
    rebuild_cards()
    port.add_to_cart(buyer_id=42, variant_id=variant.id, quantity=3)

    port.checkout(
        contracts.CheckoutCommand(
            buyer_id=42,
            address=contracts.Address("Ayu", "0812345678", "Jl. Kaliurang 5", "Sleman", "DI Yogyakarta", "55281"),
            payment_method="virtual_account",
            idempotency_key="worker-test",
        )
    )

    assert wait_for(lambda: ProductCard.objects.get(product_id=variant.product_id).sold_count == 3)
    assert celery_worker.poll() is None  # the worker did it, and is still running
