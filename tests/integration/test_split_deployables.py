"""The two deployables apart, as two teams would run them: a storefront (web + worker) whose
marketplace database does not exist for it, and a marketplace (web + worker) whose storefront
database does not exist for it, each with its own Redis database. Only identity (users and
tokens, the `default` database) is shared. A purchase goes from the feed to a completed order
over real HTTP, and the storefront's card and the creator's statistics follow it."""

import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from django.conf import settings
from django.db import connections, transaction
from rest_framework.authtoken.models import Token

from config.celery import app as celery_app
from integration import events
from integration.outbox import OutboxStatus
from integration.publish import publish
from marketplace import services as mp
from marketplace.models import Order, OutboxEvent, ProductStatus
from marketplace.payments import SimulatedGateway
from marketplace.selectors import product_card_facts_by_id
from storefront.models import Creator, ProductCard
from storefront.services import post_create
from tests.conftest import on_postgres
from tests.factories import ADDRESS_VALUES, CreatorFactory, ShopFactory, UserFactory, VariantFactory
from tests.integration.faults.test_worker_killed import _handled, _placed
from tests.integration.processes import database_url, free_port, start_server, start_worker, stop, wait_for
from tests.postgres import postgres_unavailable

pytestmark = [pytest.mark.worker, pytest.mark.django_db(databases="__all__", transaction=True)]
MARKETPLACE_TOKEN, STOREFRONT_TOKEN = "marketplace-side-token", "storefront-side-token"


@dataclass
class Split:
    storefront: str  # base URLs
    marketplace: str
    processes: dict[str, subprocess.Popen]
    storefront_env: dict[str, str]
    marketplace_env: dict[str, str]
    beat_schedule: Path

    def restart_storefront_web(self) -> None:
        port = self.storefront.rsplit(":", 1)[1]
        self.processes["storefront web"] = start_server(PORT=port, **self.storefront_env)[0]


def _missing(alias: str) -> str:
    return database_url(alias).rsplit("/", 1)[0] + f"/no_{alias}_here"


def _own_redis_database(url: str) -> str:
    base, _, number = url.rpartition("/")
    return f"{base}/{(int(number or 0) + 1) % 16}"


@pytest.fixture
def marketplace_redis_url() -> str:
    """The marketplace side's Redis (broker and cache); the storefront side has its own."""
    return settings.REDIS_URL


@pytest.fixture
def split(tmp_path, marketplace_redis_url):
    if not (settings.REDIS_URL and on_postgres()):
        postgres_unavailable("needs PostgreSQL and REDIS_URL (the CI's PostgreSQL run)")
    storefront_redis = _own_redis_database(settings.REDIS_URL)
    celery_app.control.purge()
    storefront_port, marketplace_port = free_port(), free_port()
    storefront, marketplace = f"http://127.0.0.1:{storefront_port}", f"http://127.0.0.1:{marketplace_port}"
    both = {
        "INTEGRATION_EVENT_TRANSPORT": "http",
        "MARKETPLACE_SERVICE_TOKEN": MARKETPLACE_TOKEN,
        "STOREFRONT_SERVICE_TOKEN": STOREFRONT_TOKEN,
    }
    marketplace_side = {
        **both,
        "JALIN_CONTEXTS": "marketplace",
        "PAYMENT_SIMULATOR_URL": marketplace,
        "STOREFRONT_DATABASE_URL": _missing("storefront"),
        "INTEGRATION_TRANSPORT": "inprocess",  # it serves the port
        "STOREFRONT_EVENTS_URL": f"{storefront}/internal/storefront/v1/events/",
        "REDIS_URL": marketplace_redis_url,
        "INTEGRATION_SWEEP_SECONDS": "1",  # the beat's retry of what failed to cross
    }
    storefront_side = {
        **both,
        "JALIN_CONTEXTS": "storefront",
        "MARKETPLACE_DATABASE_URL": _missing("marketplace"),
        "INTEGRATION_TRANSPORT": "http",
        "MARKETPLACE_API_URL": f"{marketplace}/internal/marketplace/v1/",
        "MARKETPLACE_EVENTS_URL": f"{marketplace}/internal/marketplace/v1/events/",
        "REDIS_URL": storefront_redis,
    }
    processes = {
        "marketplace web": start_server(PORT=str(marketplace_port), **marketplace_side)[0],
        "storefront web": start_server(PORT=str(storefront_port), **storefront_side)[0],
        "marketplace worker": start_worker(beat_schedule=tmp_path / "beat", **marketplace_side),
        "storefront worker": start_worker(**storefront_side),
    }
    yield Split(storefront, marketplace, processes, storefront_side, marketplace_side, tmp_path / "beat")
    for process in processes.values():
        stop(process)


