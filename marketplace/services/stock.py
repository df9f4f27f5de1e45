"""Stock of record. Each change is one conditional UPDATE: whatever runs concurrently, stock never
goes below zero (and the check constraint backs that up). Callers touch several variants in
variant id order so that two transactions never deadlock."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from integration import contracts, events
from integration.publish import publish

from .. import rules, selectors
from ..models import (
    OutboxEvent,
    StockAdjustment,
    Variant,
)
from ._common import ALIAS, _invalid, _owned
from .catalogue import _next_revision


def _out_of_stock(name: str) -> contracts.InvalidRequest:
    return contracts.InvalidRequest(
        _("%(name)s ran out of stock.") % {"name": name},
        code="out_of_stock",
        fields={"cart": [_("%(name)s ran out of stock.") % {"name": name}]},
    )


def _reserve(variant: Variant, quantity: int, *, sold: bool = False) -> None:
    """Reserves units; with `sold` (cash on delivery) takes them off the shelf at once."""
    if sold:
        change = {"stock_on_hand": F("stock_on_hand") - quantity}
    else:
        change = {"stock_reserved": F("stock_reserved") + quantity}
    updated = (
        Variant.objects.using(ALIAS)
        .filter(id=variant.id, stock_reserved__lte=F("stock_on_hand") - quantity)
        .update(**change)
    )
    if not updated:
        raise _out_of_stock(variant.name)


def _release(variant_id: int, quantity: int) -> None:
    Variant.objects.using(ALIAS).filter(id=variant_id, stock_reserved__gte=quantity).update(
        stock_reserved=F("stock_reserved") - quantity
    )


def _commit(variant_id: int, quantity: int) -> None:
    """A reservation becomes a sale: the units leave the shelf."""
    Variant.objects.using(ALIAS).filter(id=variant_id, stock_reserved__gte=quantity).update(
        stock_reserved=F("stock_reserved") - quantity, stock_on_hand=F("stock_on_hand") - quantity
    )


def _restock(variant_id: int, quantity: int) -> None:
    Variant.objects.using(ALIAS).filter(id=variant_id).update(stock_on_hand=F("stock_on_hand") + quantity)


def _in_stock(product_ids) -> dict[int, bool]:
    return selectors.products_in_stock(sorted(set(product_ids)))


def _publish_stock_crossings(before: dict[int, bool]) -> None:
    """StockChanged for each product that crossed in or out of stock. Only that: the
    card's other fields did not change, and the storefront takes in_stock from it."""
    after = _in_stock(before)
    for product_id in sorted(before):
        if before[product_id] != after.get(product_id, False):
            publish(
                OutboxEvent,
                events.StockChanged(
                    product_id=product_id, in_stock=after.get(product_id, False), revision=_next_revision(product_id)
                ),
            )


def stock_adjust(
    *, variant_id: int, actor_user_id: int, delta: int, reason: str, owner_user_id: int | None = None
) -> StockAdjustment:
    """Adds (or with a negative delta removes) units on hand, never below what is reserved.

    `owner_user_id`, when given, limits the change to that owner's shops."""
    if errors := rules.stock_change_errors(delta, reason):
        raise contracts.InvalidRequest(next(iter(errors.values()))[0], fields=errors)
    with transaction.atomic(using=ALIAS):
        variants = Variant.objects.using(ALIAS).select_for_update().filter(id=variant_id)
        variant = _owned(variants, owner_user_id, "product__shop__owner_user_id", _("Variant not found."))
        if found := rules.stock_floor_errors(variant.stock_on_hand + delta, variant.stock_reserved):
            raise _invalid("delta", found[0])
        before = _in_stock([variant.product_id])
        variant.stock_on_hand += delta
        variant.save(using=ALIAS, update_fields=["stock_on_hand"])
        adjustment = StockAdjustment.objects.using(ALIAS).create(
            variant=variant,
            actor_user_id=actor_user_id,
            delta=delta,
            on_hand_after=variant.stock_on_hand,
            reason=str(reason).strip(),
        )
        _publish_stock_crossings(before)
    return adjustment
