"""Products and variants: creation, edits, status, and the cards the storefront shows."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from integration import contracts, events
from integration.publish import publish

from .. import selectors
from ..models import (
    Category,
    OutboxEvent,
    Product,
    ProductStatus,
    Shop,
    Variant,
)
from ._common import ALIAS, _invalid, _only_known, _owned


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
