"""Commands of the marketplace. Each opens one transaction on the marketplace
database, validates, writes, and publishes its events through the outbox in the
same transaction."""

from __future__ import annotations

import hashlib
import json
import logging
from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Case, F, IntegerField, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from integration import contracts, events
from integration.publish import publish, publish_many

from . import payments, pricing, selectors
from .models import (
    Cart,
    CartItem,
    Category,
    Checkout,
    Commission,
    CommissionStatus,
    Courier,
    Order,
    OrderLine,
    OrderStatus,
    OrderStatusChange,
    OutboxEvent,
    Payment,
    PaymentMethod,
    PaymentNotification,
    PaymentStatus,
    Product,
    ProductStatus,
    Review,
    Shop,
    StockAdjustment,
    Variant,
    Voucher,
    VoucherKind,
    VoucherUse,
)

ALIAS = "marketplace"
logger = logging.getLogger(__name__)
MAX_CART_QUANTITY = 999


def _invalid(field: str, message: str) -> contracts.InvalidRequest:
    return contracts.InvalidRequest(message, fields={field: [message]})


def _only_known(fields: dict, allowed) -> None:
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise _invalid(unknown[0], _("Unknown field."))


def _owned(queryset, owner_user_id: int | None, owner_path: str, missing: str):
    """The first row of `queryset`, limited to one owner's when `owner_user_id` is given."""
    if owner_user_id is not None:
        queryset = queryset.filter(**{owner_path: owner_user_id})
    found = queryset.first()
    if found is None:
        raise contracts.NotFound(missing)
    return found


