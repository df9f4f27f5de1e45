"""Bulk import and export of a seller's products and variants (CSV and XLSX in the admin)."""

from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields

from backoffice.imports import KnownForeignKeyWidget, OwnedForeignKeyWidget, OwnedModelResource
from integration.contracts import PortError

from . import rules, services
from .models import Category, Product, ProductStatus, Shop, Variant


def variant_problems(variant: Variant) -> dict[str, list[str]]:
    """The rulebook's objections to a variant's row, its stock included: the opening stock of a
    new variant, or the count of an existing one, never below what open orders reserved."""
    problems = rules.variant_errors(variant)
    found = rules.opening_stock_errors(variant.stock_on_hand)
    if not found and variant.pk is not None:
        found = rules.stock_floor_errors(variant.stock_on_hand, variant.stock_reserved)
    if found:
        problems["stock_on_hand"] = found
    return problems


def product_problems(product: Product) -> dict[str, list[str]]:
    problems = rules.product_errors(product)
    if "category_id" in problems:
        problems["category"] = problems.pop("category_id")
    return problems


PRODUCT_FIELDS = ("title", "description", "category_id", "image_url", "commission_bp")
VARIANT_FIELDS = ("name", "sku", "price", "weight_grams", "max_per_order")
IMPORT_REASON = gettext_lazy("Opening stock from an imported file")


@contextmanager
def _row_errors():
    """A service's refusal as the row's validation error: the file is refused, in plain words."""
    try:
        yield
    except PortError as error:
        raise ValidationError(error.fields or {"__all__": [error.message]}) from error


def _with_problems(errors: dict | None, problems: dict[str, list[str]]) -> dict | None:
    """The row's column errors, and the rulebook's for the other fields: a field the rulebook
    refuses is not checked again by the model, so that its message is the rulebook's alone."""
    merged = dict(errors or {})
    for field, messages in problems.items():
        merged.setdefault(field, messages)
    return merged or None


class ProductResource(OwnedModelResource):
    owner_field = "shop__owner_user_id"
    id_missing = gettext_lazy("Product %(value)s is not one of your products. Leave the id empty to add a new product.")

    shop = fields.Field(
        attribute="shop",
        column_name="shop",
        widget=OwnedForeignKeyWidget(
            Shop,
            "slug",
            owner_field="owner_user_id",
            missing=gettext_lazy("You have no shop with the code “%(value)s”."),
        ),
    )
    category = fields.Field(
        attribute="category",
        column_name="category",
        widget=KnownForeignKeyWidget(Category, "slug", missing=gettext_lazy("No category has the code “%(value)s”.")),
    )

    class Meta:
        model = Product
        fields = ("id", "shop", "title", "description", "category", "status", "commission_bp", "image_url")
        export_order = fields
        use_transactions = True
        clean_model_instances = True
        skip_unchanged = True

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = _with_problems(import_validation_errors, product_problems(instance))
        super().validate_instance(instance, errors, validate_unique)

    def import_instance(self, instance, row, **kwargs):
        instance._before = (instance.shop_id, instance.status) if instance.pk else None
        super().import_instance(instance, row, **kwargs)

    def do_instance_save(self, instance, is_create):
        # Through the catalogue services, like the admin's forms: they publish the card.
        fields = {name: getattr(instance, name) for name in PRODUCT_FIELDS}
        with _row_errors():
            if is_create:
                saved = services.product_create(shop_id=instance.shop_id, owner_user_id=self.owner, **fields)
                instance.pk = saved.pk
                moved = instance.status != ProductStatus.DRAFT
            else:
                shop_before, status_before = instance._before
                if instance.shop_id != shop_before:
                    raise ValidationError({"shop": [_("A product stays in its shop; add it anew in the other.")]})
                services.product_update(product_id=instance.pk, owner_user_id=self.owner, **fields)
                moved = instance.status != status_before
            if moved:
                services.product_set_status(product_id=instance.pk, status=instance.status, owner_user_id=self.owner)


class VariantResource(OwnedModelResource):
    owner_field = "product__shop__owner_user_id"

    product = fields.Field(
        attribute="product",
        column_name="product_id",
        widget=OwnedForeignKeyWidget(
            Product,
            "id",
            owner_field="shop__owner_user_id",
            missing=gettext_lazy("Product %(value)s is not one of your products."),
        ),
    )

    class Meta:
        model = Variant
        import_id_fields = ("sku",)
        fields = ("sku", "product", "name", "price", "weight_grams", "stock_on_hand", "max_per_order")
        export_order = fields
        use_transactions = True
        clean_model_instances = True
        skip_unchanged = True

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = _with_problems(import_validation_errors, variant_problems(instance))
        super().validate_instance(instance, errors, validate_unique)

    def import_instance(self, instance, row, **kwargs):
        instance._before = (instance.product_id, instance.stock_on_hand) if instance.pk else (None, 0)
        super().import_instance(instance, row, **kwargs)

    def do_instance_save(self, instance, is_create):
        # Through the catalogue services; stock moves only through `stock_adjust`, so that
        # every unit a file adds or removes is in the audit with who and why.
        fields = {name: getattr(instance, name) for name in VARIANT_FIELDS}
        product_before, stock_before = instance._before
        with _row_errors():
            if is_create:
                saved = services.variant_create(product_id=instance.product_id, owner_user_id=self.owner, **fields)
                instance.pk = saved.pk
            else:
                if instance.product_id != product_before:
                    raise ValidationError({"product": [_("A variant stays with its product.")]})
                services.variant_update(variant_id=instance.pk, owner_user_id=self.owner, **fields)
            delta = (instance.stock_on_hand or 0) - stock_before
            if delta:
                services.stock_adjust(
                    variant_id=instance.pk,
                    actor_user_id=self.user.pk,
                    delta=delta,
                    reason=IMPORT_REASON if is_create else _("Stock count from an imported file"),
                    owner_user_id=self.owner,
                )
