"""Handlers of marketplace events. Each runs inside a storefront transaction that
also records the event in the inbox, so a redelivered event changes nothing.

Rule for unknown products: a product event (published/updated) creates the card,
since it carries the whole card; every other event only moves counters of
cards that exist and ignores the rest, because the card, when it arrives, carries
the marketplace's own totals. No handler raises for an unknown id, so no event
loops in retries.

Order of arrival does not matter (retries and parallel relays reorder events):
- Card fields and visibility come from snapshots (published/updated/unpublished),
  in_stock from snapshots and StockChanged. Each carries the product's card
  revision, which the marketplace bumps under the product's lock; the card keeps
  the revision it shows (`revision`, and `availability_revision` for in_stock) and
  ignores anything older. So a late update cannot re-show an unpublished product.
- sold_count comes from the order events alone: placed adds, cancelled and
  expired take back, each exactly once through the inbox. A snapshot sets it only
  when it creates the card (there were no deltas before it to double count).
- Events without a revision (0, published before revisions existed) apply as
  they arrive.
"""

from collections import defaultdict
from dataclasses import asdict

from django.db.models import F, Value
from django.db.models.functions import Greatest

from integration import events

from . import fragments, ranking
from .models import Campaign, Creator, Post, ProductCard, ShopCard

ALIAS = "storefront"
CARD_FIELDS = [
    f.name
    for f in ProductCard._meta.fields
    if f.name not in ("product_id", "is_visible", "updated_at", "revision", "availability_revision")
]


def card_values(summary) -> dict:
    values = asdict(summary)
    return {name: values[name] for name in CARD_FIELDS}


def _newer(revision: int, applied: int) -> bool:
    return revision == 0 or revision > applied


def on_product_changed(event: events.ProductPublished | events.ProductUpdated) -> None:
    """Creates or refreshes the card: an update for an unknown product creates it."""
    summary = event.product
    values = {**card_values(summary), "is_visible": summary.status == "active"}
    # Cached pages showing this product are rebuilt once this transaction commits.
    fragments.bump(fragments.product(summary.product_id), using=ALIAS)
    card = ProductCard.objects.using(ALIAS).select_for_update().filter(product_id=summary.product_id).first()
    if card is None:
        ProductCard.objects.using(ALIAS).create(
            product_id=summary.product_id, revision=summary.revision, availability_revision=summary.revision, **values
        )
        return
    if not _newer(summary.revision, card.revision):
        return
    del values["sold_count"]  # the order events' own count
    if _newer(summary.revision, card.availability_revision):
        values["availability_revision"] = max(summary.revision, card.availability_revision)
    else:
        del values["in_stock"]
    values["revision"] = max(summary.revision, card.revision)
    ProductCard.objects.using(ALIAS).filter(product_id=summary.product_id).update(**values)


def on_product_unpublished(event: events.ProductUnpublished) -> None:
    fragments.bump(fragments.product(event.product_id), using=ALIAS)
    cards = ProductCard.objects.using(ALIAS).filter(product_id=event.product_id)
    if event.revision:
        cards.filter(revision__lt=event.revision).update(is_visible=False, revision=event.revision)
    else:
        cards.update(is_visible=False)


def on_stock_changed(event: events.StockChanged) -> None:
    fragments.bump(fragments.product(event.product_id), using=ALIAS)
    cards = ProductCard.objects.using(ALIAS).filter(product_id=event.product_id)
    if event.revision:
        cards.filter(availability_revision__lt=event.revision).update(
            in_stock=event.in_stock, availability_revision=event.revision
        )
    else:
        cards.update(in_stock=event.in_stock)


def _move_sold_counts(lines, sign: int) -> None:
    quantities: dict[int, int] = defaultdict(int)
    for line in lines:
        quantities[line.product_id] += line.quantity
    for product_id, quantity in quantities.items():
        ProductCard.objects.using(ALIAS).filter(product_id=product_id).update(
            sold_count=Greatest(F("sold_count") + sign * quantity, Value(0))
        )
    # Only the pages showing these products are rebuilt, not every page.
    fragments.bump(*(fragments.product(pid) for pid in quantities), using=ALIAS)


def _move_shop_sold_count(shop_id: int, lines, sign: int) -> None:
    """An order is one shop's: its page's sold count moves by the order's units."""
    units = sum(line.quantity for line in lines)
    ShopCard.objects.using(ALIAS).filter(shop_id=shop_id).update(
        sold_count=Greatest(F("sold_count") + sign * units, Value(0))
    )


def on_order_placed(event: events.OrderPlaced) -> None:
    """Adds the ordered quantities to the sold counts (stock is reserved at placement)."""
    _move_sold_counts(event.lines, +1)
    _move_shop_sold_count(event.shop_id, event.lines, +1)