def _reason(reason: str, message: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise _invalid("reason", message)
    return reason[:255]


# --- Catalogue ---------------------------------------------------------------------


def product_publish_card(*, product_id: int, was_active: bool = False) -> None:
    """Publishes the product's card: `published` on first activation, else `updated`,
    `unpublished` when it left the active state. Call inside the change's transaction."""
    product = Product.objects.using(ALIAS).only("status").get(id=product_id)
    if product.status != ProductStatus.ACTIVE:
        if was_active:
            publish(OutboxEvent, events.ProductUnpublished(product_id=product_id, revision=_next_revision(product_id)))
        return
    _next_revision(product_id)  # the summary below carries it
    summary = selectors.product_summary_by_id(product_id)
    event_class = events.ProductUpdated if was_active else events.ProductPublished
    publish(OutboxEvent, event_class(product=summary))


def _next_revision(product_id: int) -> int:
    """Bumps the product's card revision. The update holds the row's lock until
    commit, so revisions of one product are committed (and published) in order."""
    products = Product.objects.using(ALIAS).filter(id=product_id)
    products.update(card_revision=F("card_revision") + 1)
    return products.values_list("card_revision", flat=True).get()


def product_set_status(*, product_id: int, status: str, owner_user_id: int | None = None) -> Product:
    if status not in ProductStatus.values:
        raise _invalid("status", _("Unknown status %(status)r.") % {"status": status})
    with transaction.atomic(using=ALIAS):
        product = _locked_product(product_id, owner_user_id)
        if status == ProductStatus.ACTIVE and not product.variants.exists():
            raise _invalid("status", _("Add at least one variant before publishing."))
        was_active = product.status == ProductStatus.ACTIVE
        product.status = status
        product.save(using=ALIAS, update_fields=["status", "updated_at"])
        product_publish_card(product_id=product.id, was_active=was_active)
    return product


def _locked_product(product_id: int, owner_user_id: int | None) -> Product:
    products = Product.objects.using(ALIAS).select_for_update().filter(id=product_id)
    return _owned(products, owner_user_id, "shop__owner_user_id", _("Product not found."))


PRODUCT_FIELDS = ("title", "description", "category_id", "image", "image_url", "commission_bp")
VARIANT_FIELDS = ("name", "sku", "price", "weight_grams", "max_per_order")


def _product_errors(product: Product) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    product.title = (product.title or "").strip()
    if not product.title or len(product.title) > 200:
        errors["title"] = [_("Enter a title of at most 200 characters.")]
    bp = product.commission_bp
    if isinstance(bp, bool) or not isinstance(bp, int) or not 0 <= bp <= 8000:
        errors["commission_bp"] = [_("Commission is between 0 and 8000 basis points (0-80%).")]
    if product.category_id is not None and not Category.objects.using(ALIAS).filter(id=product.category_id).exists():
        errors["category_id"] = [_("Choose an existing category.")]
    return errors


def _variant_errors(variant: Variant) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name, low, high in (("price", 1, 1_000_000_000), ("weight_grams", 1, 100_000), ("max_per_order", 1, 999)):
        value = getattr(variant, name)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            errors[name] = [_("Enter a whole number from %(low)d to %(high)d.") % {"low": low, "high": high}]
    if not (variant.name or "").strip():
        errors["name"] = [_("This field is required.")]
    variant.sku = (variant.sku or "").strip()
    if not variant.sku or Variant.objects.using(ALIAS).filter(sku=variant.sku).exclude(id=variant.id).exists():
        errors["sku"] = [_("Enter a SKU no other variant uses.")]
    return errors


def product_create(*, shop_id: int, owner_user_id: int | None = None, variants: list[dict] = (), **fields) -> Product:
    """Creates a draft product with its variants (each: name, sku, price, weight_grams,
    max_per_order, stock_on_hand). Publish it with `product_set_status`."""
    _only_known(fields, PRODUCT_FIELDS)
    with transaction.atomic(using=ALIAS):
        shops = Shop.objects.using(ALIAS).filter(id=shop_id)
        _owned(shops, owner_user_id, "owner_user_id", _("Shop not found."))
        product = Product(shop_id=shop_id, status=ProductStatus.DRAFT, **fields)
        errors = _product_errors(product)
        new_variants = []
        for index, data in enumerate(variants):
            stock = data.get("stock_on_hand", 0)
            variant = Variant(**{k: v for k, v in data.items() if k in VARIANT_FIELDS})
            variant_errors = _variant_errors(variant)
            if isinstance(stock, bool) or not isinstance(stock, int) or not 0 <= stock <= 1_000_000:
                variant_errors["stock_on_hand"] = [_("Enter a whole number from 0 to 1000000.")]
            if variant.sku in {v.sku for v in new_variants}:
                variant_errors["sku"] = [_("Enter a SKU no other variant uses.")]
            errors.update({f"variants.{index}.{k}": v for k, v in variant_errors.items()})
            variant.stock_on_hand = stock
            new_variants.append(variant)
        if errors:
            raise contracts.InvalidRequest(_("Please correct the product."), fields=errors)
        product.save(using=ALIAS)
        for variant in new_variants:
            variant.product = product
        Variant.objects.using(ALIAS).bulk_create(new_variants)
    return product


def product_update(*, product_id: int, owner_user_id: int | None = None, **fields) -> Product:
    _only_known(fields, PRODUCT_FIELDS)
    with transaction.atomic(using=ALIAS):
        product = _locked_product(product_id, owner_user_id)
        for name, value in fields.items():
            setattr(product, name, value)
        errors = _product_errors(product)
        if errors:
            raise contracts.InvalidRequest(_("Please correct the product."), fields=errors)
        product.save(using=ALIAS)
        if product.status == ProductStatus.ACTIVE:
            product_publish_card(product_id=product.id, was_active=True)
    return product


def variant_update(*, variant_id: int, owner_user_id: int | None = None, **fields) -> Variant:
    """Edits a variant's price, weight, name, SKU or limit; stock moves only through `stock_adjust`."""
    _only_known(fields, VARIANT_FIELDS)
    with transaction.atomic(using=ALIAS):
        variants = Variant.objects.using(ALIAS).select_for_update().select_related("product").filter(id=variant_id)
        variant = _owned(variants, owner_user_id, "product__shop__owner_user_id", _("Variant not found."))
        for name, value in fields.items():
            setattr(variant, name, value)
        _variant_save(variant, variant.product)
    return variant


def variant_create(*, product_id: int, owner_user_id: int | None = None, **fields) -> Variant:
    """Adds a variant with no stock to an existing product; stock arrives through `stock_adjust`."""
    _only_known(fields, VARIANT_FIELDS)
    with transaction.atomic(using=ALIAS):
        product = _locked_product(product_id, owner_user_id)
        variant = Variant(product=product, **fields)
        _variant_save(variant, product)
    return variant


def _variant_save(variant: Variant, product: Product) -> None:
    """Checks and saves a variant, refreshing its product's card when the product is on sale."""
    errors = _variant_errors(variant)
    if errors:
        raise contracts.InvalidRequest(_("Please correct the variant."), fields=errors)
    variant.save(using=ALIAS)
    if product.status == ProductStatus.ACTIVE:
        product_publish_card(product_id=product.id, was_active=True)


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


# --- Stock --------------------------------------------------------------------------
# Each of these is one conditional UPDATE: whatever runs concurrently, stock never
# goes below zero (and the check constraint backs that up). Callers touch several
# variants in variant id order so that two transactions never deadlock.


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


def _order_facts(order: Order) -> tuple[events.OrderLineFact, ...]:
    return _line_facts(order.lines.all())


def _line_facts(lines) -> tuple[events.OrderLineFact, ...]:
    return tuple(
        events.OrderLineFact(
            product_id=line.product_id,
            variant_id=line.variant_id,
            quantity=line.quantity,
            unit_price=line.unit_price,
            attribution_source=line.attribution_source,
            creator_id=line.creator_id,
            post_id=line.post_id,
            campaign_id=line.campaign_id,
        )
        for line in lines
    )


def stock_adjust(
    *, variant_id: int, actor_user_id: int, delta: int, reason: str, owner_user_id: int | None = None
) -> StockAdjustment:
    """Adds (or with a negative delta removes) units on hand, never below what is reserved.

    `owner_user_id`, when given, limits the change to that owner's shops."""
    if isinstance(delta, bool) or not isinstance(delta, int) or delta == 0 or abs(delta) > 1_000_000:
        raise _invalid("delta", _("Enter a non-zero whole number of units (at most a million)."))
    if not (reason or "").strip():
        raise _invalid("reason", _("Say why the stock changes."))
    with transaction.atomic(using=ALIAS):
        variants = Variant.objects.using(ALIAS).select_for_update().filter(id=variant_id)
        variant = _owned(variants, owner_user_id, "product__shop__owner_user_id", _("Variant not found."))
        if variant.stock_on_hand + delta < variant.stock_reserved:
            raise _invalid(
                "delta",
                _("Stock cannot go below the %(reserved)d units reserved for orders.")
                % {"reserved": variant.stock_reserved},
            )
        before = _in_stock([variant.product_id])
        variant.stock_on_hand += delta
        variant.save(using=ALIAS, update_fields=["stock_on_hand"])
        adjustment = StockAdjustment.objects.using(ALIAS).create(
            variant=variant,
            actor_user_id=actor_user_id,
            delta=delta,
            on_hand_after=variant.stock_on_hand,
            reason=reason.strip()[:255],
        )
        _publish_stock_crossings(before)
    return adjustment


# --- Checkout -----------------------------------------------------------------------


def _fingerprint(command: contracts.CheckoutCommand) -> str:
    """Hash of the request itself (the key aside): what "the same request" means.

    Attributions are context, not the request: the storefront forgets them after
    the first success, so a resubmit carries none and must still replay."""
    body = asdict(command)
    body.pop("idempotency_key")
    body.pop("attributions")
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


def checkout_place(*, command: contracts.CheckoutCommand) -> list[Order]:
    """Turns the buyer's cart into one order per shop, reserving stock, and one
    payment for the orders that are paid online.

    Idempotent by (buyer, key): the same key and request return the same
    orders; the same key with another request is refused.
    """
    _validate_command(command)
    try:
        # No lookup first: claiming the key is the transaction's first write, and a
        # key seen before fails right there, before anything else is read or written.
        return _checkout_new(command)
    except IntegrityError:
        # The key was used before, or a concurrent call with it won the race: answer as it did.
        existing = (
            Checkout.objects.using(ALIAS)
            .filter(buyer_id=command.buyer_id, idempotency_key=command.idempotency_key)
            .first()
        )
        if existing is None:  # not the key: some other constraint refused the write
            raise
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
    shipping = {c.shop_id: c.courier for c in command.shipping}
    voucher_codes = {c.shop_id: c.code.strip().upper() for c in command.vouchers}
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
            variant, product = locked[item.variant_id], item.variant.product
            if product.status != ProductStatus.ACTIVE:
                problems[f"line_{item.id}"] = [_("%(title)s is no longer available.") % {"title": product.title}]
            elif item.quantity > variant.max_per_order:
                problems[f"line_{item.id}"] = [
                    _("At most %(limit)d of %(title)s per order.")
                    % {"limit": variant.max_per_order, "title": product.title}
                ]
            elif item.quantity > variant.stock_available:
                problems[f"line_{item.id}"] = [
                    _("Only %(left)d of %(title)s (%(variant)s) left.")
                    % {"left": variant.stock_available, "title": product.title, "variant": variant.name}
                ]
        if problems:
            raise contracts.InvalidRequest(
                _("Some items in your cart are no longer available."), code="out_of_stock", fields=problems
            )
        by_shop: dict[int, list[CartItem]] = defaultdict(list)
        for item in items:
            by_shop[item.variant.product.shop_id].append(item)
        unknown = (set(shipping) | set(voucher_codes)) - set(by_shop)
        if unknown:
            raise _invalid("shipping", _("A shipping or voucher choice names a shop that is not in your cart."))
        # Vouchers after variants, in id order: one fixed lock order for every checkout.
        vouchers = {
            v.shop_id: v
            for v in Voucher.objects.using(ALIAS)
            .select_for_update()
            .filter(shop_id__in=list(voucher_codes), code__in=list(voucher_codes.values()))
            .order_by("id")
            if voucher_codes.get(v.shop_id) == v.code
        }
        couriers = selectors.active_couriers()
        in_stock_before = _in_stock(item.variant.product_id for item in items)
        parts = []
        for shop_id, shop_items in sorted(by_shop.items()):
            shop = shop_items[0].variant.product.shop
            lines = [(locked[i.variant_id], i.quantity) for i in shop_items]
            courier = selectors.choose_courier(couriers, shipping.get(shop_id), shop, lines, command.address.province)
            if courier is None:
                raise _invalid("shipping", _("Choose one of the offered couriers."))
            voucher = vouchers.get(shop_id)
            if shop_id in voucher_codes:
                subtotal = sum(v.price * q for v, q in lines)
                problem = selectors.voucher_problem(voucher=voucher, buyer_id=command.buyer_id, subtotal=subtotal)
                if problem:
                    raise contracts.InvalidRequest(problem, code="voucher", fields={"vouchers": [problem]})
            quote = selectors.shop_quote(
                shop=shop, lines=lines, province=command.address.province, courier=courier, voucher=voucher
            )
            parts.append(_ShopPart(shop_id, shop_items, courier, voucher, *quote))
        orders = _place_orders(command, checkout, parts, locked)
        CartItem.objects.using(ALIAS).filter(id__in=[i.id for i in items]).delete()
        _publish_stock_crossings(in_stock_before)
    return orders


@dataclass
class _ShopPart:
    """One shop's share of a checkout, priced and ready to become an order."""

    shop_id: int
    items: list[CartItem]
    courier: Courier
    voucher: Voucher | None
    subtotal: int
    fee: int
    discount: int

    @property
    def total(self) -> int:
        return pricing.order_total(subtotal=self.subtotal, shipping_fee=self.fee, discount=self.discount)


def _place_orders(command, checkout, parts: list[_ShopPart], locked: dict[int, Variant]) -> list[Order]:
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
            number=f"PENDING-{checkout.id}-{part.shop_id}",
            buyer_id=command.buyer_id,
            shop_id=part.shop_id,
            # Cash on delivery has nothing to wait for: the order is accepted at once.
            status=OrderStatus.PAID if cod else OrderStatus.PENDING_PAYMENT,
            payment_method=command.payment_method,
            subtotal=part.subtotal,
            shipping_fee=part.fee,
            discount=part.discount,
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
    placed = []
    for order in orders:
        facts = _line_facts(lines[order.id])
        placed.append(events.OrderPlaced(status=order.status, **_order_event_fields(order, facts)))
        if cod:
            placed.append(_paid_event(order, facts))
    publish_many(OutboxEvent, placed)
    return orders


def _take_vouchers(buyer_id: int, uses: list[tuple[Order, Voucher | None]]) -> None:
    uses = [(order, voucher) for order, voucher in uses if voucher is not None]
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


def _order_event_fields(order: Order, facts) -> dict:
    return {
        "order_id": order.id,
        "number": order.number,
        "buyer_id": order.buyer_id,
        "shop_id": order.shop_id,
        "total": order.total,
        "currency": order.currency,
        "lines": facts,
    }


def _paid_event(order: Order, facts) -> events.OrderPaid:
    return events.OrderPaid(**_order_event_fields(order, facts))


def _publish_paid(order: Order, facts) -> None:
    publish(OutboxEvent, _paid_event(order, facts))


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


# --- Order life cycle ------------------------------------------------------------------

TRANSITIONS: dict[str, set[str]] = {
    OrderStatus.PENDING_PAYMENT: {OrderStatus.PAID, OrderStatus.CANCELLED, OrderStatus.EXPIRED},
    OrderStatus.PAID: {OrderStatus.PACKED, OrderStatus.CANCELLED, OrderStatus.REFUNDED},
    OrderStatus.PACKED: {OrderStatus.SHIPPED, OrderStatus.CANCELLED, OrderStatus.REFUNDED},
    OrderStatus.SHIPPED: {OrderStatus.DELIVERED},
    OrderStatus.DELIVERED: {OrderStatus.COMPLETED, OrderStatus.REFUNDED},
    OrderStatus.COMPLETED: {OrderStatus.REFUNDED},
}


def _transition(order: Order, status: str, note: str = "") -> None:
    if status not in TRANSITIONS.get(order.status, set()):
        raise contracts.InvalidRequest(
            _("An order that is %(current)s cannot become %(new)s.")
            % {"current": OrderStatus(order.status).label, "new": OrderStatus(status).label},
            code="illegal_transition",
            fields={"status": [_("Not allowed from %(current)s.") % {"current": OrderStatus(order.status).label}]},
        )
    order.status = status
    OrderStatusChange.objects.using(ALIAS).create(order=order, status=status, note=note[:255])


def _locked_order(order_id: int, *, buyer_id: int | None = None, owner_user_id: int | None = None) -> Order:
    """The order, row-locked, and only if it belongs to the given buyer or shop owner."""
    orders = Order.objects.using(ALIAS).select_for_update().filter(id=order_id)
    if buyer_id is not None:
        orders = orders.filter(buyer_id=buyer_id)
    return _owned(orders, owner_user_id, "shop__owner_user_id", _("Order not found."))


def _unsell(lines) -> None:
    for line in sorted(lines, key=lambda line: line.product_id):
        Product.objects.using(ALIAS).filter(id=line.product_id, sold_count__gte=line.quantity).update(
            sold_count=F("sold_count") - line.quantity
        )


def _give_back(order: Order) -> None:
    """Returns an order's units to the shelf (or its reservation) and its voucher use."""
    lines = sorted(order.lines.all(), key=lambda line: line.variant_id)
    before = _in_stock(line.product_id for line in lines)
    for line in lines:
        if order.stock_committed:
            _restock(line.variant_id, line.quantity)
        else:
            _release(line.variant_id, line.quantity)
    _unsell(lines)
    if order.voucher_id is not None and VoucherUse.objects.using(ALIAS).filter(order=order).delete()[0]:
        Voucher.objects.using(ALIAS).filter(id=order.voucher_id, used_count__gt=0).update(
            used_count=F("used_count") - 1
        )
    _publish_stock_crossings(before)


def _payment_shrink(order: Order, payment: Payment | None) -> None:
    """A pending order left its (locked) payment: the shopper now owes less (nothing,
    when none is left). A gateway session opened for the old amount is void: the
    payment gets a new reference, and starting the payment opens a session anew."""
    if payment is None or payment.status != PaymentStatus.PENDING:
        return
    payment.amount -= order.total
    if payment.amount == 0:
        payment.status = PaymentStatus.FAILED
    if payment.pay_url:
        payment.reference, payment.gateway, payment.pay_url, payment.virtual_account = (
            payments.new_reference(),
            "",
            "",
            "",
        )
    payment.save(using=ALIAS, update_fields=["amount", "status", "reference", "gateway", "pay_url", "virtual_account"])


def order_pack(*, order_id: int, owner_user_id: int | None = None) -> Order:
    with transaction.atomic(using=ALIAS):
        order = _locked_order(order_id, owner_user_id=owner_user_id)
        _transition(order, OrderStatus.PACKED)
        order.save(using=ALIAS, update_fields=["status"])
    return order


def order_ship(*, order_id: int, courier: str, tracking_number: str, owner_user_id: int | None = None) -> Order:
    tracking_number = (tracking_number or "").strip()
    if not tracking_number or len(tracking_number) > 60:
        raise _invalid("tracking_number", _("Enter the tracking number (at most 60 characters)."))
    with transaction.atomic(using=ALIAS):
        if not Courier.objects.using(ALIAS).filter(code=courier).exists():
            raise _invalid("courier", _("Choose one of the couriers."))
        order = _locked_order(order_id, owner_user_id=owner_user_id)
        _transition(order, OrderStatus.SHIPPED, note=f"{courier} {tracking_number}")
        order.courier, order.tracking_number = courier, tracking_number
        order.save(using=ALIAS, update_fields=["status", "courier", "tracking_number"])
        publish(
            OutboxEvent,
            events.OrderShipped(
                order_id=order.id,
                buyer_id=order.buyer_id,
                shop_id=order.shop_id,
                courier=courier,
                tracking_number=tracking_number,
            ),
        )
    return order


def order_deliver(*, order_id: int, buyer_id: int | None = None, owner_user_id: int | None = None) -> Order:
    """The buyer confirms receipt (or the seller records the courier's proof of delivery)."""
    with transaction.atomic(using=ALIAS):
        order = _locked_order(order_id, buyer_id=buyer_id, owner_user_id=owner_user_id)
        _transition(order, OrderStatus.DELIVERED)
        order.delivered_at = timezone.now()
        order.save(using=ALIAS, update_fields=["status", "delivered_at"])
        publish(OutboxEvent, events.OrderDelivered(order_id=order.id, buyer_id=order.buyer_id, shop_id=order.shop_id))
    return order


def order_complete(*, order_id: int) -> Order:
    """Final: affiliate commissions on attributed lines are earned now."""
    with transaction.atomic(using=ALIAS):
        order = _locked_order(order_id)
        _transition(order, OrderStatus.COMPLETED)
        order.save(using=ALIAS, update_fields=["status"])
        publish(OutboxEvent, events.OrderCompleted(order_id=order.id, buyer_id=order.buyer_id, shop_id=order.shop_id))
        for line in order.lines.all():
            if not line.attribution_source or not line.commission_bp:
                continue
            sale = line.unit_price * line.quantity
            commission = Commission.objects.using(ALIAS).create(
                order_line=line,
                order=order,
                shop_id=order.shop_id,
                product_id=line.product_id,
                source=line.attribution_source,
                creator_id=line.creator_id,
                post_id=line.post_id,
                campaign_id=line.campaign_id,
                rate_bp=line.commission_bp,
                sale_amount=sale,
                amount=pricing.commission_amount(sale_amount=sale, rate_bp=line.commission_bp),
            )
            publish(OutboxEvent, events.CommissionEarned(**_commission_fields(commission)))
    return order


def _commission_fields(commission: Commission) -> dict:
    return {
        "commission_id": commission.id,
        "order_id": commission.order_id,
        "order_line_id": commission.order_line_id,
        "product_id": commission.product_id,
        "creator_id": commission.creator_id,
        "post_id": commission.post_id,
        "campaign_id": commission.campaign_id,
        "source": commission.source,
        "sale_amount": commission.sale_amount,
        "amount": commission.amount,
    }


def order_cancel(*, order_id: int, reason: str, buyer_id: int | None = None, owner_user_id: int | None = None) -> Order:
    """Cancels an order before it ships. A buyer may cancel only while it awaits payment;
    the seller may cancel later too, and a paid order is then refunded."""
    reason = _reason(reason, _("Say why the order is cancelled."))
    with transaction.atomic(using=ALIAS):
        # The payment first, then the order: the lock order of the callback and of expiry.
        payment_id = Order.objects.using(ALIAS).filter(id=order_id).values_list("payment_id", flat=True).first()
        payment = Payment.objects.using(ALIAS).select_for_update().filter(id=payment_id).first() if payment_id else None
        order = _locked_order(order_id, buyer_id=buyer_id, owner_user_id=owner_user_id)
        if buyer_id is not None and order.status != OrderStatus.PENDING_PAYMENT:
            raise contracts.InvalidRequest(
                _("Only an order awaiting payment can be cancelled; ask the seller."),
                code="illegal_transition",
                fields={"status": [_("Ask the seller to cancel.")]},
            )
        was_paid = order.status in (OrderStatus.PAID, OrderStatus.PACKED)
        refund = was_paid and order.payment_method != PaymentMethod.COD
        was_pending = order.status == OrderStatus.PENDING_PAYMENT
        _transition(order, OrderStatus.REFUNDED if refund else OrderStatus.CANCELLED, note=reason)
        order.cancel_reason = reason
        order.save(using=ALIAS, update_fields=["status", "cancel_reason"])
        if was_pending:
            _payment_shrink(order, payment)
        _give_back(order)
        _publish_cancelled(order, refunded=refund, was_paid=was_paid)
    return order


def _publish_cancelled(order: Order, *, refunded: bool, was_paid: bool) -> None:
    publish(
        OutboxEvent,
        events.OrderCancelled(
            order_id=order.id,
            buyer_id=order.buyer_id,
            shop_id=order.shop_id,
            reason=order.cancel_reason,
            refunded=refunded,
            lines=_order_facts(order),
            was_paid=was_paid,
        ),
    )


def order_refund(*, order_id: int, reason: str, owner_user_id: int | None = None) -> Order:
    """Refunds a delivered or completed order; earned commissions are reversed."""
    reason = _reason(reason, _("Say why the order is refunded."))
    with transaction.atomic(using=ALIAS):
        order = _locked_order(order_id, owner_user_id=owner_user_id)
        if order.status not in (OrderStatus.DELIVERED, OrderStatus.COMPLETED):
            raise contracts.InvalidRequest(
                _("Only a delivered or completed order can be refunded; cancel it instead."),
                code="illegal_transition",
                fields={"status": [_("Cancel it instead.")]},
            )
        _transition(order, OrderStatus.REFUNDED, note=reason)
        order.cancel_reason = reason
        order.save(using=ALIAS, update_fields=["status", "cancel_reason"])
        now = timezone.now()
        for commission in order.commissions.using(ALIAS).filter(status=CommissionStatus.EARNED).order_by("id"):
            commission.status, commission.reversed_at = CommissionStatus.REVERSED, now
            commission.save(using=ALIAS, update_fields=["status", "reversed_at"])
            publish(OutboxEvent, events.CommissionReversed(**_commission_fields(commission)))
        # The units are not back on the shelf (they were delivered), but they no longer count as sold.
        _unsell(order.lines.all())
        _publish_cancelled(order, refunded=True, was_paid=True)
    return order


# --- Payment ----------------------------------------------------------------------------


def payment_open_session(*, payment_id: int) -> Payment:
    """Asks the gateway for its hosted page. Runs after checkout committed: no stock
    lock is held while the gateway is talked to."""
    payment = Payment.objects.using(ALIAS).get(id=payment_id)
    if payment.pay_url or payment.status != PaymentStatus.PENDING:
        return payment
    gateway = payments.gateway()
    session = gateway.create_session(reference=payment.reference, amount=payment.amount, method=payment.method)
    opened = {"gateway": gateway.name, "pay_url": session.pay_url, "virtual_account": session.virtual_account}
    with transaction.atomic(using=ALIAS):
        won = Payment.objects.using(ALIAS).filter(id=payment.id, pay_url="").update(**opened)
    if won:
        for name, value in opened.items():
            setattr(payment, name, value)
    else:  # a concurrent call opened it first: show its session
        payment.refresh_from_db(using=ALIAS)
    return payment


def payment_for_order(*, buyer_id: int, order_id: int) -> Payment:
    order = Order.objects.using(ALIAS).filter(id=order_id, buyer_id=buyer_id).first()
    if order is None:
        raise contracts.NotFound(_("Order not found."))
    if order.payment_id is None:
        raise _invalid("order_id", _("This order is paid on delivery."))
    if order.status != OrderStatus.PENDING_PAYMENT:
        raise _invalid("order_id", _("This order no longer awaits payment."))
    return payment_open_session(payment_id=order.payment_id)


def payment_notification_receive(*, body: bytes, signature: str) -> str:
    """Handles a gateway callback; returns its outcome. A repeat changes nothing; a
    forged or wrong-amount one changes nothing and is recorded and logged."""
    notification = payments.gateway().parse_notification(body=body, signature=signature)
    with transaction.atomic(using=ALIAS):
        if notification is None:
            outcome, reference = "forged", ""
        else:
            reference = notification.reference
            outcome = _apply_notification(notification)
        PaymentNotification.objects.using(ALIAS).create(
            reference=reference[:64], outcome=outcome, body=body.decode("utf-8", "replace")[:4000]
        )
    if outcome not in ("accepted", "duplicate", "failed"):
        logger.warning("payment notification refused: %s (reference %r)", outcome, reference)
    return outcome


def _apply_notification(notification: payments.Notification) -> str:
    # Payment first, then its orders in id order: the same lock order as expiry.
    payment = Payment.objects.using(ALIAS).select_for_update().filter(reference=notification.reference).first()
    if payment is None:
        return "unknown"
    if notification.amount != payment.amount:
        return "wrong_amount"
    if payment.status == PaymentStatus.PAID:
        return "duplicate"
    if payment.status != PaymentStatus.PENDING or notification.status != "paid":
        return "late" if notification.status == "paid" else "failed"
    payment.status, payment.paid_at = PaymentStatus.PAID, timezone.now()
    payment.save(using=ALIAS, update_fields=["status", "paid_at"])
    orders = (
        Order.objects.using(ALIAS)
        .select_for_update()
        .filter(payment=payment, status=OrderStatus.PENDING_PAYMENT)
        .order_by("id")
    )
    for order in orders:
        _transition(order, OrderStatus.PAID, note=payment.reference)
        order.stock_committed = True
        order.save(using=ALIAS, update_fields=["status", "stock_committed"])
        for line in sorted(order.lines.all(), key=lambda line: line.variant_id):
            _commit(line.variant_id, line.quantity)
        _publish_paid(order, _order_facts(order))
    return "accepted"


def payment_expire(*, payment_id: int) -> int:
    """Expires a payment past its window and its unpaid orders, releasing their stock.
    Idempotent: returns the number of orders expired by this call (0 on a repeat)."""
    with transaction.atomic(using=ALIAS):
        payment = Payment.objects.using(ALIAS).select_for_update().filter(id=payment_id).first()
        if payment is None or payment.status != PaymentStatus.PENDING or payment.expires_at > timezone.now():
            return 0
        payment.status = PaymentStatus.EXPIRED
        payment.save(using=ALIAS, update_fields=["status"])
        orders = list(
            Order.objects.using(ALIAS)
            .select_for_update()
            .filter(payment=payment, status=OrderStatus.PENDING_PAYMENT)
            .order_by("id")
        )
        for order in orders:
            _transition(order, OrderStatus.EXPIRED)
            order.save(using=ALIAS, update_fields=["status"])
            _give_back(order)
            publish(
                OutboxEvent,
                events.OrderExpired(
                    order_id=order.id, buyer_id=order.buyer_id, shop_id=order.shop_id, lines=_order_facts(order)
                ),
            )
    return len(orders)


# --- Reviews --------------------------------------------------------------------------


def review_submit(*, buyer_id: int, order_line_id: int, stars: int, text: str) -> Review:
    if isinstance(stars, bool) or not isinstance(stars, int) or not 1 <= stars <= 5:
        raise _invalid("stars", _("Give one to five stars."))
    text = (text or "").strip()
    if len(text) > 2000:
        raise _invalid("text", _("Keep the review under 2000 characters."))
    with transaction.atomic(using=ALIAS):
        line = (
            OrderLine.objects.using(ALIAS)
            .select_related("order")
            .filter(id=order_line_id, order__buyer_id=buyer_id)
            .first()
        )
        if line is None:
            raise contracts.NotFound(_("Order line not found."))
        if line.order.status not in (OrderStatus.DELIVERED, OrderStatus.COMPLETED):
            raise _invalid("order_line_id", _("You can review an item once it has been delivered."))
        # Lock the product, then the shop: the aggregates are recomputed under the locks.
        product = Product.objects.using(ALIAS).select_for_update().get(id=line.product_id)
        shop = Shop.objects.using(ALIAS).select_for_update().get(id=line.order.shop_id)
        if Review.objects.using(ALIAS).filter(order_line=line).exists():
            raise contracts.Conflict(
                _("You have already reviewed this item."),
                code="already_reviewed",
                fields={"order_line_id": [_("Already reviewed.")]},
            )
        review = Review.objects.using(ALIAS).create(
            order_line=line, product=product, shop=shop, buyer_id=buyer_id, stars=stars, text=text
        )
        product.rating, product.review_count = selectors.rating_of(Review.objects.using(ALIAS).filter(product=product))
        product.save(using=ALIAS, update_fields=["rating", "review_count", "updated_at"])
        shop.rating, shop.review_count = selectors.rating_of(Review.objects.using(ALIAS).filter(shop=shop))
        shop.save(using=ALIAS, update_fields=["rating", "review_count"])
        publish(
            OutboxEvent,
            events.ReviewPosted(
                review_id=review.id,
                product_id=product.id,
                shop_id=shop.id,
                stars=stars,
                product_rating=product.rating,
                product_review_count=product.review_count,
                shop_rating=shop.rating,
                shop_review_count=shop.review_count,
            ),
        )
        product_publish_card(product_id=product.id, was_active=product.status == ProductStatus.ACTIVE)
    return review


def review_reply(*, review_id: int, reply: str, owner_user_id: int | None = None) -> Review:
    reply = (reply or "").strip()
    if not reply or len(reply) > 2000:
        raise _invalid("reply", _("Write a reply of at most 2000 characters."))
    with transaction.atomic(using=ALIAS):
        reviews = Review.objects.using(ALIAS).select_for_update().filter(id=review_id)
        review = _owned(reviews, owner_user_id, "shop__owner_user_id", _("Review not found."))
        review.seller_reply = reply
        review.save(using=ALIAS, update_fields=["seller_reply"])
    return review


# --- Vouchers -------------------------------------------------------------------------

VOUCHER_FIELDS = (
    "code",
    "kind",
    "value",
    "min_spend",
    "max_discount",
    "starts_at",
    "ends_at",
    "usage_limit",
    "per_buyer_limit",
    "is_active",
)


def _voucher_errors(voucher: Voucher) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    voucher.code = (voucher.code or "").strip().upper()
    if not voucher.code or len(voucher.code) > 30 or not voucher.code.isalnum():
        errors["code"] = [_("Use 1 to 30 letters and digits.")]
    if voucher.kind not in VoucherKind.values:
        errors["kind"] = [_("Choose percentage or fixed amount.")]
    elif voucher.kind == VoucherKind.PERCENT and not 1 <= (voucher.value or 0) <= 100:
        errors["value"] = [_("A percentage is between 1 and 100.")]
    elif not 0 < (voucher.value or 0) <= 100_000_000:
        errors["value"] = [_("Enter an amount between Rp 1 and Rp 100.000.000.")]
    if voucher.starts_at is None or voucher.ends_at is None or voucher.starts_at >= voucher.ends_at:
        errors["ends_at"] = [_("The voucher must end after it starts.")]
    for name in ("min_spend", "max_discount", "usage_limit"):
        value = getattr(voucher, name)
        if value is not None and (not isinstance(value, int) or value < 0):
            errors[name] = [_("Enter zero or a positive whole number.")]
    if not isinstance(voucher.per_buyer_limit, int) or voucher.per_buyer_limit < 1:
        errors["per_buyer_limit"] = [_("Allow at least one use per buyer.")]
    if (
        voucher.usage_limit is not None
        and isinstance(voucher.usage_limit, int)
        and voucher.usage_limit < (voucher.used_count or 0)
    ):
        errors["usage_limit"] = [_("It has been used more often already.")]
    return errors


def _voucher_save(voucher: Voucher) -> Voucher:
    errors = _voucher_errors(voucher)
    if not errors and (
        Voucher.objects.using(ALIAS).filter(shop_id=voucher.shop_id, code=voucher.code).exclude(id=voucher.id).exists()
    ):
        errors["code"] = [_("This shop already has a voucher with this code.")]
    if errors:
        raise contracts.InvalidRequest(_("Please correct the voucher."), fields=errors)
    voucher.save(using=ALIAS)
    return voucher


def voucher_create(*, shop_id: int, owner_user_id: int | None = None, **fields) -> Voucher:
    _only_known(fields, VOUCHER_FIELDS)
    with transaction.atomic(using=ALIAS):
        shops = Shop.objects.using(ALIAS).filter(id=shop_id)
        _owned(shops, owner_user_id, "owner_user_id", _("Shop not found."))
        return _voucher_save(Voucher(shop_id=shop_id, **fields))


def voucher_update(*, voucher_id: int, owner_user_id: int | None = None, **fields) -> Voucher:
    _only_known(fields, VOUCHER_FIELDS)
    with transaction.atomic(using=ALIAS):
        vouchers = Voucher.objects.using(ALIAS).select_for_update().filter(id=voucher_id)
        voucher = _owned(vouchers, owner_user_id, "shop__owner_user_id", _("Voucher not found."))
        for name, value in fields.items():
            setattr(voucher, name, value)
        return _voucher_save(voucher)