def _as(user) -> dict[str, str]:
    return {"Authorization": f"Token {Token.objects.get_or_create(user=user)[0].key}"}


def test_a_purchase_from_the_feed_to_a_completed_order_across_two_deployables(split):
    seller, shopper, creator_user = UserFactory(), UserFactory(), UserFactory()
    shop = ShopFactory(owner_user_id=seller.id)
    variant = VariantFactory(
        product__shop=shop,
        product__status=ProductStatus.DRAFT,
        product__commission_bp=500,
        price=100_000,
        stock_on_hand=3,
    )
    product_id = variant.product_id
    # The seller publishes the product on the marketplace's side; its card reaches the storefront.
    published = httpx.post(
        f"{split.marketplace}/api/v1/seller/products/{product_id}/status/",
        json={"status": "active"},
        headers=_as(seller),
        timeout=10,
    )
    assert published.status_code == 200, published.text
    assert wait_for(lambda: ProductCard.objects.filter(product_id=product_id).exists(), timeout=60)
    creator = CreatorFactory(user_id=creator_user.id)
    post = post_create(creator=creator, caption="Batik #belilokal", product_ids=[product_id])

    # The shopper, on the storefront only: the feed, the product, the cart, the checkout.
    shopper_headers = _as(shopper)
    storefront = httpx.Client(base_url=split.storefront, headers=shopper_headers, timeout=20)
    assert post.id in [item["id"] for item in storefront.get("/api/v1/feed/").json()["results"]]
    assert storefront.get(f"/api/v1/products/{product_id}/").json()["variants"][0]["stock_available"] == 3
    added = storefront.post("/api/v1/cart/items/", json={"variant_id": variant.id, "quantity": 1})
    assert added.status_code == 201, added.text
    body = {
        "address": ADDRESS_VALUES,
        "payment_method": "virtual_account",
        "attributions": [{"product_id": product_id, "source": "post", "post_id": post.id}],
    }
    placed = storefront.post("/api/v1/checkout/", json=body, headers={"Idempotency-Key": "split-1"})
    assert placed.status_code == 201, placed.text
    order_id = placed.json()["orders"][0]["id"]
    pay = storefront.post(f"/api/v1/orders/{order_id}/pay/").json()

    # The gateway notifies the marketplace; the seller packs and ships there.
    gateway = SimulatedGateway()
    assert pay["pay_url"].startswith(f"{split.marketplace}/gateway/sim/")  # the gateway's own host
    reference = pay["pay_url"].rstrip("/").rsplit("/", 1)[1]
    notification = gateway.notification_body(reference=reference, amount=pay["amount"])
    paid = httpx.post(
        f"{split.marketplace}/gateway/sim/callback/",
        content=notification,
        headers={"X-Sim-Signature": gateway.sign(notification), "Content-Type": "application/json"},
        timeout=10,
    )
    assert paid.status_code == 200, paid.text
    seller_api = httpx.Client(base_url=f"{split.marketplace}/api/v1/seller/orders/{order_id}", headers=_as(seller))
    assert seller_api.post("/pack/").status_code == 200
    shipped = seller_api.post("/ship/", json={"courier": "jne-reg", "tracking_number": "JNE-SPLIT"})
    assert shipped.status_code == 200, shipped.text

    # The shopper confirms delivery on the storefront; the completion deadline fires.
    confirmed = storefront.post(f"/api/v1/orders/{order_id}/confirm-delivery/")
    assert (confirmed.status_code, confirmed.json()["status"]) == (200, "delivered")
    mp.order_complete(order_id=order_id)  # as the beat task does; its relay goes to the marketplace's Redis

    # Then the storefront's card and the creator's statistics follow, by events over HTTP only.
    def followed() -> bool:
        card = ProductCard.objects.get(product_id=product_id)
        stats = Creator.objects.get(id=creator.id)
        return (card.sold_count, stats.attributed_orders, stats.commission_earned) == (1, 1, 5_000)

    assert wait_for(followed, timeout=60), list(OutboxEvent.objects.values_list("type", "status", "last_error"))
    assert Order.objects.get(id=order_id).status == "completed"
    assert wait_for(lambda: not OutboxEvent.objects.exclude(status=OutboxStatus.DELIVERED).exists(), timeout=30)
    assert [process.poll() for process in split.processes.values()] == [None] * 4
    # Each deployable answers for its own context only, and is ready on its own databases.
    assert httpx.get(f"{split.storefront}/api/v1/seller/orders/", headers=_as(seller)).status_code == 404
    assert httpx.get(f"{split.marketplace}/api/v1/feed/").status_code == 404
    for side in (split.storefront, split.marketplace):
        assert httpx.get(f"{side}/readyz", timeout=10).json()["failed"] == []


