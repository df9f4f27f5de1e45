"""Handlers of marketplace events. Each runs inside a storefront transaction that
also records the event in the inbox, so a redelivered event changes nothing."""

from dataclasses import asdict

from django.db.models import F

from integration import events

from . import fragments
from .models import ProductCard

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
    fragments.bump(fragments.CARDS, using=ALIAS)


def on_product_unpublished(event: events.ProductUnpublished) -> None:
    ProductCard.objects.using(ALIAS).filter(product_id=event.product_id).update(is_visible=False)
    fragments.bump(fragments.CARDS, using=ALIAS)


def on_order_placed(event: events.OrderPlaced) -> None:
    """Adds the ordered quantities to the sold counts. Unknown products are ignored:
    their card, when it arrives, carries the marketplace's own sold count."""
    for line in event.lines:
        ProductCard.objects.using(ALIAS).filter(product_id=line.product_id).update(
            sold_count=F("sold_count") + line.quantity
        )
    fragments.bump(fragments.CARDS, using=ALIAS)


def register() -> None:
    inbox = "storefront.InboxEvent"
    events.subscribe(events.ProductPublished, on_product_changed, inbox=inbox, name="storefront.card.published")
    events.subscribe(events.ProductUpdated, on_product_changed, inbox=inbox, name="storefront.card.updated")
    events.subscribe(events.ProductUnpublished, on_product_unpublished, inbox=inbox, name="storefront.card.unpublished")
    events.subscribe(events.OrderPlaced, on_order_placed, inbox=inbox, name="storefront.card.sold")
