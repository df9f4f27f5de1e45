"""Commands of the marketplace. Each opens one transaction on the marketplace
database, validates, writes, and publishes its events through the outbox in the
same transaction."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import asdict

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from integration import contracts, events
from integration.publish import publish

from . import selectors
from .models import (
    Cart,
    CartItem,
    Checkout,
    Order,
    OrderLine,
    OrderStatus,
    OutboxEvent,
    PaymentMethod,
    Product,
    ProductStatus,
    Variant,
)

ALIAS = "marketplace"
MAX_CART_QUANTITY = 999
FLAT_SHIPPING_FEE = 15_000


def _invalid(field: str, message: str) -> contracts.InvalidRequest:
    return contracts.InvalidRequest(message, fields={field: [message]})


# --- Catalogue ---------------------------------------------------------------------


def product_publish_card(*, product_id: int, was_active: bool = False) -> None:
    """Publishes the product's card: `published` on first activation, else `updated`,
    `unpublished` when it left the active state. Call inside the change's transaction."""
    product = Product.objects.using(ALIAS).only("status").get(id=product_id)
    if product.status != ProductStatus.ACTIVE:
        if was_active:
            publish(OutboxEvent, events.ProductUnpublished(product_id=product_id))
        return
    summary = selectors.product_summary_by_id(product_id)
    event_class = events.ProductUpdated if was_active else events.ProductPublished
    publish(OutboxEvent, event_class(product=summary))


def product_set_status(*, product_id: int, status: str) -> Product:
    if status not in ProductStatus.values:
        raise _invalid("status", _("Unknown status %(status)r.") % {"status": status})
    with transaction.atomic(using=ALIAS):
        product = Product.objects.using(ALIAS).select_for_update().filter(id=product_id).first()
        if product is None:
            raise contracts.NotFound(_("Product not found."))
        was_active = product.status == ProductStatus.ACTIVE
        product.status = status
        product.save(using=ALIAS, update_fields=["status", "updated_at"])
        product_publish_card(product_id=product.id, was_active=was_active)
    return product


# --- Cart ------------------------------------------------------------------------


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


# --- Checkout -----------------------------------------------------------------------


def _fingerprint(command: contracts.CheckoutCommand) -> str:
    """Hash of the request itself (the key aside): what "the same request" means."""
    body = asdict(command)
    body.pop("idempotency_key")
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def _next_invoice_number(shop_id: int, order_id: int) -> str:
    return f"INV/{timezone.localdate():%Y%m%d}/{shop_id}/{order_id:08d}"


def checkout_place(*, command: contracts.CheckoutCommand) -> list[Order]:
    """Turns the buyer's cart into one order per shop, reserving stock.

    Idempotent by (buyer, key): the same key and request return the same
    orders; the same key with another request is refused.
    """
    if command.payment_method not in PaymentMethod.values:
        raise _invalid("payment_method", _("Choose a payment method."))
    if not command.idempotency_key or len(command.idempotency_key) > 100:
        raise _invalid("idempotency_key", "A checkout needs an idempotency key of at most 100 characters.")
    for name in ("recipient", "phone", "street", "city", "province", "postal_code"):
        if not getattr(command.address, name, "").strip():
            raise _invalid(name, _("This field is required."))

    existing = (
        Checkout.objects.using(ALIAS).filter(buyer_id=command.buyer_id, idempotency_key=command.idempotency_key).first()
    )
    if existing is not None:
        return _replay(existing, command)
    try:
        return _checkout_new(command)
    except IntegrityError:
        # A concurrent call with the same key won the race: answer as it did.
        existing = Checkout.objects.using(ALIAS).get(buyer_id=command.buyer_id, idempotency_key=command.idempotency_key)
        return _replay(existing, command)


def _replay(existing: Checkout, command: contracts.CheckoutCommand) -> list[Order]:
    if _fingerprint(command) != existing.request_fingerprint:
        raise contracts.Conflict(
            _("This idempotency key was already used for a different checkout."),
            code="idempotency_key_reused",
            fields={"idempotency_key": [_("Already used for a different checkout.")]},
        )
    return list(existing.orders.using(ALIAS).order_by("id"))


