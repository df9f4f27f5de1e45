"""The buyer's cart: one line per variant, within the per-order limit and the stock."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from integration import contracts

from ..models import (
    Cart,
    CartItem,
    ProductStatus,
    Variant,
)
from ._common import ALIAS, _invalid

MAX_CART_QUANTITY = 999


def _check_quantity(quantity, *, allow_zero: bool = False) -> int:
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise _invalid("quantity", _("Quantity must be a whole number."))
    low = 0 if allow_zero else 1
    if quantity < low or quantity > MAX_CART_QUANTITY:
        raise _invalid(
            "quantity", _("Quantity must be between %(low)d and %(high)d.") % {"low": low, "high": MAX_CART_QUANTITY}
        )
    return quantity


def cart_add_item(*, buyer_id: int, variant_id: int, quantity: int) -> None:
    quantity = _check_quantity(quantity)
    with transaction.atomic(using=ALIAS):
        variant = (
            Variant.objects.using(ALIAS)
            .select_related("product")
            .filter(id=variant_id, product__status=ProductStatus.ACTIVE)
            .first()
        )
        if variant is None:
            raise _invalid("variant_id", _("This product is not available."))
        cart, _created = Cart.objects.using(ALIAS).get_or_create(buyer_id=buyer_id)
        Cart.objects.using(ALIAS).select_for_update().filter(id=cart.id).first()  # serialise edits of one cart
        item = CartItem.objects.using(ALIAS).filter(cart=cart, variant=variant).first()
        new_quantity = quantity + (item.quantity if item else 0)
        _check_line(variant, new_quantity)
        if item:
            item.quantity = new_quantity
            item.save(using=ALIAS, update_fields=["quantity"])
        else:
            CartItem.objects.using(ALIAS).create(
                cart=cart, variant=variant, quantity=new_quantity, price_when_added=variant.price
            )


def _check_line(variant: Variant, quantity: int) -> None:
    if quantity > variant.max_per_order:
        raise _invalid("quantity", _("At most %(n)d of this item per order.") % {"n": variant.max_per_order})
    if quantity > variant.stock_available:
        raise _invalid("quantity", _("Only %(n)d left in stock.") % {"n": variant.stock_available})


def cart_update_line(*, buyer_id: int, line_id: int, quantity: int) -> None:
    """Sets a line's quantity; zero removes it. Only the buyer's own cart is touched."""
    quantity = _check_quantity(quantity, allow_zero=True)
    with transaction.atomic(using=ALIAS):
        item = (
            CartItem.objects.using(ALIAS)
            .select_related("variant__product")
            .filter(id=line_id, cart__buyer_id=buyer_id)
            .first()
        )
        if item is None:
            raise contracts.NotFound(_("Cart line not found."))
        if quantity == 0:
            item.delete()
            return
        _check_line(item.variant, quantity)
        item.quantity = quantity
        item.save(using=ALIAS, update_fields=["quantity"])
