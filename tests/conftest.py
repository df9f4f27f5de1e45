import pytest
from django.db import connections

from config.celery import app as celery_app
from integration.relay import relay_all_outboxes
from integration.transport import marketplace
from marketplace.couriers import ensure_default_couriers
from marketplace.models import Courier
from storefront.services import product_cards_rebuild

ALL_DATABASES = ["default", "storefront", "marketplace"]


def on_postgres() -> bool:
    return all(connections[alias].vendor == "postgresql" for alias in ALL_DATABASES)


@pytest.fixture(autouse=True)
def _celery_mode(request):
    """Tasks run in-process unless a test asks for the real worker."""
    eager = request.node.get_closest_marker("worker") is None
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = eager
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def port():
    return marketplace()


@pytest.fixture
def relay():
    """Delivers every pending outbox event now; returns how many were delivered."""
    return relay_all_outboxes


@pytest.fixture
def rebuild_cards(port):
    def rebuild():
        return product_cards_rebuild(port=port)

    return rebuild


# --- Marketplace reference data ------------------------------------------------------


@pytest.fixture(autouse=True)
def _couriers(request):
    """The couriers come from a data migration, which a transactional test's flush
    wipes; each database test puts back the missing ones (checkout needs them)."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None:
        return
    databases = marker.kwargs.get("databases", ())
    if databases == "__all__" or "marketplace" in databases:
        request.getfixturevalue("_django_db_helper")
        ensure_default_couriers(Courier, "marketplace")