def _checkout_new(command: contracts.CheckoutCommand) -> list[Order]:
    attribution = {a.product_id: a for a in command.attributions}
    with transaction.atomic(using=ALIAS):
        # Claim the key first: a concurrent call with the same key waits here on
        # the unique index, then fails and replays this call's answer.
        checkout = Checkout.objects.using(ALIAS).create(
            buyer_id=command.buyer_id,
            idempotency_key=command.idempotency_key,
            request_fingerprint=_fingerprint(command),
        )
        items = list(
            CartItem.objects.using(ALIAS)
            .filter(cart__buyer_id=command.buyer_id)
            .select_related("variant__product__shop")
            .order_by("variant_id")
        )
        if not items:
            raise _invalid("cart", _("Your cart is empty."))
        # Lock the variants in id order so two checkouts never deadlock.
        locked = {
            v.id: v
            for v in Variant.objects.using(ALIAS)
            .select_for_update()
            .filter(id__in=[i.variant_id for i in items])
            .order_by("id")
        }
        problems = {}
        for item in items:
            variant = locked[item.variant_id]
            if item.variant.product.status != ProductStatus.ACTIVE:
                problems[f"line_{item.id}"] = [
                    _("%(title)s is no longer available.") % {"title": item.variant.product.title}
                ]
            elif item.quantity > variant.stock_available:
                problems[f"line_{item.id}"] = [
                    _("Only %(n)d of %(title)s (%(variant)s) left.")
                    % {"n": variant.stock_available, "title": item.variant.product.title, "variant": variant.name}
                ]
        if problems:
            raise contracts.InvalidRequest(
                _("Some items in your cart are no longer available."), code="out_of_stock", fields=problems
            )

        by_shop: dict[int, list[CartItem]] = defaultdict(list)
        for item in items:
            by_shop[item.variant.product.shop_id].append(item)
        orders = [
            _place_shop_order(command, checkout, shop_id, shop_items, locked, attribution)
            for shop_id, shop_items in sorted(by_shop.items())
        ]
        CartItem.objects.using(ALIAS).filter(id__in=[i.id for i in items]).delete()
    return orders


def _reserve(variant: Variant, quantity: int) -> None:
    # Conditional update: never below zero, whatever else runs concurrently.
    updated = (
        Variant.objects.using(ALIAS)
        .filter(id=variant.id, stock_reserved__lte=F("stock_on_hand") - quantity)
        .update(stock_reserved=F("stock_reserved") + quantity)
    )
    if not updated:
        raise contracts.InvalidRequest(
            _("%(variant)s ran out of stock.") % {"variant": variant.name},
            code="out_of_stock",
            fields={"cart": [_("An item ran out of stock.")]},
        )


def _place_shop_order(command, checkout, shop_id, items, locked, attribution) -> Order:
    address = command.address
    subtotal = sum(locked[i.variant_id].price * i.quantity for i in items)
    status = OrderStatus.PAID if command.payment_method == PaymentMethod.COD else OrderStatus.PENDING_PAYMENT
    order = Order.objects.using(ALIAS).create(
        number=f"PENDING-{checkout.id}-{shop_id}",
        buyer_id=command.buyer_id,
        shop_id=shop_id,
        status=status,
        payment_method=command.payment_method,
        subtotal=subtotal,
        shipping_fee=FLAT_SHIPPING_FEE,
        total=subtotal + FLAT_SHIPPING_FEE,
        recipient=address.recipient,
        phone=address.phone,
        street=address.street,
        city=address.city,
        province=address.province,
        postal_code=address.postal_code,
        checkout=checkout,
    )
    order.number = _next_invoice_number(shop_id, order.id)
    order.save(using=ALIAS, update_fields=["number"])
    facts = []
    touched_products = set()
    for item in items:
        variant = locked[item.variant_id]
        product = item.variant.product
        was_in_stock = variant.stock_available > 0
        _reserve(variant, item.quantity)
        variant.stock_reserved += item.quantity
        origin = attribution.get(product.id)
        line = OrderLine.objects.using(ALIAS).create(
            order=order,
            variant=variant,
            product_id=product.id,
            title=product.title,
            variant_name=variant.name,
            unit_price=variant.price,
            quantity=item.quantity,
            attribution_source=origin.source if origin else "",
            creator_id=origin.creator_id if origin else None,
            post_id=origin.post_id if origin else None,
            campaign_id=origin.campaign_id if origin else None,
        )
        facts.append(
            events.OrderLineFact(
                product_id=product.id,
                variant_id=variant.id,
                quantity=line.quantity,
                unit_price=line.unit_price,
                attribution_source=line.attribution_source,
                creator_id=line.creator_id,
                post_id=line.post_id,
                campaign_id=line.campaign_id,
            )
        )
        Product.objects.using(ALIAS).filter(id=product.id).update(sold_count=F("sold_count") + item.quantity)
        if was_in_stock and variant.stock_available == 0:
            touched_products.add(product.id)
    publish(
        OutboxEvent,
        events.OrderPlaced(
            order_id=order.id,
            number=order.number,
            buyer_id=order.buyer_id,
            shop_id=shop_id,
            status=order.status,
            total=order.total,
            currency=order.currency,
            lines=tuple(facts),
        ),
    )
    for product_id in sorted(touched_products):
        product_publish_card(product_id=product_id, was_active=True)
    return order
