"""A product reached from a post, a showcase or a campaign carries that origin through
the port's checkout to the marketplace's order line."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from marketplace import services as marketplace_services
from marketplace.models import Order, OrderLine, OutboxEvent, Product
from marketplace.payments import SimulatedGateway
from storefront.models import ProductCard
from storefront.services import origin_from_visit, post_create
from tests.factories import CampaignFactory, CreatorFactory, ShowcaseItemFactory, UserFactory, VariantFactory
from tests.integration.test_purchase_flow import ADDRESS

JAKARTA = ZoneInfo("Asia/Jakarta")
pytestmark = pytest.mark.django_db(databases=["default", "storefront", "marketplace"])


@pytest.fixture
def product(rebuild_cards):
    variant = VariantFactory(price=80_000, stock_on_hand=5)
    rebuild_cards()
    return variant.product


def _buy_from(client, product, query: str) -> OrderLine:
    client.force_login(UserFactory(username="ayu"))
    assert client.get(f"/products/{product.id}/?{query}").status_code == 200
    variant = product.variants.get()
    client.post(reverse("storefront:cart_add"), {"variant_id": variant.id, "quantity": 1})
    placed = client.post(
        reverse("storefront:checkout"), {**ADDRESS, "payment_method": "ewallet", "idempotency_key": "k-attr"}
    )
    assert placed.status_code == 302
    return OrderLine.objects.get(product_id=product.id)


def _origin(line: OrderLine):
    return (line.attribution_source, line.creator_id, line.post_id, line.campaign_id)


def test_a_purchase_from_a_post_carries_the_post_and_its_creator(client, product):
    creator = CreatorFactory()
    post = post_create(creator=creator, caption="Wajib coba", product_ids=[product.id])

    line = _buy_from(client, product, f"post={post.id}")

    assert _origin(line) == ("post", creator.id, post.id, None)


def test_a_purchase_from_a_showcase_carries_the_creator(client, product):
    item = ShowcaseItemFactory(product_id=product.id)

    line = _buy_from(client, product, f"showcase={item.creator_id}")

    assert _origin(line) == ("showcase", item.creator_id, None, None)


def test_a_purchase_from_a_campaign_page_carries_the_campaign(client, product):
    campaign = CampaignFactory(local_business_only=True)  # the factory's shop is a local business
    landing = client.get(reverse("storefront:campaign_detail", args=[campaign.slug]))
    assert f"/products/{product.id}/?campaign={campaign.id}" in landing.content.decode()

    line = _buy_from(client, product, f"campaign={campaign.id}")

    assert _origin(line) == ("campaign", None, None, campaign.id)


def test_an_origin_that_does_not_lead_to_the_product_is_not_remembered(client, product):
    # A post that does not tag it, a creator who does not showcase it, a campaign that ended
    post = post_create(creator=CreatorFactory(), caption="Lain", product_ids=[])
    ended = CampaignFactory(
        starts_at=datetime(2020, 1, 1, tzinfo=JAKARTA), ends_at=datetime(2020, 2, 1, tzinfo=JAKARTA)
    )
    stranger = CreatorFactory()

    line = _buy_from(client, product, f"post={post.id}&showcase={stranger.id}&campaign={ended.id}")

    assert _origin(line) == ("", None, None, None)


def test_the_first_matching_origin_wins_in_the_order_post_showcase_campaign(product):
    creator = CreatorFactory()
    post = post_create(creator=creator, caption="Dua jalan", product_ids=[product.id])
    ShowcaseItemFactory(creator=creator, product_id=product.id)

    origin = origin_from_visit(product_id=product.id, post_id=post.id, creator_id=creator.id)

    assert (origin.source, origin.creator_id, origin.post_id, origin.campaign_id) == ("post", creator.id, post.id, None)


def _complete(line: OrderLine) -> Order:
    """Pays, ships, delivers and completes the line's order in the marketplace."""
    order = Order.objects.get(id=line.order_id)
    gateway = SimulatedGateway()
    body = gateway.notification_body(reference=order.payment.reference, amount=order.payment.amount)
    marketplace_services.payment_notification_receive(body=body, signature=gateway.sign(body))
    marketplace_services.order_pack(order_id=order.id)
    marketplace_services.order_ship(order_id=order.id, courier="jne-reg", tracking_number="JNE1")
    marketplace_services.order_deliver(order_id=order.id)
    marketplace_services.order_complete(order_id=order.id)
    return order


def test_a_sale_through_a_post_lands_in_the_creators_statistics_once_completed(client, product, relay):
    # Given a shopper who bought from a post (commission 5%: the product factory's rate)
    creator = CreatorFactory()
    post = post_create(creator=creator, caption="Wajib coba", product_ids=[product.id])
    line = _buy_from(client, product, f"post={post.id}")

    # When the order is paid, shipped, delivered and completed in the marketplace
    _complete(line)
    relay()

    # Then the storefront's projection followed the marketplace's events
    creator.refresh_from_db()
    post.refresh_from_db()
    assert (creator.attributed_orders, creator.attributed_sales, creator.commission_earned) == (1, 80_000, 4_000)
    assert post.sale_count == 1
    assert ProductCard.objects.get(product_id=product.id).sold_count == 1


def test_refunding_a_sale_through_a_post_takes_back_its_statistics_and_sold_count(client, product, relay):
    # Given a sale through a post, paid, delivered and completed, and its events relayed
    creator = CreatorFactory()
    post = post_create(creator=creator, caption="Wajib coba", product_ids=[product.id])
    line = _buy_from(client, product, f"post={post.id}")
    order = _complete(line)
    relay()

    # When the seller refunds it, and the events are relayed (twice: a redelivery changes nothing)
    marketplace_services.order_refund(order_id=order.id, reason="barang rusak")
    relay()
    OutboxEvent.objects.update(status="pending")
    relay()

    # Then every figure the sale added is back where it was, on both sides
    creator.refresh_from_db()
    post.refresh_from_db()
    assert (creator.attributed_orders, creator.attributed_sales, creator.commission_earned) == (0, 0, 0)
    assert post.sale_count == 0
    assert Product.objects.get(id=product.id).sold_count == 0
    assert ProductCard.objects.get(product_id=product.id).sold_count == 0
