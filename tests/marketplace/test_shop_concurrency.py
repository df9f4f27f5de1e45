"""Opening shops at once: the per-user limit holds under a race (PostgreSQL only)."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections

from integration import contracts
from marketplace import services
from marketplace.models import Shop
from tests.conftest import on_postgres
from tests.postgres import postgres_unavailable

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(databases=["default", "marketplace"], transaction=True),
]
OWNER = 8_001


@pytest.fixture(autouse=True)
def _postgres_only(monkeypatch):
    if not on_postgres():
        postgres_unavailable("needs PostgreSQL: SQLite serialises every writer, so there is no race to prove")
    monkeypatch.setattr("integration.publish.enqueue_relay", lambda label: None)


def _open(n: int):
    return services.shop_open(
        owner_user_id=OWNER,
        name=f"Toko {n}",
        slug=f"toko-balapan-{n}",
        city="Solo",
        province="Jawa Tengah",
        pickup_address="Jl. Slamet Riyadi 1",
        phone="0812 1111 2222",
    )


def test_twelve_openings_at_once_stop_at_the_limit(settings):
    settings.SHOPS_PER_USER_MAX = 3
    start = threading.Event()

    def run(n):
        start.wait()
        try:
            _open(n)
            return "ok"
        except contracts.InvalidRequest as error:
            return next(iter(error.fields))
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=12) as pool:
        futures = [pool.submit(run, n) for n in range(12)]
        start.set()
        outcomes = sorted(f.result() for f in futures)

    assert outcomes == ["non_field_errors"] * 9 + ["ok"] * 3
    assert Shop.objects.filter(owner_user_id=OWNER).count() == 3
