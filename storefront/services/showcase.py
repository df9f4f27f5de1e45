"""A creator's showcase (etalase): the ordered products they promote."""

from django.core.exceptions import ValidationError
from django.db import transaction

from .. import rules
from ..models import (
    Creator,
    ShowcaseItem,
)
from ._common import ALIAS


def showcase_item_add(*, creator: Creator, product_id: int) -> ShowcaseItem:
    """Appends a product (from any shop) to the creator's showcase."""
    if problems := rules.known_product_errors(product_id):
        raise ValidationError({"product_id": problems})
    with transaction.atomic(using=ALIAS):
        items = ShowcaseItem.objects.using(ALIAS).select_for_update().filter(creator=creator)
        existing = next((item for item in items if item.product_id == product_id), None)
        if existing:
            return existing
        position = max((item.position for item in items), default=-1) + 1
        return ShowcaseItem.objects.using(ALIAS).create(creator=creator, product_id=product_id, position=position)


def showcase_item_remove(*, creator: Creator, product_id: int) -> bool:
    with transaction.atomic(using=ALIAS):
        deleted, _rows = ShowcaseItem.objects.using(ALIAS).filter(creator=creator, product_id=product_id).delete()
    return bool(deleted)


def showcase_item_move(*, creator: Creator, product_id: int, position: int) -> ShowcaseItem:
    """Moves a product of the creator's showcase to `position` (0 is first); the others keep their order."""
    with transaction.atomic(using=ALIAS):
        items = list(ShowcaseItem.objects.using(ALIAS).select_for_update().filter(creator=creator))
        moved = next((item for item in items if item.product_id == product_id), None)
        if moved is None:
            raise ValidationError({"product_id": [str(rules.SHOWCASE_NOT_LISTED)]})
        items.remove(moved)
        items.insert(max(0, min(position, len(items))), moved)
        for index, item in enumerate(items):
            item.position = index
        ShowcaseItem.objects.using(ALIAS).bulk_update(items, ["position"])
    return moved


def showcase_reorder(*, creator: Creator, product_ids: list[int]) -> list[ShowcaseItem]:
    """Puts the creator's showcase in the given order; the list names every item once."""
    with transaction.atomic(using=ALIAS):
        items = {
            item.product_id: item
            for item in ShowcaseItem.objects.using(ALIAS).select_for_update().filter(creator=creator)
        }
        if sorted(product_ids) != sorted(items):
            raise ValidationError({"product_ids": [str(rules.SHOWCASE_EVERY_ONCE)]})
        for position, product_id in enumerate(product_ids):
            items[product_id].position = position
        ShowcaseItem.objects.using(ALIAS).bulk_update(list(items.values()), ["position"])
    return [items[product_id] for product_id in product_ids]
