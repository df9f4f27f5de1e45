"""Shapes of the storefront API. Marketplace answers arrive as integration DTOs and are shaped here, read-only."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from integration import contracts
from integration.money import BANKS

from .. import rules
from ..forms import PAYMENT_METHODS
from ..models import Campaign, Comment, Creator, Post, ProductCard, ShopCard


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


# --- Discovery ------------------------------------------------------------------------


class ProductCardSerializer(ModelSerializer):
    id = serializers.IntegerField(source="product_id", read_only=True)

    class Meta:
        model = ProductCard
        fields = [
            "id",
            "title",
            "image_url",
            "price_min",
            "price_max",
            "currency",
            "in_stock",
            "rating",
            "review_count",
            "sold_count",
            "category_id",
            "category_name",
            "shop_id",
            "shop_name",
            "shop_slug",
            "shop_city",
            "shop_province",
            "is_local_business",
        ]


class VariantSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = TextField()
    sku = TextField()
    price = serializers.IntegerField(help_text=_("Rupiah"))
    currency = TextField()
    stock_available = serializers.IntegerField()
    in_stock = serializers.BooleanField()
    max_per_order = serializers.IntegerField()


class ProductDetailSerializer(ProductCardSerializer):
    description = TextField(read_only=True)
    stock_state = serializers.ChoiceField(choices=["in_stock", "out_of_stock"], read_only=True)
    variants = VariantSerializer(many=True, read_only=True)
    free_shipping = serializers.BooleanField(
        read_only=True, help_text=_("Its shop ships free now (a free-shipping campaign is running).")
    )

    class Meta(ProductCardSerializer.Meta):
        fields = [*ProductCardSerializer.Meta.fields, "description", "stock_state", "variants", "free_shipping"]


class CreatorSerializer(ModelSerializer):
    class Meta:
        model = Creator
        fields = ["id", "handle", "display_name", "bio", "follower_count"]


class CreatorBriefSerializer(ModelSerializer):
    class Meta:
        model = Creator
        fields = ["id", "handle", "display_name"]


class PostSerializer(serializers.Serializer):
    """A `selectors.PostView`: the post and the cards of the products it tags."""

    id = serializers.IntegerField(source="post.id")
    creator = CreatorBriefSerializer(source="post.creator")
    caption = TextField(source="post.caption")
    poster_url = TextField(source="post.poster_url")
    like_count = serializers.IntegerField(source="post.like_count")
    comment_count = serializers.IntegerField(source="post.comment_count")
    published_at = serializers.DateTimeField(source="post.published_at", allow_null=True)
    products = ProductCardSerializer(many=True)


# --- Cart -----------------------------------------------------------------------------


class CartLineSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    variant_id = serializers.IntegerField()
    product_id = serializers.IntegerField()
    shop_id = serializers.IntegerField()
    shop_name = TextField()
    title = TextField()
    variant_name = TextField()
    unit_price = serializers.IntegerField()
    price_when_added = serializers.IntegerField()
    quantity = serializers.IntegerField()
    stock_available = serializers.IntegerField()
    line_total = serializers.IntegerField()
    price_changed = serializers.BooleanField()
    short_of_stock = serializers.BooleanField()


class CartSerializer(serializers.Serializer):
    lines = CartLineSerializer(many=True)
    currency = TextField()
    total = serializers.IntegerField()
    item_count = serializers.IntegerField()


class CartItemCreateSerializer(serializers.Serializer):
    variant_id = serializers.IntegerField(**rules.ID_FIELD)
    quantity = serializers.IntegerField(min_value=1, max_value=999)


class CartItemUpdateSerializer(serializers.Serializer):
    quantity = serializers.IntegerField(min_value=1, max_value=999, help_text=_("DELETE removes the line."))


# --- Checkout and orders -----------------------------------------------------------------


class AddressSerializer(serializers.Serializer):
    recipient = TextField(max_length=120)
    phone = serializers.RegexField(r"^\+?[0-9 -]{8,20}$", max_length=30)
    street = TextField(max_length=255)
    city = TextField(max_length=80)
    province = TextField(max_length=80)
    postal_code = serializers.RegexField(r"^[0-9]{5}$", max_length=5)


class CourierField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=contracts.COURIER_CODES, **kwargs)


class ShippingChoiceSerializer(serializers.Serializer):
    shop_id = serializers.IntegerField(**rules.ID_FIELD)
    courier = CourierField(help_text=_("A courier's code, as listed by `GET /api/v1/couriers/`."))


class CourierSerializer(serializers.Serializer):
    code = CourierField()
    name = TextField()
    etd_days = TextField(help_text=_("Estimated days on the way, e.g. 2-3."))


class VoucherChoiceSerializer(serializers.Serializer):
    shop_id = serializers.IntegerField(**rules.ID_FIELD)
    code = TextField(max_length=40)


class AttributionSerializer(serializers.Serializer):
    product_id = serializers.IntegerField(**rules.ID_FIELD)
    source = serializers.ChoiceField(choices=contracts.ATTRIBUTION_SOURCES)  # type: ignore[assignment]
    creator_id = serializers.IntegerField(**rules.ID_FIELD, required=False, allow_null=True, default=None)
    post_id = serializers.IntegerField(**rules.ID_FIELD, required=False, allow_null=True, default=None)
    campaign_id = serializers.IntegerField(**rules.ID_FIELD, required=False, allow_null=True, default=None)


class CheckoutRequestSerializer(serializers.Serializer):
    # With many=True, max_length goes to the list serializer (the stubs do not know it).
    address = AddressSerializer()
    payment_method = serializers.ChoiceField(choices=PAYMENT_METHODS)
    shipping = ShippingChoiceSerializer(many=True, required=False, default=list, max_length=50)  # type: ignore[call-arg]
    vouchers = VoucherChoiceSerializer(many=True, required=False, default=list, max_length=50)  # type: ignore[call-arg]
    attributions = AttributionSerializer(many=True, required=False, default=list, max_length=100)  # type: ignore[call-arg]
    platform_voucher = TextField(
        max_length=40,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("A platform voucher code, for every shop."),
    )


class StatusChangeSerializer(serializers.Serializer):
    status = TextField()
    at = serializers.DateTimeField()
    note = TextField()


class OrderLineSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    product_id = serializers.IntegerField()
    variant_id = serializers.IntegerField()
    title = TextField()
    variant_name = TextField()
    unit_price = serializers.IntegerField()
    quantity = serializers.IntegerField()
    line_total = serializers.IntegerField()
    reviewed = serializers.BooleanField()


class OrderSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = TextField()
    shop_id = serializers.IntegerField()
    shop_name = TextField()
    status = TextField()
    subtotal = serializers.IntegerField()
    shipping_fee = serializers.IntegerField()
    discount = serializers.IntegerField()
    total = serializers.IntegerField()
    currency = TextField()
    payment_method = TextField()
    voucher_code = TextField()
    courier = TextField()
    tracking_number = TextField()
    payment_id = serializers.IntegerField(allow_null=True)
    placed_at = serializers.DateTimeField()
    pay_before = serializers.DateTimeField(allow_null=True)
    lines = OrderLineSerializer(many=True)
    timeline = StatusChangeSerializer(many=True)


class PaymentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    method = TextField()
    status = TextField(
        help_text=_("`pending` until the gateway reports the payment; then `paid`, `failed`, `expired` or `refunded`.")
    )
    amount = serializers.IntegerField(help_text=_("Rupiah"))
    currency = TextField()
    order_ids = serializers.ListField(child=serializers.IntegerField(), help_text=_("The orders this payment pays."))
    pay_url = TextField(
        help_text=_(
            "The payment gateway's hosted page for this payment: open it in a browser or a web view, where the "
            "shopper pays. It may be a path on this site (the simulated gateway's `/gateway/sim/<reference>/`): "
            "join it to the address of the API. The orders become `paid` when the gateway's signed callback "
            "reaches the marketplace, not when the page closes: poll `GET /api/v1/orders/{order_id}/`."
        )
    )
    virtual_account = TextField(help_text=_("The account number to transfer to, for a virtual account payment."))
    expires_at = serializers.DateTimeField(allow_null=True, help_text=_("Pay before this moment."))


class CheckoutResultSerializer(serializers.Serializer):
    orders = OrderSerializer(many=True)
    payment = PaymentSerializer(
        allow_null=True, help_text=_("The payment to complete at its `pay_url`; null for cash on delivery.")
    )
    total = serializers.IntegerField()


class CheckoutPreviewRequestSerializer(serializers.Serializer):
    province = TextField(max_length=80)
    shipping = ShippingChoiceSerializer(many=True, required=False, default=list, max_length=50)  # type: ignore[call-arg]
    vouchers = VoucherChoiceSerializer(many=True, required=False, default=list, max_length=50)  # type: ignore[call-arg]
    platform_voucher = TextField(
        max_length=40,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("A platform voucher code, for every shop."),
    )


class ShippingOptionSerializer(serializers.Serializer):
    shop_id = serializers.IntegerField()
    courier = CourierField()
    name = TextField()
    fee = serializers.IntegerField()
    etd_days = TextField()


class ShopTotalSerializer(serializers.Serializer):
    shop_id = serializers.IntegerField()
    subtotal = serializers.IntegerField()
    shipping_fee = serializers.IntegerField()
    discount = serializers.IntegerField()

    def to_representation(self, instance):
        shop_id, subtotal, fee, discount = instance
        return {"shop_id": shop_id, "subtotal": subtotal, "shipping_fee": fee, "discount": discount}


class PromotionShareSerializer(serializers.Serializer):
    """One order's share of the platform's promotions (already in its shop total)."""

    shop_id = serializers.IntegerField()
    platform_discount = serializers.IntegerField(help_text=_("The order's share of the platform voucher."))
    shop_funded = serializers.IntegerField(help_text=_("Of which the shop pays."))
    shipping_subsidy = serializers.IntegerField(help_text=_("Free shipping taken off the order's shipping fee."))


class CheckoutPreviewSerializer(serializers.Serializer):
    cart = CartSerializer()
    shipping_options = ShippingOptionSerializer(many=True)
    shop_totals = ShopTotalSerializer(many=True)
    total = serializers.IntegerField()
    problems = serializers.DictField(child=serializers.ListField(child=TextField()))
    promotions = PromotionShareSerializer(many=True)


class ReviewCreateSerializer(serializers.Serializer):
    order_line_id = serializers.IntegerField(**rules.ID_FIELD)
    stars = serializers.IntegerField(min_value=1, max_value=5)
    text = TextField(max_length=2000, required=False, allow_blank=True, default="")


class ReviewSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    product_id = serializers.IntegerField()
    stars = serializers.IntegerField()
    text = TextField()
    created_at = serializers.DateTimeField()
    seller_reply = TextField()


class CategorySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = TextField()
    slug = TextField()
    parent_id = serializers.IntegerField(allow_null=True)


# --- Social ------------------------------------------------------------------------------


class FeedPageSerializer(serializers.Serializer):
    """A page of posts in the shape of every list: follow `next` for the next page (it
    carries the cursor); the feed reads forwards only, so `previous` is always null."""

    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = PostSerializer(many=True)


class CommentSerializer(ModelSerializer):
    class Meta:
        model = Comment
        fields = ["id", "author_name", "body", "created_at"]


class CommentCreateSerializer(serializers.Serializer):
    body = TextField(**rules.comment_field_kwargs())


class FollowSerializer(serializers.Serializer):
    following = serializers.BooleanField()
    follower_count = serializers.IntegerField()


class WishlistAddSerializer(serializers.Serializer):
    product_id = serializers.IntegerField(**rules.ID_FIELD)


class LikeSerializer(serializers.Serializer):
    liked = serializers.BooleanField()
    like_count = serializers.IntegerField()


class CampaignSerializer(ModelSerializer):
    banner_url = TextField(source="banner_src", read_only=True)

    class Meta:
        model = Campaign
        fields = ["id", "slug", "name", "headline", "description", "banner_url", "starts_at", "ends_at"]


class CampaignDetailSerializer(CampaignSerializer):
    products = ProductCardSerializer(many=True, read_only=True)

    class Meta(CampaignSerializer.Meta):
        fields = [*CampaignSerializer.Meta.fields, "products"]


# --- Creator's own ---------------------------------------------------------------------------


class CreatorPostSerializer(ModelSerializer):
    poster_url = TextField(read_only=True)
    product_ids = serializers.SerializerMethodField()

    class Meta:
        model = Post
        fields = [
            "id",
            "caption",
            "status",
            "moderation_status",
            "moderation_reason",
            "poster_url",
            "published_at",
            "like_count",
            "comment_count",
            "product_ids",
        ]
        # Set by moderators only; the creator reads why a post is hidden.
        read_only_fields = ["moderation_status", "moderation_reason"]

    def get_product_ids(self, post) -> list[int]:
        return [tag.product_id for tag in post.tags.all()]


class ProductIdsField(serializers.ListField):
    child = serializers.IntegerField(**rules.ID_FIELD)


class CreatorPostCreateSerializer(serializers.Serializer):
    caption = TextField(allow_blank=True, **rules.caption_field_kwargs())
    product_ids = ProductIdsField(
        max_length=rules.tags_per_post(),
        error_messages={"max_length": rules.tags_too_many()},
        required=False,
        default=list,
        help_text=_("The products the post tags, in order."),
    )
    publish = serializers.BooleanField(default=True)
    image = serializers.ImageField(required=False, allow_null=True)
    video = serializers.FileField(required=False, allow_null=True)


class PostTagsSerializer(serializers.Serializer):
    product_ids = ProductIdsField(
        max_length=rules.tags_per_post(),
        error_messages={"max_length": rules.tags_too_many()},
        help_text=_("The products the post tags, in order."),
    )


class ShowcaseOrderSerializer(serializers.Serializer):
    product_ids = ProductIdsField(
        max_length=rules.SHOWCASE_MAX_ITEMS, error_messages={"max_length": rules.SHOWCASE_TOO_MANY}
    )


class ShowcaseItemCreateSerializer(serializers.Serializer):
    product_id = serializers.IntegerField(**rules.ID_FIELD)


class CreatorStatsSerializer(ModelSerializer):
    post_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Creator
        fields = [
            "id",
            "handle",
            "follower_count",
            "post_count",
            "attributed_orders",
            "attributed_sales",
            "commission_earned",
        ]
        # Statistics come from events only: nothing here is ever written through the API.
        read_only_fields = fields


# --- A creator's money (DTOs of the marketplace port) -------------------------------------------

STATEMENT_KINDS = [
    "payment_captured",
    "order_settled",
    "order_refunded",
    "payout_requested",
    "payout_succeeded",
    "payout_failed",
]


class CreatorBalanceSerializer(serializers.Serializer):
    payee_id = serializers.IntegerField(help_text=_("The creator's id"))
    pending = serializers.IntegerField(help_text=_("Commission on orders not completed yet"))
    available = serializers.IntegerField(help_text=_("May be withdrawn"))
    in_flight = serializers.IntegerField(help_text=_("Withdrawn, not yet confirmed by the bank"))
    currency = TextField()


class CreatorStatementLineSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    kind = serializers.ChoiceField(choices=STATEMENT_KINDS)
    bucket = serializers.ChoiceField(choices=["pending", "available", "in_flight"])
    description = TextField()
    amount = serializers.IntegerField(help_text=_("Positive: into the balance; negative: out of it"))
    balance_after = serializers.IntegerField()
    order_number = TextField()
    payout_reference = TextField()


class CreatorStatementSerializer(serializers.Serializer):
    payee_id = serializers.IntegerField(help_text=_("The creator's id"))
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    opening = serializers.IntegerField()
    closing = serializers.IntegerField(help_text=_("The opening balance plus every line's amount"))
    currency = TextField()
    lines = CreatorStatementLineSerializer(many=True)


CreatorStatementQuerySerializer = type(
    "CreatorStatementQuerySerializer",
    (serializers.Serializer,),
    {
        "from": serializers.DateField(help_text=_("First day, in Asia/Jakarta")),
        "to": serializers.DateField(help_text=_("Last day, in Asia/Jakarta; a statement covers at most 366 days")),
    },
)


class CreatorBankAccountSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    bank_code = TextField()
    bank_name = TextField()
    number_masked = TextField()
    holder_name = TextField(help_text=_("As the bank knows it"))
    verified = serializers.BooleanField()
    created_at = serializers.DateTimeField()


class CreatorBankAccountCreateSerializer(serializers.Serializer):
    bank_code = serializers.ChoiceField(choices=sorted(BANKS.items()))
    number = TextField(max_length=30)


class CreatorPayoutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = TextField()
    bank_account_id = serializers.IntegerField()
    amount = serializers.IntegerField()
    status = serializers.ChoiceField(choices=["requested", "succeeded", "failed"])
    requested_at = serializers.DateTimeField()
    settled_at = serializers.DateTimeField(allow_null=True)
    failure_reason = TextField()
    currency = TextField()


class CreatorPayoutCreateSerializer(serializers.Serializer):
    bank_account_id = serializers.IntegerField(min_value=1, max_value=contracts.ID_MAX)
    amount = serializers.IntegerField(max_value=10**13, help_text=_("Whole rupiah"))


# --- Shops --------------------------------------------------------------------------------


class ShopVoucherSerializer(serializers.Serializer):
    code = TextField()
    kind = serializers.ChoiceField(choices=["percent", "fixed"])
    value = serializers.IntegerField(help_text=_("Percent (1-100) or rupiah"))
    min_spend = serializers.IntegerField(help_text=_("Rupiah"))
    max_discount = serializers.IntegerField(allow_null=True, help_text=_("Rupiah"))
    ends_at = serializers.DateTimeField()


class ShopPageSerializer(ModelSerializer):
    """A shop's page header, from the storefront's shop card, with the shop's open vouchers."""

    id = serializers.IntegerField(source="shop_id", read_only=True)
    is_local_business = serializers.BooleanField(
        source="shows_local_badge", read_only=True, help_text=_("A local small business, verified by the platform.")
    )
    following = serializers.BooleanField(read_only=True, help_text=_("Whether you follow the shop."))
    vouchers = ShopVoucherSerializer(
        many=True, read_only=True, allow_null=True, help_text=_("Null while the marketplace does not answer.")
    )

    class Meta:
        model = ShopCard
        fields = [
            "id",
            "slug",
            "name",
            "city",
            "province",
            "is_local_business",
            "is_verified",
            "rating",
            "review_count",
            "sold_count",
            "follower_count",
            "following",
            "vouchers",
        ]


