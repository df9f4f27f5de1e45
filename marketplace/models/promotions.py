"""Platform promotions: vouchers the platform funds (alone, or with the shops taking part)
across every shop of one checkout, free-shipping campaigns, and who funded what on each order."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class PlatformVoucher(models.Model):
    """A code a buyer enters once per checkout. Without participating shops it applies to every
    order and the platform pays it all; with them it applies to their orders only, and each
    pays `shop_share_bp` of its order's share."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    kind = models.CharField(
        _("kind"), max_length=10, choices=[("percent", _("Percentage")), ("fixed", _("Fixed amount"))]
    )
    value = models.PositiveIntegerField(_("value"), help_text=_("Percent (1-100) or rupiah"))
    min_spend = models.PositiveBigIntegerField(_("minimum spend over the checkout (Rp)"), default=0)
    max_discount = models.PositiveBigIntegerField(_("maximum discount (Rp)"), null=True, blank=True)
    starts_at = models.DateTimeField(_("valid from"))
    ends_at = models.DateTimeField(_("valid until"))
    usage_limit = models.PositiveIntegerField(_("total uses"), null=True, blank=True)
    per_buyer_limit = models.PositiveIntegerField(_("uses per buyer"), default=1)
    used_count = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    shop_share_bp = models.PositiveIntegerField(
        _("shops' share (basis points)"),
        default=0,
        help_text=_("What each participating shop pays of its order's share; 3000 = 30%"),
    )
    shops = models.ManyToManyField(
        "marketplace.Shop", blank=True, related_name="platform_vouchers", verbose_name=_("participating shops")
    )

    class Meta:
        verbose_name = _("platform voucher")
        verbose_name_plural = _("platform vouchers")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(usage_limit__isnull=True) | Q(used_count__lte=F("usage_limit")),
                name="platform_voucher_used_within_limit",
            ),
            models.CheckConstraint(
                condition=~Q(kind="percent") | Q(value__gte=1, value__lte=100),
                name="platform_voucher_percent_1_to_100",
            ),
            models.CheckConstraint(condition=Q(value__gt=0), name="platform_voucher_value_positive"),
            models.CheckConstraint(condition=Q(shop_share_bp__lte=10_000), name="platform_voucher_share_at_most_all"),
        ]

    def __str__(self):
        return self.code


class PlatformVoucherUse(models.Model):
    """One use of a platform voucher: one checkout (all its orders) of one buyer."""

    voucher = models.ForeignKey(PlatformVoucher, on_delete=models.PROTECT, related_name="uses")
    buyer_id = models.BigIntegerField()
    checkout = models.OneToOneField(
        "marketplace.Checkout", on_delete=models.CASCADE, related_name="platform_voucher_use"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["voucher", "buyer_id"])]

    def __str__(self):
        return f"{self.voucher_id} by buyer {self.buyer_id}"


class FreeShippingCampaign(models.Model):
    """Bebas Ongkir: the platform pays (part of) the shipping of orders from eligible shops.
    `campaign_key` is the storefront's campaign (slug or id), opaque here."""

    campaign_key = models.CharField(_("campaign key"), max_length=100, unique=True)
    name = models.CharField(_("name"), max_length=120)
    max_per_order = models.PositiveBigIntegerField(_("maximum subsidy per order (Rp)"), null=True, blank=True)
    max_per_checkout = models.PositiveBigIntegerField(_("maximum subsidy per checkout (Rp)"), null=True, blank=True)
    min_spend = models.PositiveBigIntegerField(_("minimum spend at eligible shops (Rp)"), default=0)
    starts_at = models.DateTimeField(_("valid from"))
    ends_at = models.DateTimeField(_("valid until"))
    is_active = models.BooleanField(default=True)
    shops = models.ManyToManyField(
        "marketplace.Shop", blank=True, related_name="free_shipping_campaigns", verbose_name=_("eligible shops")
    )

    class Meta:
        verbose_name = _("free-shipping campaign")
        verbose_name_plural = _("free-shipping campaigns")
        ordering = ["id"]

    def __str__(self):
        return self.name


class FundingSource(models.TextChoices):
    PLATFORM_VOUCHER = "platform_voucher", _("Platform voucher")
    FREE_SHIPPING = "free_shipping", _("Free shipping")


class PromotionFunding(models.Model):
    """Who paid what of one promotion on one order: the platform's part and the shop's.
    A platform voucher's part is in the order's discount; free shipping's in its shipping fee
    (the fee charged to the buyer is the courier's fee less the subsidy)."""

    order = models.ForeignKey("marketplace.Order", on_delete=models.CASCADE, related_name="promotion_fundings")
    source = models.CharField(max_length=20, choices=FundingSource.choices)
    platform_voucher = models.ForeignKey(
        PlatformVoucher, null=True, blank=True, on_delete=models.PROTECT, related_name="fundings"
    )
    campaign = models.ForeignKey(
        FreeShippingCampaign, null=True, blank=True, on_delete=models.PROTECT, related_name="fundings"
    )
    platform_amount = models.PositiveBigIntegerField(default=0)
    shop_amount = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("promotion funding")
        verbose_name_plural = _("promotion fundings")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "source"], name="promotion_funding_once_per_source"),
        ]

    def __str__(self):
        return f"{self.source} on order {self.order_id}: {self.platform_amount} + {self.shop_amount}"

    @property
    def amount(self) -> int:
        return self.platform_amount + self.shop_amount
