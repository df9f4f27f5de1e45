"""The shopper's wishlist: products saved for later, at most WISHLIST_MAX_ITEMS each."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from .. import rules
from ..models import WishlistItem
from ._common import ALIAS


def wishlist_add(*, user_id: int, product_id: int) -> bool:
    """Saves a product the storefront knows; returns False when it was saved already."""
    if problems := rules.known_product_errors(product_id):
        raise ValidationError({"product_id": problems})
    items = WishlistItem.objects.using(ALIAS).filter(user_id=user_id)
    if items.filter(product_id=product_id).exists():
        return False
    if items.count() >= rules.WISHLIST_MAX_ITEMS:
        raise ValidationError({"product_id": [str(rules.WISHLIST_FULL)]})
    try:
        with transaction.atomic(using=ALIAS):
            WishlistItem.objects.using(ALIAS).create(user_id=user_id, product_id=product_id)
    except IntegrityError:  # the same save, twice at once: the constraint keeps one
        return False
    return True


def wishlist_remove(*, user_id: int, product_id: int) -> bool:
    deleted, _rows = WishlistItem.objects.using(ALIAS).filter(user_id=user_id, product_id=product_id).delete()
    return bool(deleted)
