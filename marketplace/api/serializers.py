"""Shapes of the seller API: the marketplace's own records, read by their owner."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..models import (
    Order,
    OrderLine,
    Product,
    ProductStatus,
    Review,
    Shop,
    StockAdjustment,
    Variant,
    Voucher,
    VoucherKind,
)

# Ids fit the smallest id column of either database (PostgreSQL's integer).
ID_MAX = 2**31 - 1


class TextField(serializers.CharField):
    """Text only: a number or a list where text belongs is bad input, not text. Its length
    is checked as sent, before trimming, so the documented maxLength holds for the raw value."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        if self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().to_internal_value(data)


# Model text fields become `TextField`s: text only, length checked as sent. (A comment, not
# a docstring: drf-spectacular would copy a docstring into every subclass's schema.)
class ModelSerializer(serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: TextField,
        models.TextField: TextField,
    }


class ShopSerializer(ModelSerializer):
    class Meta:
        model = Shop
        fields = ["id", "name", "slug", "city", "province", "is_local_business", "rating", "review_count"]


class SellerVariantSerializer(ModelSerializer):
    stock_available = serializers.IntegerField(read_only=True)

    class Meta:
        model = Variant
        fields = [
            "id",
            "name",
            "sku",
            "price",
            "weight_grams",
            "stock_on_hand",
            "stock_reserved",
            "stock_available",
            "max_per_order",
        ]


class SellerProductSerializer(ModelSerializer):
    image_url = TextField(source="display_image_url", read_only=True)
    variants = SellerVariantSerializer(many=True, read_only=True)

    class Meta:
        model = Product
        fields = [
            "id",
            "shop_id",
            "category_id",
            "title",
            "description",
            "image_url",
            "status",
            "commission_bp",
            "rating",
            "review_count",
            "sold_count",
            "created_at",
            "updated_at",
            "variants",
        ]


class SellerOrderLineSerializer(ModelSerializer):
    class Meta:
        model = OrderLine
        fields = [
            "id",
            "product_id",
            "variant_id",
            "title",
            "variant_name",
            "unit_price",
            "quantity",
            "attribution_source",
        ]


class SellerOrderSerializer(ModelSerializer):
    lines = SellerOrderLineSerializer(many=True, read_only=True)

    class Meta:
        model = Order
        fields = [
            "id",
            "number",
            "shop_id",
            "buyer_id",
            "status",
            "payment_method",
            "subtotal",
            "shipping_fee",
            "discount",
            "total",
            "currency",
            "recipient",
            "phone",
            "street",
            "city",
            "province",
            "postal_code",
            "placed_at",
            "courier",
            "tracking_number",
            "cancel_reason",
            "lines",
        ]


# --- Writes: validated here for shape, by the services for meaning -------------------------


class VariantWriteSerializer(serializers.Serializer):
    name = TextField(max_length=120)
    sku = TextField(max_length=60)
    price = serializers.IntegerField(min_value=1, max_value=1_000_000_000, help_text=_("Rupiah"))
    weight_grams = serializers.IntegerField(min_value=1, max_value=100_000)
    max_per_order = serializers.IntegerField(min_value=1, max_value=999, required=False)


class VariantCreateSerializer(VariantWriteSerializer):
    stock_on_hand = serializers.IntegerField(min_value=0, max_value=1_000_000, default=0)


class VariantUpdateSerializer(VariantWriteSerializer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, partial=True, **kwargs)


class ProductWriteSerializer(serializers.Serializer):
    title = TextField(max_length=200)
    description = TextField(allow_blank=True, required=False, max_length=10_000)
    category_id = serializers.IntegerField(min_value=1, max_value=ID_MAX, allow_null=True, required=False)
    image_url = TextField(allow_blank=True, required=False, max_length=300)
    commission_bp = serializers.IntegerField(min_value=0, max_value=8000, required=False)


class ProductCreateSerializer(ProductWriteSerializer):
    shop_id = serializers.IntegerField(min_value=1, max_value=ID_MAX)
    variants = VariantCreateSerializer(many=True, max_length=50)


class ProductUpdateSerializer(ProductWriteSerializer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, partial=True, **kwargs)


class ProductStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ProductStatus.choices)


class ProductImageSerializer(serializers.Serializer):
    image = serializers.ImageField()


class StockAdjustSerializer(serializers.Serializer):
    delta = serializers.IntegerField(
        min_value=-1_000_000, max_value=1_000_000, help_text=_("Units to add; negative to remove.")
    )
    reason = TextField(max_length=255)


class StockAdjustmentSerializer(ModelSerializer):
    class Meta:
        model = StockAdjustment
        fields = ["id", "variant_id", "delta", "on_hand_after", "reason", "created_at"]
        read_only_fields = fields  # answers only; and no database-dependent bounds in the schema


class OrderShipSerializer(serializers.Serializer):
    courier = TextField(max_length=40)
    tracking_number = TextField(max_length=60)


class ReasonSerializer(serializers.Serializer):
    reason = TextField(max_length=255)


class VoucherSerializer(ModelSerializer):
    class Meta:
        model = Voucher
        fields = [
            "id",
            "shop_id",
            "code",
            "kind",
            "value",
            "min_spend",
            "max_discount",
            "starts_at",
            "ends_at",
            "usage_limit",
            "per_buyer_limit",
            "used_count",
            "is_active",
        ]
        read_only_fields = fields


class VoucherWriteSerializer(serializers.Serializer):
    code = TextField(max_length=30)
    kind = serializers.ChoiceField(choices=VoucherKind.choices)
    value = serializers.IntegerField(min_value=1, max_value=100_000_000)
    min_spend = serializers.IntegerField(min_value=0, max_value=10**12, required=False)
    max_discount = serializers.IntegerField(min_value=0, max_value=10**12, allow_null=True, required=False)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    usage_limit = serializers.IntegerField(min_value=0, max_value=10**9, allow_null=True, required=False)
    per_buyer_limit = serializers.IntegerField(min_value=1, max_value=10**6, required=False)
    is_active = serializers.BooleanField(required=False)


class VoucherCreateSerializer(VoucherWriteSerializer):
    shop_id = serializers.IntegerField(min_value=1, max_value=ID_MAX)


class SellerReviewSerializer(ModelSerializer):
    class Meta:
        model = Review
        fields = ["id", "product_id", "shop_id", "order_line_id", "stars", "text", "seller_reply", "created_at"]
        read_only_fields = fields


class ReviewReplySerializer(serializers.Serializer):
    reply = TextField(max_length=2000)


class AttributedSalesSerializer(serializers.Serializer):
    shop_id = serializers.IntegerField()
    shop_name = TextField()
    sales = serializers.IntegerField(help_text=_("Rupiah of sold order lines that came through creators"))
    commission_owed = serializers.IntegerField(help_text=_("Rupiah earned by creators and not reversed"))
