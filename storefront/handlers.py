"""Handlers of marketplace events. Each runs inside a storefront transaction that
also records the event in the inbox, so a redelivered event changes nothing.

Rule for unknown products: a product event (published/updated) creates the card,
since it carries the whole summary; every other event only moves counters of
cards that exist and ignores the rest, because the card, when it arrives, carries
the marketplace's own totals. No handler raises for an unknown id, so no event
loops in retries.
"""

from collections import defaultdict
from dataclasses import asdict

from django.db.models import F, Value
from django.db.models.functions import Greatest

from integration import events

from . import ranking
from .models import Campaign, Creator, Post, ProductCard

ALIAS = "storefront"
CARD_FIELDS = [f.name for f in ProductCard._meta.fields if f.name not in ("product_id", "is_visible", "updated_at")]


def card_values(summary) -> dict:
    values = asdict(summary)
    return {name: values[name] for name in CARD_FIELDS}


def on_product_changed(event: events.ProductPublished | events.ProductUpdated) -> None:
    """Creates or refreshes the card: an update for an unknown product creates it."""
    summary = event.product
    ProductCard.objects.using(ALIAS).update_or_create(
        product_id=summary.product_id,
        defaults={**card_values(summary), "is_visible": summary.status == "active"},
    )


def on_product_unpublished(event: events.ProductUnpublished) -> None:
    ProductCard.objects.using(ALIAS).filter(product_id=event.product_id).update(is_visible=False)


def on_stock_changed(event: events.StockChanged) -> None:
    ProductCard.objects.using(ALIAS).filter(product_id=event.product_id).update(in_stock=event.in_stock)


def _move_sold_counts(lines, sign: int) -> None:
    quantities: dict[int, int] = defaultdict(int)
    for line in lines:
        quantities[line.product_id] += line.quantity
    for product_id, quantity in quantities.items():
        ProductCard.objects.using(ALIAS).filter(product_id=product_id).update(
            sold_count=Greatest(F("sold_count") + sign * quantity, Value(0))
        )


def on_order_placed(event: events.OrderPlaced) -> None:
    """Adds the ordered quantities to the sold counts (stock is reserved at placement)."""
    _move_sold_counts(event.lines, +1)


def on_order_released(event: events.OrderCancelled | events.OrderExpired) -> None:
    """A cancelled or expired order gives its quantities back."""
    _move_sold_counts(event.lines, -1)


def on_review_posted(event: events.ReviewPosted) -> None:
    ProductCard.objects.using(ALIAS).filter(product_id=event.product_id).update(
        rating=event.product_rating, review_count=event.product_review_count
    )


def on_order_paid(event: events.OrderPaid) -> None:
    """Attributed sales of creators and campaigns, and units sold through each post
    (which feed the "For you" ranking)."""
    sales_by_creator: dict[int, int] = defaultdict(int)
    sales_by_campaign: dict[int, int] = defaultdict(int)
    units_by_post: dict[int, int] = defaultdict(int)
    for line in event.lines:
        amount = line.unit_price * line.quantity
        if line.creator_id:
            sales_by_creator[line.creator_id] += amount
        if line.campaign_id:
            sales_by_campaign[line.campaign_id] += amount
        if line.post_id:
            units_by_post[line.post_id] += line.quantity
    for creator_id, amount in sales_by_creator.items():
        Creator.objects.using(ALIAS).filter(id=creator_id).update(
            attributed_orders=F("attributed_orders") + 1, attributed_sales=F("attributed_sales") + amount
        )
    for campaign_id, amount in sales_by_campaign.items():
        Campaign.objects.using(ALIAS).filter(id=campaign_id).update(
            attributed_orders=F("attributed_orders") + 1, attributed_sales=F("attributed_sales") + amount
        )
    posts = list(Post.objects.using(ALIAS).select_for_update().filter(id__in=units_by_post))
    for post in posts:
        post.sale_count += units_by_post[post.id]
        post.rank_score = ranking.post_score(post)
    Post.objects.using(ALIAS).bulk_update(posts, ["sale_count", "rank_score"])


def _move_commission(creator_id: int | None, amount: int) -> None:
    if creator_id:
        Creator.objects.using(ALIAS).filter(id=creator_id).update(commission_earned=F("commission_earned") + amount)


def on_commission_earned(event: events.CommissionEarned) -> None:
    _move_commission(event.creator_id, event.amount)


def on_commission_reversed(event: events.CommissionReversed) -> None:
    _move_commission(event.creator_id, -event.amount)


def register() -> None:
    inbox = "storefront.InboxEvent"
    for event_class, handler, name in (
        (events.ProductPublished, on_product_changed, "storefront.card.published"),
        (events.ProductUpdated, on_product_changed, "storefront.card.updated"),
        (events.ProductUnpublished, on_product_unpublished, "storefront.card.unpublished"),
        (events.StockChanged, on_stock_changed, "storefront.card.stock"),
        (events.OrderPlaced, on_order_placed, "storefront.card.sold"),
        (events.OrderCancelled, on_order_released, "storefront.card.sold.cancelled"),
        (events.OrderExpired, on_order_released, "storefront.card.sold.expired"),
        (events.ReviewPosted, on_review_posted, "storefront.card.rating"),
        (events.OrderPaid, on_order_paid, "storefront.attribution.paid"),
        (events.CommissionEarned, on_commission_earned, "storefront.commission.earned"),
        (events.CommissionReversed, on_commission_reversed, "storefront.commission.reversed"),
    ):
        events.subscribe(event_class, handler, inbox=inbox, name=name)
