"""The product and shop card read models, rebuilt in bulk through the marketplace port."""

from django.db import transaction
from django.utils import timezone

from .. import fragments
from ..models import (
    ProductCard,
    ShopCard,
)
from ._common import ALIAS


def product_cards_rebuild(*, port, batch_size: int = 1000, progress=lambda n: None) -> int:
    """Rebuilds the read model from the marketplace, in bulk through the port.

    Cards of products the marketplace no longer shows are hidden. Returns the
    number of visible cards.
    """
    from ..handlers import card_values

    started = timezone.now()
    visible = 0
    after_id = 0
    while True:
        summaries = port.list_product_summaries(after_id=after_id, limit=batch_size)
        if not summaries:
            break
        cards = [ProductCard(product_id=s.product_id, is_visible=True, **card_values(s)) for s in summaries]
        with transaction.atomic(using=ALIAS):
            ProductCard.objects.using(ALIAS).bulk_create(
                cards,
                batch_size=batch_size,
                update_conflicts=True,
                unique_fields=["product_id"],
                update_fields=[*card_values(summaries[0]).keys(), "is_visible", "updated_at"],
            )
        visible += len(summaries)
        after_id = summaries[-1].product_id
        progress(len(summaries))
    with transaction.atomic(using=ALIAS):
        # Every card written above was stamped after `started`; older ones are gone upstream.
        ProductCard.objects.using(ALIAS).filter(updated_at__lt=started).update(is_visible=False)
        fragments.bump(fragments.CARDS, using=ALIAS)
    return visible


def shop_cards_rebuild(*, port, batch_size: int = 1000) -> int:
    """Rebuilds the shop cards from the marketplace (their sold counts included); follower
    counts are the storefront's own and stay. Returns the number of shops."""
    from ..handlers import SHOP_FIELDS, shop_values

    count = 0
    after_id = 0
    while True:
        summaries = port.list_shop_summaries(after_id=after_id, limit=batch_size)
        if not summaries:
            break
        cards = [
            ShopCard(shop_id=s.shop_id, revision=s.revision, sold_count=s.sold_count, **shop_values(s))
            for s in summaries
        ]
        with transaction.atomic(using=ALIAS):
            ShopCard.objects.using(ALIAS).bulk_create(
                cards,
                batch_size=batch_size,
                update_conflicts=True,
                unique_fields=["shop_id"],
                update_fields=[*SHOP_FIELDS, "revision", "sold_count", "updated_at"],
            )
        count += len(summaries)
        after_id = summaries[-1].shop_id
    return count
