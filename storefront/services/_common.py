"""What the storefront's commands share: the database alias and the read model's product check."""

from ..models import (
    ProductCard,
)

ALIAS = "storefront"


def _unknown_products(product_ids: list[int]) -> list[int]:
    known = set(
        ProductCard.objects.using(ALIAS).filter(product_id__in=product_ids).values_list("product_id", flat=True)
    )
    return [pid for pid in product_ids if pid not in known]
