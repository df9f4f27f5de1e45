"""The marketplace: system of record for everything that costs money.

People are referred to by opaque user ids (`owner_user_id`, `buyer_id`): users
live in the `default` database and no foreign key crosses a database.
"""

from django.db import models
from django.db.models import F, Q
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
    rating = models.PositiveIntegerField(default=0, help_text=_("Average stars x 100"))
    review_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("shop")
        verbose_name_plural = _("shops")
        ordering = ["name"]

    def __str__(self):
        return self.name


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
    request it is refused.
    """

    buyer_id = models.BigIntegerField()
    idempotency_key = models.CharField(max_length=100)
    request_fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["buyer_id", "idempotency_key"], name="checkout_idempotency_key_once"),
        ]

    def __str__(self):
        return f"checkout {self.idempotency_key} of buyer {self.buyer_id}"


class OutboxEvent(AbstractOutboxEvent):
    class Meta(AbstractOutboxEvent.Meta):
        verbose_name = _("outbox event")
        verbose_name_plural = _("outbox events")
