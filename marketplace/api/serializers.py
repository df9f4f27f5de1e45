"""Shapes of the seller API: the marketplace's own records, read by their owner."""

from rest_framework import serializers

from ..models import Order, OrderLine, Product, Shop, Variant


class ShopSerializer(serializers.ModelSerializer):
    class Meta:
        model = Shop
        fields = ["id", "name", "slug", "city", "province", "is_local_business", "rating", "review_count"]


class SellerVariantSerializer(serializers.ModelSerializer):
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


class SellerProductSerializer(serializers.ModelSerializer):
    image_url = serializers.CharField(source="display_image_url", read_only=True)
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


class SellerOrderLineSerializer(serializers.ModelSerializer):
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


class SellerOrderSerializer(serializers.ModelSerializer):
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
            "lines",
        ]