def on_order_released(event: events.OrderCancelled | events.OrderExpired) -> None:
    """A cancelled or expired order gives its quantities back."""
    _move_sold_counts(event.lines, -1)
    _move_shop_sold_count(event.shop_id, event.lines, -1)


def on_review_posted(event: events.ReviewPosted) -> None:
    ProductCard.objects.using(ALIAS).filter(product_id=event.product_id).update(
        rating=event.product_rating, review_count=event.product_review_count
    )
    ShopCard.objects.using(ALIAS).filter(shop_id=event.shop_id).update(
        rating=event.shop_rating, review_count=event.shop_review_count
    )
    fragments.bump(fragments.product(event.product_id), using=ALIAS)


SHOP_FIELDS = ["slug", "name", "city", "province", "is_local_business", "is_verified", "rating", "review_count"]


def shop_values(facts) -> dict:
    """The shop card's fields from a shop event's facts or a port summary (they share the names)."""
    return {name: getattr(facts, name) for name in SHOP_FIELDS}


def on_shop_changed(event: events.ShopChanged) -> None:
    """Creates or refreshes the shop's card, unless a newer one was applied, and shows the
    shop's new name, place and local mark on its products' cards."""
    facts = event.shop
    card = ShopCard.objects.using(ALIAS).select_for_update().filter(shop_id=facts.shop_id).first()
    if card is None:
        ShopCard.objects.using(ALIAS).create(
            shop_id=facts.shop_id, revision=facts.revision, sold_count=facts.sold_count, **shop_values(facts)
        )
    elif _newer(facts.revision, card.revision):
        # The sold count is the order events' own, as on product cards.
        ShopCard.objects.using(ALIAS).filter(shop_id=facts.shop_id).update(
            revision=max(facts.revision, card.revision), **shop_values(facts)
        )
    else:
        return
    ProductCard.objects.using(ALIAS).filter(shop_id=facts.shop_id).update(
        shop_name=facts.name,
        shop_slug=facts.slug,
        shop_city=facts.city,
        shop_province=facts.province,
        is_local_business=facts.is_local_business and facts.is_verified,
    )
    # Shops change rarely (opened, verified, renamed): every cached card page is rebuilt.
    fragments.bump(fragments.CARDS, using=ALIAS)


def _move_attributed(lines, sign: int) -> None:
    """Moves attributed sales of creators and campaigns, and units sold through each
    post (which feed the "For you" ranking), by `sign` (+1 paid, -1 taken back)."""
    sales_by_creator: dict[int, int] = defaultdict(int)
    sales_by_campaign: dict[int, int] = defaultdict(int)
    units_by_post: dict[int, int] = defaultdict(int)
    for line in lines:
        amount = line.unit_price * line.quantity
        if line.creator_id:
            sales_by_creator[line.creator_id] += amount
        if line.campaign_id:
            sales_by_campaign[line.campaign_id] += amount
        if line.post_id:
            units_by_post[line.post_id] += line.quantity
    for model, sales in ((Creator, sales_by_creator), (Campaign, sales_by_campaign)):
        for owner_id, amount in sales.items():
            model.objects.using(ALIAS).filter(id=owner_id).update(
                attributed_orders=Greatest(F("attributed_orders") + sign, Value(0)),
                attributed_sales=Greatest(F("attributed_sales") + sign * amount, Value(0)),
            )
    posts = list(Post.objects.using(ALIAS).select_for_update().filter(id__in=units_by_post))
    for post in posts:
        post.sale_count = max(0, post.sale_count + sign * units_by_post[post.id])
        post.rank_score = ranking.post_score(post)
    Post.objects.using(ALIAS).bulk_update(posts, ["sale_count", "rank_score"])


def on_order_paid(event: events.OrderPaid) -> None:
    _move_attributed(event.lines, +1)


def on_paid_order_cancelled(event: events.OrderCancelled) -> None:
    """A paid order cancelled or refunded: what its payment added is taken back."""
    if event.was_paid:
        _move_attributed(event.lines, -1)


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
        (events.ShopChanged, on_shop_changed, "storefront.shop.changed"),
        (events.OrderPlaced, on_order_placed, "storefront.card.sold"),
        (events.OrderCancelled, on_order_released, "storefront.card.sold.cancelled"),
        (events.OrderExpired, on_order_released, "storefront.card.sold.expired"),
        (events.ReviewPosted, on_review_posted, "storefront.card.rating"),
        (events.OrderPaid, on_order_paid, "storefront.attribution.paid"),
        (events.OrderCancelled, on_paid_order_cancelled, "storefront.attribution.cancelled"),
        (events.CommissionEarned, on_commission_earned, "storefront.commission.earned"),
        (events.CommissionReversed, on_commission_reversed, "storefront.commission.reversed"),
    ):
        events.subscribe(event_class, handler, inbox=inbox, name=name)
