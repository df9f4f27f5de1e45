"""Bulk import and export of a seller's products and variants (CSV and XLSX in the admin)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields

from backoffice.imports import KnownForeignKeyWidget, OwnedForeignKeyWidget, OwnedModelResource

from . import services
from .models import Category, Product, ProductStatus, Shop, Variant

MAX_COMMISSION_BP = 8000  # the product_commission_at_most_80pct constraint


def variant_problems(variant: Variant) -> dict[str, str]:
    """What the database's constraints would refuse, in plain words."""
    problems = {}
    if variant.price is not None and variant.price <= 0:
        problems["price"] = _("The price must be more than Rp 0.")
    if variant.stock_on_hand is not None and variant.stock_on_hand < variant.stock_reserved:
        problems["stock_on_hand"] = _(
            "Stock on hand cannot go below the %(reserved)s units reserved for open orders."
        ) % {"reserved": variant.stock_reserved}
    return problems


def product_problems(product: Product) -> dict[str, str]:
    if product.commission_bp is not None and product.commission_bp > MAX_COMMISSION_BP:
        return {"commission_bp": _("The commission is at most 8000 basis points (80%).")}
    return {}


def _with_problems(errors: dict | None, problems: dict[str, str]) -> dict | None:
    merged = dict(errors or {})
    for field, message in problems.items():
        merged.setdefault(field, []).append(message)
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
        instance._was_active = instance.pk is not None and instance.status == ProductStatus.ACTIVE
        super().import_instance(instance, row, **kwargs)

    def after_save_instance(self, instance, row, **kwargs):
        # Same transaction as the write: the storefront's card follows through the outbox.
        services.product_publish_card(product_id=instance.pk, was_active=instance._was_active)


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

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.touched_products: set[int] = set()

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = _with_problems(import_validation_errors, variant_problems(instance))
        super().validate_instance(instance, errors, validate_unique)

    def after_save_instance(self, instance, row, **kwargs):
        self.touched_products.add(instance.product_id)

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        # Prices and stock show on the product cards: refresh each active product once.
        active = Product.objects.filter(id__in=self.touched_products, status=ProductStatus.ACTIVE)
        for product_id in active.values_list("id", flat=True):
            services.product_publish_card(product_id=product_id, was_active=True)
