"""The product card read model, rebuilt in bulk through the marketplace port."""

from django.db import transaction
from django.utils import timezone

from .. import fragments
from ..models import (
    ProductCard,
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
