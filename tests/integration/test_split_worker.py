"""The two sides apart: a marketplace worker that cannot reach the storefront's database still
delivers the storefront's events, through the storefront's own endpoint over real HTTP."""

import pytest
from django.conf import settings
from django.db import transaction
from django.test import override_settings

from config.celery import app as celery_app
from integration import events
from integration.outbox import OutboxStatus
from integration.publish import publish
from marketplace.models import OutboxEvent
from marketplace.selectors import product_card_facts_by_id
from storefront.models import ProductCard
from tests.conftest import on_postgres
from tests.factories import VariantFactory
from tests.integration.processes import database_url, start_worker, stop, wait_for
from tests.postgres import postgres_unavailable

pytestmark = [pytest.mark.worker, pytest.mark.django_db(databases="__all__", transaction=True)]
TOKEN = "storefront-events-token"


@pytest.fixture
def marketplace_worker(live_server):
    """A worker on the marketplace's queue only, whose storefront database does not exist."""
    if not (settings.REDIS_URL and on_postgres()):
        postgres_unavailable("needs PostgreSQL and REDIS_URL (the CI's PostgreSQL run)")
    celery_app.control.purge()
    nowhere = database_url("storefront").rsplit("/", 1)[0] + "/no_storefront_here"
    worker = start_worker(
        queues="marketplace",
        STOREFRONT_DATABASE_URL=nowhere,
        INTEGRATION_EVENT_TRANSPORT="http",
        INTEGRATION_CONTEXT_QUEUES="1",
        STOREFRONT_SERVICE_TOKEN=TOKEN,
        STOREFRONT_EVENTS_URL=f"{live_server.url}/internal/storefront/v1/events/",
    )
    yield worker
    stop(worker)


def test_the_marketplace_worker_hands_the_card_to_the_storefront_over_http(marketplace_worker):
    variant = VariantFactory(price=75_000, stock_on_hand=4)
    tokens = {"marketplace": "", "storefront": TOKEN}
    with override_settings(INTEGRATION_CONTEXT_QUEUES=True, INTEGRATION_SERVICE_TOKENS=tokens):
        with transaction.atomic(using="marketplace"):
            publish(OutboxEvent, events.ProductPublished(product=product_card_facts_by_id(variant.product_id)))

        assert wait_for(lambda: ProductCard.objects.filter(product_id=variant.product_id).exists(), timeout=60)

    card = ProductCard.objects.get(product_id=variant.product_id)
    assert (card.price_min, card.title) == (75_000, variant.product.title)
    assert wait_for(lambda: OutboxEvent.objects.get().status == OutboxStatus.DELIVERED, timeout=10)
    assert marketplace_worker.poll() is None
