"""Reviews of delivered order lines and the sellers' replies."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from integration import contracts, events
from integration.publish import publish

from .. import selectors
from ..models import (
    OrderLine,
    OrderStatus,
    OutboxEvent,
    Product,
    ProductStatus,
    Review,
    Shop,
)
from ._common import ALIAS, _invalid, _owned
from .catalogue import product_publish_card


def review_submit(*, buyer_id: int, order_line_id: int, stars: int, text: str) -> Review:
    if isinstance(stars, bool) or not isinstance(stars, int) or not 1 <= stars <= 5:
        raise _invalid("stars", _("Give one to five stars."))
    text = (text or "").strip()
    if len(text) > 2000:
        raise _invalid("text", _("Keep the review under 2000 characters."))
    with transaction.atomic(using=ALIAS):
        line = (
            OrderLine.objects.using(ALIAS)
            .select_related("order")
            .filter(id=order_line_id, order__buyer_id=buyer_id)
            .first()
        )
        if line is None:
            raise contracts.NotFound(_("Order line not found."))
        if line.order.status not in (OrderStatus.DELIVERED, OrderStatus.COMPLETED):
            raise _invalid("order_line_id", _("You can review an item once it has been delivered."))
        # Lock the product, then the shop: the aggregates are recomputed under the locks.
        product = Product.objects.using(ALIAS).select_for_update().get(id=line.product_id)
        shop = Shop.objects.using(ALIAS).select_for_update().get(id=line.order.shop_id)
        if Review.objects.using(ALIAS).filter(order_line=line).exists():
            raise contracts.Conflict(
                _("You have already reviewed this item."),
                code="already_reviewed",
                fields={"order_line_id": [_("Already reviewed.")]},
            )
        review = Review.objects.using(ALIAS).create(
            order_line=line, product=product, shop=shop, buyer_id=buyer_id, stars=stars, text=text
        )
        product.rating, product.review_count = selectors.rating_of(Review.objects.using(ALIAS).filter(product=product))
        product.save(using=ALIAS, update_fields=["rating", "review_count", "updated_at"])
        shop.rating, shop.review_count = selectors.rating_of(Review.objects.using(ALIAS).filter(shop=shop))
        shop.save(using=ALIAS, update_fields=["rating", "review_count"])
        publish(
            OutboxEvent,
            events.ReviewPosted(
                review_id=review.id,
                product_id=product.id,
                shop_id=shop.id,
                stars=stars,
                product_rating=product.rating,
                product_review_count=product.review_count,
                shop_rating=shop.rating,
                shop_review_count=shop.review_count,
            ),
        )
        product_publish_card(product_id=product.id, was_active=product.status == ProductStatus.ACTIVE)
    return review


def review_reply(*, review_id: int, reply: str, owner_user_id: int | None = None) -> Review:
    reply = (reply or "").strip()
    if not reply or len(reply) > 2000:
        raise _invalid("reply", _("Write a reply of at most 2000 characters."))
    with transaction.atomic(using=ALIAS):
        reviews = Review.objects.using(ALIAS).select_for_update().filter(id=review_id)
        review = _owned(reviews, owner_user_id, "shop__owner_user_id", _("Review not found."))
        review.seller_reply = reply
        review.save(using=ALIAS, update_fields=["seller_reply"])
    return review
