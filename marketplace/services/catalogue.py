"""Products and variants: creation, edits, status, and the cards the storefront shows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypedDict, cast

from django.core.files import File
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from integration import contracts, events
from integration.publish import publish

from .. import rules, selectors
from ..models import (
    OutboxEvent,
    Product,
    ProductStatus,
    Shop,
    StockAdjustment,
    Variant,
)
from ._common import ALIAS, UNSET, _invalid, _owned


def product_publish_card(*, product_id: int, was_active: bool = False) -> None:
    """Publishes the product's card: `published` on first activation, else `updated`,
    `unpublished` when it left the active state. Call inside the change's transaction."""
    product = Product.objects.using(ALIAS).only("status").get(id=product_id)
    if product.status != ProductStatus.ACTIVE:
        if was_active:
            publish(OutboxEvent, events.ProductUnpublished(product_id=product_id, revision=_next_revision(product_id)))
        return
    _next_revision(product_id)  # the card below carries it
    card = selectors.product_card_facts_by_id(product_id)
    event_class = events.ProductUpdated if was_active else events.ProductPublished
    publish(OutboxEvent, event_class(product=card))


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


class VariantData(TypedDict, total=False):
    """One variant of a new product; `stock_on_hand` is its opening stock, kept in the audit."""

    name: str
    sku: str
    price: int
    weight_grams: int
    max_per_order: int
    stock_on_hand: int


def _given(**fields) -> dict:
    """The fields the caller gave: an edit changes only those."""
    return {name: value for name, value in fields.items() if value is not UNSET}


def product_create(
    *,
    shop_id: int,
    title: str,
    owner_user_id: int | None = None,
    actor_user_id: int | None = None,
    description: str = "",
    category_id: int | None = None,
    image: File | None = None,
    image_url: str = "",
    commission_bp: int = 0,
    variants: Sequence[VariantData] = (),
) -> Product:
    """Creates a draft product with its variants. Each variant's opening stock is a stock
    adjustment by `actor_user_id` (the owner when not given), as every later change is.
    Publish the product with `product_set_status`."""
    actor_user_id = owner_user_id if actor_user_id is None else actor_user_id
    with transaction.atomic(using=ALIAS):
        shops = Shop.objects.using(ALIAS).filter(id=shop_id)
        _owned(shops, owner_user_id, "owner_user_id", _("Shop not found."))
        product = Product(
            shop_id=shop_id,
            status=ProductStatus.DRAFT,
            title=title,
            description=description,
            category_id=category_id,
            image=image,
            image_url=image_url,
            commission_bp=commission_bp,
        )
        errors = rules.product_errors(product)
        if found := rules.variant_count_errors(len(variants)):
            errors["variants"] = found
        new_variants: list[Variant] = []
        openings: list[int] = []
        for index, data in enumerate(variants):
            unknown = sorted(set(data) - {*VARIANT_FIELDS, "stock_on_hand"})
            if unknown:
                raise _invalid(f"variants.{index}.{unknown[0]}", _("Unknown field."))
            variant = Variant(**{name: value for name, value in data.items() if name in VARIANT_FIELDS})
            variant_errors = rules.variant_errors(variant, taken_skus={v.sku for v in new_variants})
            opening = data.get("stock_on_hand", 0)
            if found := rules.opening_stock_errors(opening):
                variant_errors["stock_on_hand"] = found
            errors.update({f"variants.{index}.{k}": v for k, v in variant_errors.items()})
            new_variants.append(variant)
            openings.append(opening)
        if errors:
            raise contracts.InvalidRequest(_("Please correct the product."), fields=errors)
        if any(openings) and actor_user_id is None:
            raise ValueError("Opening stock needs the user who counted it (actor_user_id).")
        product.save(using=ALIAS)
        for variant, opening in zip(new_variants, openings, strict=True):
            variant.product, variant.stock_on_hand = product, opening
            variant.save(using=ALIAS)
            if opening:
                StockAdjustment.objects.using(ALIAS).create(
                    variant=variant,
                    actor_user_id=cast(int, actor_user_id),  # checked above: opening stock has its counter
                    delta=opening,
                    on_hand_after=opening,
                    reason=str(rules.OPENING_STOCK_REASON),
                )
    return product


def product_update(
    *,
    product_id: int,
    owner_user_id: int | None = None,
    title: str = UNSET,
    description: str = UNSET,
    category_id: int | None = UNSET,
    image: File | None = UNSET,
    image_url: str = UNSET,
    commission_bp: int = UNSET,
) -> Product:
    """Edits the fields given; the others keep their values."""
    fields = _given(
        title=title,
        description=description,
        category_id=category_id,
        image=image,
        image_url=image_url,
        commission_bp=commission_bp,
    )
    with transaction.atomic(using=ALIAS):
        product = _locked_product(product_id, owner_user_id)
        for name, value in fields.items():
            setattr(product, name, value)
        errors = rules.product_errors(product)
        if errors:
            raise contracts.InvalidRequest(_("Please correct the product."), fields=errors)
        product.save(using=ALIAS)
        if product.status == ProductStatus.ACTIVE:
            product_publish_card(product_id=product.id, was_active=True)
    return product


def variant_update(
    *,
    variant_id: int,
    owner_user_id: int | None = None,
    name: str = UNSET,
    sku: str = UNSET,
    price: int = UNSET,
    weight_grams: int = UNSET,
    max_per_order: int = UNSET,
) -> Variant:
    """Edits a variant's price, weight, name, SKU or limit; stock moves only through `stock_adjust`."""
    fields = _given(name=name, sku=sku, price=price, weight_grams=weight_grams, max_per_order=max_per_order)
    with transaction.atomic(using=ALIAS):
        variants = Variant.objects.using(ALIAS).select_for_update().select_related("product").filter(id=variant_id)
        variant = _owned(variants, owner_user_id, "product__shop__owner_user_id", _("Variant not found."))
        for field, value in fields.items():
            setattr(variant, field, value)
        _variant_save(variant, variant.product)
    return variant


def variant_create(
    *,
    product_id: int,
    name: str,
    sku: str,
    price: int,
    owner_user_id: int | None = None,
    weight_grams: int = 500,
    max_per_order: int = 100,
) -> Variant:
    """Adds a variant with no stock to an existing product; stock arrives through `stock_adjust`."""
    with transaction.atomic(using=ALIAS):
        product = _locked_product(product_id, owner_user_id)
        variant = Variant(
            product=product, name=name, sku=sku, price=price, weight_grams=weight_grams, max_per_order=max_per_order
        )
        if found := rules.variant_count_errors(product.variants.count() + 1):
            raise _invalid("variants", found[0])
        _variant_save(variant, product)
    return variant


def _variant_save(variant: Variant, product: Product) -> None:
    """Checks and saves a variant, refreshing its product's card when the product is on sale."""
    errors = rules.variant_errors(variant)
    if errors:
        raise contracts.InvalidRequest(_("Please correct the variant."), fields=errors)
    variant.save(using=ALIAS)
    if product.status == ProductStatus.ACTIVE:
        product_publish_card(product_id=product.id, was_active=True)
