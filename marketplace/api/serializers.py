"""Shapes of the seller API: the marketplace's own records, read by their owner."""

from django.db import models
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from integration import contracts

from .. import disbursements, rules
from ..models import (
    LedgerTransaction,
    Order,
    OrderLine,
    PayoutStatus,
    Product,
    ProductStatus,
    Review,
    Shop,
    StockAdjustment,
    Variant,
    Voucher,
    VoucherKind,
)


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
    name = TextField(**rules.VARIANT_NAME.field_kwargs())
    sku = TextField(**rules.SKU.field_kwargs())
    price = serializers.IntegerField(**rules.PRICE.field_kwargs(), help_text=_("Rupiah"))
    weight_grams = serializers.IntegerField(**rules.WEIGHT_GRAMS.field_kwargs())
    max_per_order = serializers.IntegerField(**rules.MAX_PER_ORDER.field_kwargs(), required=False)


class VariantCreateSerializer(VariantWriteSerializer):
    stock_on_hand = serializers.IntegerField(
        **rules.OPENING_STOCK.field_kwargs(), default=0, help_text=_("Opening stock, kept in the stock audit.")
    )


class VariantUpdateSerializer(VariantWriteSerializer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, partial=True, **kwargs)


class ProductWriteSerializer(serializers.Serializer):
    title = TextField(**rules.TITLE.field_kwargs())
    description = TextField(allow_blank=True, required=False, **rules.DESCRIPTION.field_kwargs())
    category_id = serializers.IntegerField(**rules.ID.field_kwargs(), allow_null=True, required=False)
    image_url = TextField(allow_blank=True, required=False, **rules.IMAGE_URL.field_kwargs())
    commission_bp = serializers.IntegerField(**rules.COMMISSION_BP.field_kwargs(), required=False)


class ProductCreateSerializer(ProductWriteSerializer):
    shop_id = serializers.IntegerField(**rules.ID.field_kwargs())
    variants = VariantCreateSerializer(  # type: ignore[call-arg]  # max_length goes to the list
        many=True,
        max_length=rules.VARIANTS_PER_PRODUCT,
        error_messages={"max_length": rules.VARIANTS_TOO_MANY},
    )


class ProductUpdateSerializer(ProductWriteSerializer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, partial=True, **kwargs)


class ProductStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ProductStatus.choices)


class ProductImageSerializer(serializers.Serializer):
    image = serializers.ImageField()


