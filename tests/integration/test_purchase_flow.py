"""The thin purchase, end to end through the pages: feed -> product -> cart -> checkout -> order."""

import re

import pytest
from django.urls import reverse

from marketplace.models import Order, OrderLine, OutboxEvent, Variant
from storefront.models import ProductCard
from storefront.services import post_create
from tests.factories import ADDRESS_VALUES, CreatorFactory, UserFactory, VariantFactory

pytestmark = pytest.mark.django_db(databases="__all__")

ADDRESS = ADDRESS_VALUES


def test_a_shopper_goes_from_the_feed_to_a_placed_order(client, relay, rebuild_cards):
    # Given a product of record, its card in the storefront, and a post tagging it
    variant = VariantFactory(price=125_000, stock_on_hand=5)
    product = variant.product
    rebuild_cards()
    creator = CreatorFactory()
    post = post_create(creator=creator, caption="Batik favorit #belilokal", product_ids=[product.id])
    shopper = UserFactory(username="ayu")
    client.force_login(shopper)

    # When the shopper opens the feed, the post and the tagged product
    feed = client.get(reverse("storefront:feed"))
    assert feed.status_code == 200
    product_link = f"/products/{product.id}/?post={post.id}"
    assert product_link in feed.content.decode()

    page = client.get(product_link)
    assert page.status_code == 200
    assert "Rp 125.000" in page.content.decode()

    # ...adds two to the cart and checks out
    added = client.post(reverse("storefront:cart_add"), {"variant_id": variant.id, "quantity": 2})
    assert added.status_code == 302
    cart = client.get(reverse("storefront:cart"))
    assert "Rp 250.000" in cart.content.decode()

    form = client.get(reverse("storefront:checkout"))
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', form.content.decode()).group(1)
    placed = client.post(
        reverse("storefront:checkout"), {**ADDRESS, "payment_method": "virtual_account", "idempotency_key": key}
    )

    # Then the order exists in the marketplace database, with the post as its origin
    order = Order.objects.get(buyer_id=shopper.id)
    # ...and the shopper is sent on to the gateway's page to pay
    assert placed.status_code == 302 and placed.url == f"/gateway/sim/{order.payment.reference}/"
    assert (order.subtotal, order.shipping_fee, order.total, order.status) == (
        250_000,
        15_000,
        265_000,
        "pending_payment",
    )
    assert order.number.startswith("INV/")
    line = OrderLine.objects.get(order=order)
    assert (line.quantity, line.attribution_source, line.post_id, line.creator_id) == (2, "post", post.id, creator.id)
    assert Variant.objects.get(id=variant.id).stock_reserved == 2
    assert client.get(placed.url).status_code == 200
    assert client.get(reverse("storefront:order_detail", args=[order.id])).status_code == 200

    # ...and once the outbox is relayed, the storefront's sold count moved
    assert ProductCard.objects.get(product_id=product.id).sold_count == 0
    assert OutboxEvent.objects.filter(type="marketplace.order.placed").count() == 1
    relay()
    assert ProductCard.objects.get(product_id=product.id).sold_count == 2


def test_a_double_submitted_checkout_places_one_order(client):
    variant = VariantFactory(stock_on_hand=5)
    shopper = UserFactory(username="budi")
    client.force_login(shopper)
    client.post(reverse("storefront:cart_add"), {"variant_id": variant.id, "quantity": 1})
    body = {**ADDRESS, "payment_method": "ewallet", "idempotency_key": "same-key-twice"}

    first = client.post(reverse("storefront:checkout"), body)
    second = client.post(reverse("storefront:checkout"), body)

    assert first.status_code == second.status_code == 302
    assert first.url == second.url
    assert Order.objects.filter(buyer_id=shopper.id).count() == 1


def test_checkout_form_errors_are_shown_and_nothing_is_written(client):
    variant = VariantFactory(stock_on_hand=5)
    client.force_login(UserFactory(username="citra"))
    client.post(reverse("storefront:cart_add"), {"variant_id": variant.id, "quantity": 1})

    response = client.post(
        reverse("storefront:checkout"),
        {**ADDRESS, "postal_code": "abc", "payment_method": "cod", "idempotency_key": "k1"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["postal_code"]
    assert Order.objects.count() == 0


def test_cart_pages_need_a_signed_in_shopper(client):
    response = client.get(reverse("storefront:cart"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
