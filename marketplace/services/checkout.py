"""Checkout: the cart becomes one order per shop, stock is reserved, vouchers are used, and one
payment is opened for the orders paid online. Idempotent by (buyer, key)."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import asdict
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Case, F, IntegerField, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from integration import contracts, events, tracing
from integration.publish import publish_many

from .. import payments, selectors
from ..metrics import CHECKOUTS
from ..models import (
    CartItem,
    Checkout,
    Order,
    OrderLine,
    OrderStatus,
    OrderStatusChange,
    OutboxEvent,
    Payment,
    PaymentMethod,
    Product,
    Variant,
    Voucher,
    VoucherUse,
)
from . import promotions, quote
from ._common import ALIAS, _invalid
from .order_events import _line_facts, _order_event_fields, _paid_event
from .stock import _in_stock, _publish_stock_crossings, _reserve


def _fingerprint(command: contracts.CheckoutCommand) -> str:
    """Hash of the request itself (the key aside): what "the same request" means.

    Attributions are context, not the request: the storefront forgets them after
    the first success, so a resubmit carries none and must still replay."""
    body = asdict(command)
    body.pop("idempotency_key")
    body.pop("attributions")
    if not body["platform_voucher"]:
        # Left out when not used, so a checkout hashed before platform vouchers existed still replays.
        body.pop("platform_voucher")
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def _invoice_number(shop_id: int, order_id: int) -> str:
    return f"INV/{timezone.localdate():%Y%m%d}/{shop_id}/{order_id:08d}"


def _validate_command(command: contracts.CheckoutCommand) -> None:
    if command.payment_method not in PaymentMethod.values:
        raise _invalid("payment_method", _("Choose a payment method."))
    if command.payment_method != PaymentMethod.COD and not payments.online_payment_available():
        raise _invalid("payment_method", _("Online payment is not available right now; choose cash on delivery."))
    if not command.idempotency_key or len(command.idempotency_key) > 100:
        raise _invalid("idempotency_key", _("A checkout needs an idempotency key of at most 100 characters."))
    for name in ("recipient", "phone", "street", "city", "province", "postal_code"):
        if not getattr(command.address, name, "").strip():
            raise _invalid(name, _("This field is required."))
    for choices, name in ((command.shipping, "shipping"), (command.vouchers, "vouchers")):
        if len({c.shop_id for c in choices}) != len(choices):
            raise _invalid(name, _("Choose at most one per shop."))


@tracing.traced
def checkout_place(*, command: contracts.CheckoutCommand) -> list[Order]:
    """Turns the buyer's cart into one order per shop, reserving stock, and one
    payment for the orders that are paid online.

    Idempotent by (buyer, key): the same key and request return the same
    orders; the same key with another request is refused.
    """
    try:
        orders, outcome = _checkout_place(command)
    except contracts.PortError:
        CHECKOUTS.labels("refused").inc()
        raise
    CHECKOUTS.labels(outcome).inc()
    return orders


def _checkout_place(command: contracts.CheckoutCommand) -> tuple[list[Order], str]:
    _validate_command(command)
    try:
        # No lookup first: claiming the key is the transaction's first write, and a
        # key seen before fails right there, before anything else is read or written.
        return _checkout_new(command), "placed"
    except IntegrityError:
        # The key was used before, or a concurrent call with it won the race: answer as it did.
        existing = (
            Checkout.objects.using(ALIAS)
            .filter(buyer_id=command.buyer_id, idempotency_key=command.idempotency_key)
            .first()
        )
        if existing is None:  # not the key: some other constraint refused the write
            raise
        return _replay(existing, command), "replayed"


def _replay(existing: Checkout, command: contracts.CheckoutCommand) -> list[Order]:
    if _fingerprint(command) != existing.request_fingerprint:
        raise contracts.Conflict(
            _("This idempotency key was already used for a different checkout."),
            code="idempotency_key_reused",
            fields={"idempotency_key": [_("Already used for a different checkout.")]},
        )
    return list(existing.orders.using(ALIAS).order_by("id"))


def _checkout_new(command: contracts.CheckoutCommand) -> list[Order]:
    codes = quote.voucher_codes(command.vouchers)
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
        # Lock the variants in id order so two checkouts never deadlock; the vouchers
        # after them, in id order too: one fixed lock order for every checkout.
        locked = {
            v.id: v
            for v in Variant.objects.using(ALIAS)
            .select_for_update()
            .filter(id__in=[i.variant_id for i in items])
            .order_by("id")
        }
        in_cart = {item.variant.product.shop_id for item in items}
        vouchers = selectors.vouchers_by_code(
            {shop_id: code for shop_id, code in codes.items() if shop_id in in_cart}, for_update=True
        )
        # The platform voucher last: locked by every checkout that uses it, after its shops' rows.
        platform_code = promotions.normalised_code(command.platform_voucher)
        offer = promotions.offer_by_code(platform_code, for_update=True) if items else None
        priced = quote.checkout_quote(
            buyer_id=command.buyer_id,
            items=items,
            variants=locked,
            province=command.address.province,
            shipping={c.shop_id: c.courier for c in command.shipping},
            codes=codes,
            vouchers=vouchers,
            couriers=selectors.active_couriers(),
            platform_code=platform_code,
            offer=offer,
            campaigns=promotions.campaigns_now(in_cart),
        )
        refusal = priced.refusal()
        if refusal is not None:
            raise refusal
        in_stock_before = _in_stock(item.variant.product_id for item in items)
        orders = _place_orders(command, checkout, list(priced.shops), locked)
        if priced.offer is not None:
            promotions.take(offer=priced.offer, buyer_id=command.buyer_id, checkout=checkout)
        promotions.record_funding(
            orders, [part.promotion for part in priced.shops], offer=priced.offer, campaign=priced.campaign
        )
        CartItem.objects.using(ALIAS).filter(id__in=[i.id for i in items]).delete()
        _publish_stock_crossings(in_stock_before)
    return orders


def _place_orders(command, checkout, parts: list[quote.ShopQuote], locked: dict[int, Variant]) -> list[Order]:
    """Writes a checkout's orders. The number of statements does not grow with the
    lines: one insert or update per table, plus one conditional update per variant
    (stock) and per voucher (uses)."""
    cod = command.payment_method == PaymentMethod.COD
    payment = pay_before = None
    if not cod:
        # Created first, so the orders are inserted already pointing at it.
        pay_before = timezone.now() + timedelta(minutes=settings.PAYMENT_WINDOW_MINUTES)
        payment = Payment.objects.using(ALIAS).create(
            checkout=checkout,
            buyer_id=command.buyer_id,
            method=command.payment_method,
            amount=sum(part.total for part in parts),
            reference=payments.new_reference(),
            expires_at=pay_before,
        )
    address = command.address
    orders = [
        Order(
            number=f"PENDING-{checkout.id}-{part.shop.id}",
            buyer_id=command.buyer_id,
            shop_id=part.shop.id,
            # Cash on delivery has nothing to wait for: the order is accepted at once.
            status=OrderStatus.PAID if cod else OrderStatus.PENDING_PAYMENT,
            payment_method=command.payment_method,
            subtotal=part.subtotal,
            shipping_fee=part.shipping_fee,
            discount=part.order_discount,
            total=part.total,
            recipient=address.recipient,
            phone=address.phone,
            street=address.street,
            city=address.city,
            province=address.province,
            postal_code=address.postal_code,
            checkout=checkout,
            courier=part.courier.code,
            voucher=part.voucher,
            stock_committed=cod,
            payment=payment,
            pay_before=pay_before,
        )
        for part in parts
    ]
    Order.objects.using(ALIAS).bulk_create(orders)
    for order in orders:
        order.number = _invoice_number(order.shop_id, order.id)
    Order.objects.using(ALIAS).bulk_update(orders, ["number"])
    changes = []
    for order in orders:
        changes.append(OrderStatusChange(order=order, status=OrderStatus.PENDING_PAYMENT))
        if cod:
            changes.append(OrderStatusChange(order=order, status=OrderStatus.PAID, note="cod"))
    OrderStatusChange.objects.using(ALIAS).bulk_create(changes)
    _take_vouchers(command.buyer_id, [(order, part.voucher) for order, part in zip(orders, parts, strict=True)])
    quantities = {item.variant_id: item.quantity for part in parts for item in part.items}
    for variant_id in sorted(quantities):  # the variants are locked already; id order all the same
        _reserve(locked[variant_id], quantities[variant_id], sold=cod)
    sold: dict[int, int] = defaultdict(int)
    for part in parts:
        for item in part.items:
            sold[item.variant.product_id] += item.quantity
    Product.objects.using(ALIAS).filter(id__in=list(sold)).update(
        sold_count=F("sold_count")
        + Case(*(When(id=pid, then=Value(n)) for pid, n in sold.items()), default=0, output_field=IntegerField())
    )
    attribution = {a.product_id: a for a in command.attributions}
    lines = {
        order.id: [
            _order_line(order, locked[item.variant_id], item, attribution.get(item.variant.product_id))
            for item in part.items
        ]
        for order, part in zip(orders, parts, strict=True)
    }
    OrderLine.objects.using(ALIAS).bulk_create([line for order_lines in lines.values() for line in order_lines])
    placed: list[events.Event] = []
    for order in orders:
        facts = _line_facts(lines[order.id])
        placed.append(events.OrderPlaced(status=order.status, **_order_event_fields(order, facts)))
        if cod:
            placed.append(_paid_event(order, facts))
    publish_many(OutboxEvent, placed)
    return orders


def _take_vouchers(buyer_id: int, chosen: list[tuple[Order, Voucher | None]]) -> None:
    uses = [(order, voucher) for order, voucher in chosen if voucher is not None]
    for _order, voucher in uses:
        taken = Voucher.objects.using(ALIAS).filter(id=voucher.id)
        if voucher.usage_limit is not None:
            # Conditional, like stock: the limit holds even if a lock were ever missed.
            taken = taken.filter(used_count__lt=voucher.usage_limit)
        if not taken.update(used_count=F("used_count") + 1):
            raise contracts.InvalidRequest(
                _("This voucher has been fully used."), code="voucher", fields={"vouchers": [_("Fully used.")]}
            )
    VoucherUse.objects.using(ALIAS).bulk_create(
        [VoucherUse(voucher=voucher, buyer_id=buyer_id, order=order) for order, voucher in uses]
    )


def _order_line(order: Order, variant: Variant, item: CartItem, origin) -> OrderLine:
    product = item.variant.product
    return OrderLine(
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
        commission_bp=product.commission_bp if origin else 0,
    )


def checkout_keys_purge(*, created_before: datetime, limit: int = 1000) -> int:
    """Forgets the idempotency keys of checkouts created before `created_before`, at
    most `limit` of them; returns how many. A checkout with an order still awaiting
    payment keeps its key: the shopper may still retry it. The checkout row stays,
    grouping its orders and payment; the same key then starts a new checkout."""
    with transaction.atomic(using=ALIAS):
        due = (
            Checkout.objects.using(ALIAS)
            .filter(idempotency_key__isnull=False, created_at__lt=created_before)
            .exclude(orders__status=OrderStatus.PENDING_PAYMENT)
            .order_by("created_at", "id")
            .values_list("id", flat=True)[:limit]
        )
        return (
            Checkout.objects.using(ALIAS).filter(id__in=list(due)).update(idempotency_key=None, request_fingerprint="")
        )