@extend_schema_field(rules.STOCK_DELTA.schema())
class StockDeltaField(serializers.IntegerField):
    """The stock rule's range without zero: a change of nothing is no change."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if value in rules.STOCK_DELTA.excluded:
            raise serializers.ValidationError(str(rules.STOCK_DELTA.message))
        return value


class StockAdjustSerializer(serializers.Serializer):
    delta = StockDeltaField(**rules.STOCK_DELTA.field_kwargs(), help_text=_("Units to add; negative to remove."))
    reason = TextField(**rules.STOCK_REASON.field_kwargs())


class StockAdjustmentSerializer(ModelSerializer):
    class Meta:
        model = StockAdjustment
        fields = ["id", "variant_id", "delta", "on_hand_after", "reason", "created_at"]
        read_only_fields = fields  # answers only; and no database-dependent bounds in the schema


class OrderShipSerializer(serializers.Serializer):
    courier = serializers.ChoiceField(choices=contracts.COURIER_CODES)
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
    code = TextField(**rules.VOUCHER_CODE.field_kwargs())
    kind = serializers.ChoiceField(
        choices=VoucherKind.choices, error_messages={"invalid_choice": rules.VOUCHER_KIND_UNKNOWN}
    )
    value = serializers.IntegerField(**rules.VOUCHER_AMOUNT.field_kwargs(), help_text=_("Percent (1-100) or rupiah"))
    min_spend = serializers.IntegerField(**rules.VOUCHER_MIN_SPEND.field_kwargs(), required=False)
    max_discount = serializers.IntegerField(
        **rules.VOUCHER_MAX_DISCOUNT.field_kwargs(), allow_null=True, required=False
    )
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    usage_limit = serializers.IntegerField(**rules.VOUCHER_USAGE_LIMIT.field_kwargs(), allow_null=True, required=False)
    per_buyer_limit = serializers.IntegerField(**rules.VOUCHER_PER_BUYER_LIMIT.field_kwargs(), required=False)
    is_active = serializers.BooleanField(required=False)


class VoucherCreateSerializer(VoucherWriteSerializer):
    shop_id = serializers.IntegerField(**rules.ID.field_kwargs())


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


# --- Money: balances, statements, bank accounts, payouts (read from integration DTOs) ------------


class SellerBalanceSerializer(serializers.Serializer):
    payee_id = serializers.IntegerField(help_text=_("The shop's id"))
    pending = serializers.IntegerField(help_text=_("Earned on orders not completed yet"))
    available = serializers.IntegerField(help_text=_("May be withdrawn"))
    in_flight = serializers.IntegerField(help_text=_("Withdrawn, not yet confirmed by the bank"))
    currency = TextField()


BUCKETS = ["pending", "available", "in_flight"]


class SellerStatementLineSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    kind = serializers.ChoiceField(choices=LedgerTransaction.Kind.choices)
    bucket = serializers.ChoiceField(choices=BUCKETS)
    description = TextField()
    amount = serializers.IntegerField(help_text=_("Positive: into the balance; negative: out of it"))
    balance_after = serializers.IntegerField()
    order_number = TextField()
    payout_reference = TextField()


class SellerStatementSerializer(serializers.Serializer):
    payee_id = serializers.IntegerField(help_text=_("The shop's id"))
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    opening = serializers.IntegerField()
    closing = serializers.IntegerField(help_text=_("The opening balance plus every line's amount"))
    currency = TextField()
    lines = SellerStatementLineSerializer(many=True)


def _shop_field():
    return serializers.IntegerField(
        required=False, help_text=_("The shop's id; needed only by owners of several shops"), **rules.ID.field_kwargs()
    )


StatementQuerySerializer = type(
    "StatementQuerySerializer",
    (serializers.Serializer,),
    {
        "from": serializers.DateField(help_text=_("First day, in Asia/Jakarta")),
        "to": serializers.DateField(
            # Formatted when read, so that the text follows the active language.
            help_text=lazy(
                lambda: (
                    _("Last day, in Asia/Jakarta; at most %(n)d days after the first") % {"n": rules.STATEMENT_MAX_DAYS}
                ),
                str,
            )()
        ),
        "shop": _shop_field(),
    },
)


class ShopQuerySerializer(serializers.Serializer):
    shop = _shop_field()


class SellerBankAccountSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    bank_code = TextField()
    bank_name = TextField()
    number_masked = TextField()
    holder_name = TextField(help_text=_("As the bank knows it"))
    verified = serializers.BooleanField()
    created_at = serializers.DateTimeField()


class BankAccountCreateSerializer(serializers.Serializer):
    shop = _shop_field()
    bank_code = serializers.ChoiceField(choices=sorted(disbursements.BANKS.items()))
    number = TextField(max_length=30)


class SellerPayoutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = TextField()
    bank_account_id = serializers.IntegerField()
    amount = serializers.IntegerField()
    status = serializers.ChoiceField(choices=PayoutStatus.choices)
    requested_at = serializers.DateTimeField()
    settled_at = serializers.DateTimeField(allow_null=True)
    failure_reason = TextField()
    currency = TextField()


class PayoutCreateSerializer(serializers.Serializer):
    shop = _shop_field()
    bank_account_id = serializers.IntegerField(**rules.ID.field_kwargs())
    amount = serializers.IntegerField(max_value=rules.PAYOUT_AMOUNT_MAX, help_text=_("Whole rupiah"))