def test_events_wait_while_the_storefront_is_down_and_cross_when_it_is_back(split):
    seller = UserFactory()
    variant = VariantFactory(product__shop=ShopFactory(owner_user_id=seller.id), product__status=ProductStatus.DRAFT)
    stop(split.processes["storefront web"])

    published = httpx.post(
        f"{split.marketplace}/api/v1/seller/products/{variant.product_id}/status/",
        json={"status": "active"},
        headers=_as(seller),
        timeout=10,
    )

    # The sale goes on; the event waits, failed for the reason it could not cross.
    assert published.status_code == 200, published.text
    assert wait_for(lambda: OutboxEvent.objects.filter(attempts__gte=1).exists(), timeout=30)
    row = OutboxEvent.objects.get()
    assert (row.status, "unreachable" in row.last_error) == (OutboxStatus.PENDING, True)
    assert not ProductCard.objects.filter(product_id=variant.product_id).exists()

    split.restart_storefront_web()

    assert wait_for(lambda: ProductCard.objects.filter(product_id=variant.product_id).exists(), timeout=60)
    assert wait_for(lambda: OutboxEvent.objects.get().status == OutboxStatus.DELIVERED, timeout=10)


def test_a_marketplace_worker_killed_mid_batch_delivers_every_event_once_over_http(split):
    """The worker-killed fault, apart: the storefront handled a batch over HTTP, the
    marketplace had not yet marked it delivered; after a restart each event counts once."""
    count, batch = 300, 50
    product = VariantFactory(price=10_000).product
    card_published = events.ProductPublished(product=product_card_facts_by_id(product.id))
    with transaction.atomic(using="marketplace"):
        publish(OutboxEvent, card_published)
    assert wait_for(lambda: ProductCard.objects.filter(product_id=product.id).exists(), timeout=60)
    stop(split.processes.pop("marketplace worker"))

    with transaction.atomic(using="marketplace"):
        for number in range(1, count + 1):
            publish(OutboxEvent, _placed(product, number))
    sold = OutboxEvent.objects.filter(type="marketplace.order.placed")
    worker = start_worker(INTEGRATION_RELAY_BATCH_SIZE=str(batch), **split.marketplace_env)
    try:
        assert wait_for(lambda: _handled() >= 2 * batch, timeout=60, interval=0.01)
        # A SHARE lock lets the relay claim rows and hand them over, and holds back its UPDATE.
        with transaction.atomic(using="marketplace"), connections["marketplace"].cursor() as cursor:
            cursor.execute(f"LOCK TABLE {OutboxEvent._meta.db_table} IN SHARE MODE")
            assert wait_for(lambda: _handled() > sold.filter(status=OutboxStatus.DELIVERED).count(), timeout=60)
            stop(worker, signal.SIGKILL)
            handled_at_kill, delivered_at_kill = _handled(), sold.filter(status=OutboxStatus.DELIVERED).count()
    finally:
        stop(worker, signal.SIGKILL)
    assert 0 < delivered_at_kill < handled_at_kill < count

    split.processes["marketplace worker"] = start_worker(
        beat_schedule=split.beat_schedule, INTEGRATION_RELAY_BATCH_SIZE=str(batch), **split.marketplace_env
    )
    assert wait_for(lambda: sold.filter(status=OutboxStatus.DELIVERED).count() == count, timeout=120)
    assert _handled() == count
    assert ProductCard.objects.get(product_id=product.id).sold_count == count
