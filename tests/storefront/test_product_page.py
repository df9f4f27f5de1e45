"""The product page: gallery from posts, rating and reviews from the marketplace, stock, buy now."""

import pytest
from django.urls import reverse

from marketplace import services
from marketplace.models import CartItem
from storefront.services import post_create
from tests.factories import CreatorFactory, UserFactory, VariantFactory
from tests.marketplace.conftest import place

pytestmark = pytest.mark.django_db(databases="__all__")


@pytest.fixture
def product(rebuild_cards):
    variant = VariantFactory(price=85_000, stock_on_hand=3, product__title="Kopi Gayo")
    rebuild_cards()
    return variant


def test_the_page_shows_reviews_rating_stock_and_the_posts_that_tag_the_product(client, product, rebuild_cards):
    buyer = UserFactory()
    (order,) = place(buyer.id, (product, 1), method="cod")
    services.order_pack(order_id=order.id)
    services.order_ship(order_id=order.id, courier="jne-reg", tracking_number="JNE1")
    services.order_deliver(order_id=order.id)
    services.review_submit(buyer_id=buyer.id, order_line_id=order.lines.get().id, stars=4, text="Harum sekali.")
    rebuild_cards()
    post = post_create(
        creator=CreatorFactory(display_name="Sari"),
        caption="Pagi",
        product_ids=[product.product_id],
        image_url="/p.jpg",
    )

    page = client.get(reverse("storefront:product_detail", args=[product.product_id]))

    body = page.content.decode()
    assert [(r.stars, r.text) for r in page.context["reviews"]] == [(4, "Harum sekali.")]
    assert "4.0 ★ · 1 review" in body
    assert '<span class="stock">In stock</span>' in body
    assert [p.id for p in page.context["gallery"]] == [post.id]
    assert 'alt="Post by Sari"' in body


def test_buy_now_adds_to_the_cart_and_goes_to_checkout(client, product):
    shopper = UserFactory()
    client.force_login(shopper)

    plain = client.post(reverse("storefront:cart_add"), {"variant_id": product.id, "quantity": 1, "buy_now": "1"})
    through_htmx = client.post(
        reverse("storefront:cart_add"),
        {"variant_id": product.id, "quantity": 1, "buy_now": "1"},
        HTTP_HX_REQUEST="true",
    )

    assert plain.url == reverse("storefront:checkout")
    assert through_htmx["HX-Redirect"] == reverse("storefront:checkout")
    assert CartItem.objects.get(cart__buyer_id=shopper.id).quantity == 2
