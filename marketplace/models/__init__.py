"""The marketplace: system of record for everything that costs money.

People are referred to by opaque user ids (`owner_user_id`, `buyer_id`): users
live in the `default` database and no foreign key crosses a database.
"""

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from integration.outbox import AbstractOutboxEvent


class Category(models.Model):
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(unique=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Shop(models.Model):
    owner_user_id = models.BigIntegerField(_("owner user id"), db_index=True)
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(unique=True)
    city = models.CharField(_("city"), max_length=80)
    province = models.CharField(_("province"), max_length=80)
    is_local_business = models.BooleanField(_("local small business"), default=False)
    pickup_address = models.CharField(_("pickup address"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    nib = models.CharField(_("business identification number (NIB)"), max_length=13, blank=True)
    # Set by platform staff once they have checked the shop; only a verified shop shows its
    # local-business mark to shoppers.
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    rating = models.PositiveIntegerField(default=0, help_text=_("Average stars x 100"))
    review_count = models.PositiveIntegerField(default=0)
    # Grows with every shop event, under the shop's lock: the storefront keeps the newest.
    card_revision = models.PositiveBigIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("shop")
        verbose_name_plural = _("shops")
        ordering = ["name"]
        permissions = [("verify_shop", _("Can verify shops as the platform"))]

    def __str__(self):
        return self.name

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    @property
    def shows_local_badge(self) -> bool:
        """The "Usaha lokal" mark: declared by the seller and checked by the platform."""
        return self.is_local_business and self.is_verified


class ProductStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    ARCHIVED = "archived", _("Archived")


class Product(models.Model):
    shop = models.ForeignKey(Shop, on_delete=models.PROTECT, related_name="products")
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="products")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    image = models.ImageField(_("image"), upload_to="products/", blank=True)
    image_url = models.CharField(max_length=300, blank=True, help_text=_("Used when no image is uploaded"))
    status = models.CharField(_("status"), max_length=10, choices=ProductStatus.choices, default=ProductStatus.DRAFT)
    commission_bp = models.PositiveIntegerField(
        _("affiliate commission (basis points)"),
        default=0,
        help_text=_("1% = 100; at most 8000 (80%)"),
    )
    rating = models.PositiveIntegerField(default=0, help_text=_("Average stars x 100"))
    review_count = models.PositiveIntegerField(default=0)
    sold_count = models.PositiveIntegerField(default=0)
    # Bumped with every card event (snapshot, unpublish, stock crossing) under the row's
    # lock, so the storefront can tell a newer card from an older one arriving late.
    card_revision = models.PositiveBigIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["-id"]
        indexes = [models.Index(fields=["shop", "status"]), models.Index(fields=["status", "id"])]
        constraints = [
            models.CheckConstraint(condition=Q(commission_bp__lte=8000), name="product_commission_at_most_80pct"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # card_revision moves only by F() updates under the row's lock: a full save
        # of a copy read earlier must not write an older revision back.
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                f.name for f in self._meta.concrete_fields if not f.primary_key and f.name != "card_revision"
            ]
        super().save(*args, **kwargs)

    @property
    def display_image_url(self) -> str:
        return self.image.url if self.image else self.image_url


class Variant(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    name = models.CharField(_("name"), max_length=100, help_text=_("Option values, e.g. 'Merah / L'"))
    sku = models.CharField("SKU", max_length=64, unique=True)
    price = models.PositiveBigIntegerField(_("price (Rp)"))
    weight_grams = models.PositiveIntegerField(_("weight (grams)"), default=500)
    stock_on_hand = models.PositiveIntegerField(_("stock on hand"), default=0)
    stock_reserved = models.PositiveIntegerField(_("stock reserved"), default=0)
    max_per_order = models.PositiveIntegerField(_("limit per order"), default=100)

    class Meta:
        verbose_name = _("variant")
        verbose_name_plural = _("variants")
        ordering = ["id"]
        constraints = [
            # The last line of defence against overselling: whatever the code does,
            # the database refuses a reservation beyond what is on hand.
            models.CheckConstraint(
                condition=Q(stock_reserved__lte=F("stock_on_hand")), name="variant_reserved_le_on_hand"
            ),
            models.CheckConstraint(condition=Q(price__gt=0), name="variant_price_positive"),
        ]

    def __str__(self):
        return f"{self.product.title} — {self.name}"

    @property
    def stock_available(self) -> int:
        return self.stock_on_hand - self.stock_reserved


class Cart(models.Model):
    buyer_id = models.BigIntegerField(unique=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"cart of buyer {self.buyer_id}"


class CartItem(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="items")
    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField()
    price_when_added = models.PositiveBigIntegerField()
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "variant"], name="cart_item_one_line_per_variant"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="cart_item_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.quantity} x variant {self.variant_id}"


class OrderStatus(models.TextChoices):
    PENDING_PAYMENT = "pending_payment", _("Awaiting payment")
    PAID = "paid", _("Paid")
    PACKED = "packed", _("Packed")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")
    REFUNDED = "refunded", _("Refunded")


class PaymentMethod(models.TextChoices):
    VIRTUAL_ACCOUNT = "virtual_account", _("Virtual account bank transfer")
    EWALLET = "ewallet", _("E-wallet")
    QRIS = "qris", _("QRIS")
    COD = "cod", _("Cash on delivery")


class Order(models.Model):
    number = models.CharField(_("invoice number"), max_length=40, unique=True)
    buyer_id = models.BigIntegerField(db_index=True)
    shop = models.ForeignKey(Shop, on_delete=models.PROTECT, related_name="orders")
    status = models.CharField(max_length=20, choices=OrderStatus.choices, default=OrderStatus.PENDING_PAYMENT)
    payment_method = models.CharField(max_length=20, choices=PaymentMethod.choices)
    subtotal = models.PositiveBigIntegerField()
    shipping_fee = models.PositiveBigIntegerField(default=0)
    discount = models.PositiveBigIntegerField(default=0)
    total = models.PositiveBigIntegerField()
    currency = models.CharField(max_length=3, default="IDR")
    # Shipping address, copied at checkout so later edits of an address book do not rewrite history.
    recipient = models.CharField(max_length=120)
    phone = models.CharField(max_length=30)
    street = models.CharField(max_length=255)
    city = models.CharField(max_length=80)
    province = models.CharField(max_length=80)
    postal_code = models.CharField(max_length=10)
    checkout = models.ForeignKey("Checkout", on_delete=models.PROTECT, related_name="orders")
    placed_at = models.DateTimeField(auto_now_add=True)
    voucher = models.ForeignKey("Voucher", null=True, blank=True, on_delete=models.PROTECT, related_name="orders")
    payment = models.ForeignKey("Payment", null=True, blank=True, on_delete=models.PROTECT, related_name="orders")
    pay_before = models.DateTimeField(null=True, blank=True)
    courier = models.CharField(_("courier"), max_length=30, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=60, blank=True)
    cancel_reason = models.CharField(_("cancellation reason"), max_length=255, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    stock_committed = models.BooleanField(default=False, help_text=_("Reserved units taken off on-hand stock"))

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-id"]
        indexes = [models.Index(fields=["shop", "status"]), models.Index(fields=["buyer_id", "-id"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(total=F("subtotal") + F("shipping_fee") - F("discount")), name="order_total_adds_up"
            ),
        ]

    def __str__(self):
        return self.number


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(Variant, on_delete=models.PROTECT, related_name="+")
    product_id = models.BigIntegerField()
    title = models.CharField(max_length=200)
    variant_name = models.CharField(max_length=100)
    unit_price = models.PositiveBigIntegerField()
    quantity = models.PositiveIntegerField()
    # Attribution: which creator, post, showcase or campaign led to this sale.
    attribution_source = models.CharField(max_length=20, blank=True)
    creator_id = models.BigIntegerField(null=True, blank=True)
    post_id = models.BigIntegerField(null=True, blank=True)
    campaign_id = models.BigIntegerField(null=True, blank=True)
    # The product's commission rate when sold: a later change of rate does not rewrite it.
    commission_bp = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.quantity} x {self.title} ({self.variant_name})"

    @property
    def line_total(self) -> int:
        return self.unit_price * self.quantity


class Checkout(models.Model):
    """One checkout request, keyed by the buyer's idempotency key.

    The same key with the same request returns the same orders; with a different
    request it is refused. The key is forgotten (set to null) after the retention
    period, so the row still groups its orders and payment.
    """

    buyer_id = models.BigIntegerField()
    idempotency_key = models.CharField(max_length=100, null=True)
    request_fingerprint = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["buyer_id", "idempotency_key"], name="checkout_idempotency_key_once"),
        ]
        indexes = [
            # The purge looks only at keys still held, oldest first.
            models.Index(
                fields=["created_at"], name="checkout_key_held_created", condition=Q(idempotency_key__isnull=False)
            ),
        ]

    def __str__(self):
        return f"checkout {self.idempotency_key} of buyer {self.buyer_id}"


class OrderStatusChange(models.Model):
    """The order's timeline: one row per state it entered."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="timeline")
    status = models.CharField(max_length=20, choices=OrderStatus.choices)
    at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.status} at {self.at:%Y-%m-%d %H:%M}"


class Courier(models.Model):
    """A shipping service. Fee = base + per started kilogram, plus a surcharge across provinces."""

    code = models.SlugField(unique=True)
    name = models.CharField(_("name"), max_length=80)
    base_fee = models.PositiveIntegerField(_("base fee (Rp)"))
    per_kg_fee = models.PositiveIntegerField(_("fee per kg (Rp)"))
    inter_province_fee = models.PositiveIntegerField(_("surcharge across provinces (Rp)"), default=0)
    etd_days = models.CharField(_("estimated days"), max_length=10)
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("courier")
        verbose_name_plural = _("couriers")
        ordering = ["id"]

    def __str__(self):
        return self.name

    def fee(self, *, weight_grams: int, same_province: bool) -> int:
        kilograms = max(1, -(-weight_grams // 1000))  # every started kilogram counts
        return self.base_fee + self.per_kg_fee * kilograms + (0 if same_province else self.inter_province_fee)


class VoucherKind(models.TextChoices):
    PERCENT = "percent", _("Percentage")
    FIXED = "fixed", _("Fixed amount")


class Voucher(models.Model):
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="vouchers")
    code = models.CharField(_("code"), max_length=30)
    kind = models.CharField(_("kind"), max_length=10, choices=VoucherKind.choices)
    value = models.PositiveIntegerField(_("value"), help_text=_("Percent (1-100) or rupiah"))
    min_spend = models.PositiveBigIntegerField(_("minimum spend (Rp)"), default=0)
    max_discount = models.PositiveBigIntegerField(_("maximum discount (Rp)"), null=True, blank=True)
    starts_at = models.DateTimeField(_("valid from"))
    ends_at = models.DateTimeField(_("valid until"))
    usage_limit = models.PositiveIntegerField(_("total uses"), null=True, blank=True)
    per_buyer_limit = models.PositiveIntegerField(_("uses per buyer"), default=1)
    used_count = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("voucher")
        verbose_name_plural = _("vouchers")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["shop", "code"], name="voucher_code_once_per_shop"),
            # Like stock: the database refuses a use beyond the limit whatever the code does.
            models.CheckConstraint(
                condition=Q(usage_limit__isnull=True) | Q(used_count__lte=F("usage_limit")),
                name="voucher_used_within_limit",
            ),
            models.CheckConstraint(
                condition=~Q(kind="percent") | Q(value__gte=1, value__lte=100), name="voucher_percent_1_to_100"
            ),
            models.CheckConstraint(condition=Q(value__gt=0), name="voucher_value_positive"),
        ]

    def __str__(self):
        return self.code


class VoucherUse(models.Model):
    voucher = models.ForeignKey(Voucher, on_delete=models.CASCADE, related_name="uses")
    buyer_id = models.BigIntegerField()
    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="voucher_use")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["voucher", "buyer_id"])]

    def __str__(self):
        return f"{self.voucher_id} by buyer {self.buyer_id}"


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired")
    REFUNDED = "refunded", _("Refunded")


class Payment(models.Model):
    """One payment for every non-COD order of a checkout."""

    checkout = models.OneToOneField(Checkout, on_delete=models.PROTECT, related_name="payment")
    buyer_id = models.BigIntegerField(db_index=True)
    method = models.CharField(max_length=20, choices=PaymentMethod.choices)
    status = models.CharField(max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.PENDING)
    amount = models.PositiveBigIntegerField()
    currency = models.CharField(max_length=3, default="IDR")
    gateway = models.CharField(max_length=30, blank=True)
    reference = models.CharField(max_length=64, unique=True)
    pay_url = models.CharField(max_length=300, blank=True)
    virtual_account = models.CharField(max_length=30, blank=True)
    expires_at = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "expires_at"])]

    def __str__(self):
        return self.reference


class PaymentNotification(models.Model):
    """Every gateway callback received, accepted or not: the audit trail of money arriving."""

    reference = models.CharField(max_length=64, blank=True)
    outcome = models.CharField(max_length=20)  # accepted | duplicate | forged | wrong_amount | unknown | late
    body = models.TextField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self):
        return f"{self.outcome} {self.reference}"


class Review(models.Model):
    order_line = models.OneToOneField(OrderLine, on_delete=models.PROTECT, related_name="review")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="reviews")
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="reviews")
    buyer_id = models.BigIntegerField()
    stars = models.PositiveSmallIntegerField()
    text = models.TextField(blank=True)
    seller_reply = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-id"]
        constraints = [models.CheckConstraint(condition=Q(stars__gte=1, stars__lte=5), name="review_stars_1_to_5")]

    def __str__(self):
        return f"{self.stars} stars on line {self.order_line_id}"


class CommissionStatus(models.TextChoices):
    EARNED = "earned", _("Earned")
    REVERSED = "reversed", _("Reversed")


class Commission(models.Model):
    order_line = models.OneToOneField(OrderLine, on_delete=models.PROTECT, related_name="commission")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="commissions")
    shop = models.ForeignKey(Shop, on_delete=models.PROTECT, related_name="commissions")
    product_id = models.BigIntegerField()
    source = models.CharField(max_length=20)
    creator_id = models.BigIntegerField(null=True, blank=True)
    post_id = models.BigIntegerField(null=True, blank=True)
    campaign_id = models.BigIntegerField(null=True, blank=True)
    rate_bp = models.PositiveIntegerField()
    sale_amount = models.PositiveBigIntegerField()
    amount = models.PositiveBigIntegerField()
    status = models.CharField(max_length=10, choices=CommissionStatus.choices, default=CommissionStatus.EARNED)
    earned_at = models.DateTimeField(default=timezone.now)
    reversed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self):
        return f"{self.amount} ({self.status}) on line {self.order_line_id}"


class StockAdjustment(models.Model):
    """Audit of every manual stock change: who, by how much, why, when."""

    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="adjustments")
    actor_user_id = models.BigIntegerField()
    delta = models.IntegerField()
    on_hand_after = models.PositiveIntegerField()
    reason = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("stock adjustment")
        verbose_name_plural = _("stock adjustments")

    def __str__(self):
        return f"{self.delta:+d} on variant {self.variant_id}: {self.reason}"


class OutboxEvent(AbstractOutboxEvent):
    class Meta(AbstractOutboxEvent.Meta):
        verbose_name = _("outbox event")
        verbose_name_plural = _("outbox events")


# The money models live in their own module, re-exported here with the rest.
from .money import (  # noqa: E402, F401
    PAYEE_ACCOUNTS,
    AccountKind,
    BankAccount,
    FeeInvoice,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    PayeeKind,
    Payout,
    PayoutStatus,
    ReconciliationRun,
)
from .promotions import (  # noqa: E402, F401
    FreeShippingCampaign,
    FundingSource,
    PlatformVoucher,
    PlatformVoucherUse,
    PromotionFunding,
)