class ShopOpenRequestSerializer(serializers.Serializer):
    """Buka Toko. Text only; the marketplace judges the values, as for the page."""

    name = TextField(required=False, allow_blank=True, trim_whitespace=False, default="")
    slug = TextField(required=False, allow_blank=True, trim_whitespace=False, default="")
    city = TextField(required=False, allow_blank=True, trim_whitespace=False, default="")
    province = TextField(required=False, allow_blank=True, trim_whitespace=False, default="")
    pickup_address = TextField(required=False, allow_blank=True, trim_whitespace=False, default="")
    phone = TextField(required=False, allow_blank=True, trim_whitespace=False, default="")
    nib = TextField(required=False, allow_blank=True, trim_whitespace=False, default="")
    declares_local_business = serializers.BooleanField(required=False, default=False)


class OpenedShopSerializer(serializers.Serializer):
    """The shop just opened: usable at once, verified later by the platform."""

    id = serializers.IntegerField(source="shop_id")
    slug = TextField()
    name = TextField()
    city = TextField()
    province = TextField()
    is_local_business = serializers.BooleanField(help_text=_("Declared by the seller."))
    is_verified = serializers.BooleanField()


class CreatorJoinRequestSerializer(serializers.Serializer):
    """Jadi Kreator. Text only; the storefront's `creator_join` judges the values, as for the page."""

    handle = TextField(required=False, allow_blank=True, trim_whitespace=False, default="")
    display_name = TextField(required=False, allow_blank=True, trim_whitespace=False, default="")
    bio = TextField(required=False, allow_blank=True, trim_whitespace=False, default="")
    accepts_terms = serializers.BooleanField(required=False, default=False)
