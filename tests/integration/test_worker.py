"""With Redis and a real Celery worker process, an order's event reaches the storefront."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections

from config.celery import app as celery_app
from integration import contracts
from storefront.models import ProductCard
from tests.conftest import ALL_DATABASES, on_postgres
from tests.factories import VariantFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(databases="__all__", transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
ENV_BY_ALIAS = {
    "default": "DATABASE_URL",
    "storefront": "STOREFRONT_DATABASE_URL",
    "marketplace": "MARKETPLACE_DATABASE_URL",
}


def _database_url(alias: str) -> str:
    s = connections[alias].settings_dict
    return f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def celery_worker():
    if not (settings.REDIS_URL and on_postgres()):
        pytest.skip("needs PostgreSQL and REDIS_URL (the CI's PostgreSQL run)")
    celery_app.control.purge()
    env = {**os.environ, **{ENV_BY_ALIAS[a]: _database_url(a) for a in ALL_DATABASES}}
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--concurrency=1", "-l", "warning"],
        cwd=ROOT,
        env=env,
    )
    yield worker
    worker.terminate()
    worker.wait(timeout=30)


def _wait_for(predicate, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


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

    assert _wait_for(lambda: ProductCard.objects.get(product_id=variant.product_id).sold_count == 3)
    assert celery_worker.poll() is None  # the worker did it, and is still running
