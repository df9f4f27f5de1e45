"""The storefront: creators, shoppable posts and the read model of products.

The storefront never holds an order, a payment or a stock level of record.
People and products are referred to by opaque ids (`user_id`, `product_id`).
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from integration.outbox import AbstractInboxEvent


class Creator(models.Model):
    user_id = models.BigIntegerField(unique=True)
    handle = models.SlugField(_("handle"), max_length=40, unique=True)
    display_name = models.CharField(_("display name"), max_length=80)
    bio = models.TextField(_("bio"), blank=True)
    avatar = models.ImageField(_("avatar"), upload_to="avatars/", blank=True)
    follower_count = models.PositiveIntegerField(default=0)
    # Statistics kept from marketplace events (order.paid, commission.earned/reversed).
    attributed_orders = models.PositiveIntegerField(default=0)
    attributed_sales = models.BigIntegerField(default=0)
    commission_earned = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("creator")
        verbose_name_plural = _("creators")
        ordering = ["handle"]

    def __str__(self):
        return f"@{self.handle}"


class PostStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    HIDDEN = "hidden", _("Hidden")


class ModerationStatus(models.TextChoices):
    """The platform's verdict on a post, apart from the creator's own status: a post
    hidden by a moderator stays hidden whatever its creator does with its status."""

    CLEAR = "clear", _("Not moderated")
    HIDDEN = "hidden", _("Hidden by a moderator")


class PostQuerySet(models.QuerySet):
    def visible(self):
        """Posts anyone may see: published by their creator and not hidden by a moderator."""
        return self.filter(status=PostStatus.PUBLISHED, moderation_status=ModerationStatus.CLEAR)


class Post(models.Model):
    creator = models.ForeignKey(Creator, on_delete=models.CASCADE, related_name="posts")
    caption = models.TextField(_("caption"), max_length=2200, blank=True)
    image = models.ImageField(_("poster image"), upload_to="posts/", blank=True)
    image_url = models.CharField(max_length=300, blank=True)
    video = models.FileField(_("video"), upload_to="posts/video/", blank=True)
    status = models.CharField(max_length=10, choices=PostStatus.choices, default=PostStatus.DRAFT)
    # Set only by platform moderators (storefront.services.post_moderate), never by the creator.
    moderation_status = models.CharField(
        _("moderation"), max_length=10, choices=ModerationStatus.choices, default=ModerationStatus.CLEAR
    )
    moderation_reason = models.CharField(_("moderation reason"), max_length=300, blank=True)
    moderated_at = models.DateTimeField(_("moderated at"), null=True, blank=True)
    like_count = models.PositiveIntegerField(default=0)
    comment_count = models.PositiveIntegerField(default=0)
    view_count = models.PositiveIntegerField(default=0)
    sale_count = models.PositiveIntegerField(default=0)  # units sold through this post, from order.paid
    # The "For you" ranking key, recomputed whenever engagement moves (see storefront.ranking).
    rank_score = models.FloatField(default=0.0)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PostQuerySet.as_manager()

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["-published_at", "-id"]
        permissions = [("moderate_post", _("Can hide posts and comments as a platform moderator"))]
        indexes = [
            models.Index(fields=["status", "-published_at", "-id"], name="post_feed_order"),
            models.Index(fields=["status", "-rank_score", "-id"], name="post_rank_order"),
            models.Index(fields=["creator", "status", "-published_at", "-id"], name="post_creator_order"),
        ]

    def __str__(self):
        return f"{self.creator} — {self.caption[:40]}"

    @property
    def poster_url(self) -> str:
        return self.image.url if self.image else self.image_url


class PostProduct(models.Model):
    """A product tagged on a post; `product_id` is the marketplace's id."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="tags")
    product_id = models.BigIntegerField()
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["post", "product_id"], name="post_tags_product_once")]
        # The product page's gallery and attribution look posts up by the product they tag.
        indexes = [models.Index(fields=["product_id", "post"], name="post_tags_by_product")]

    def __str__(self):
        return f"post {self.post_id} tags product {self.product_id}"


class ProductCard(models.Model):
    """The storefront's projection of a marketplace product, for display only.

    Updated from marketplace events; the marketplace stays the source of truth
    and re-prices at checkout.
    """

    product_id = models.BigIntegerField(primary_key=True)
    shop_id = models.BigIntegerField()
    shop_name = models.CharField(max_length=120)
    shop_slug = models.CharField(max_length=60)
    shop_city = models.CharField(max_length=80)
    shop_province = models.CharField(max_length=80)
    is_local_business = models.BooleanField(default=False)
    title = models.CharField(max_length=200)
    image_url = models.CharField(max_length=300, blank=True)
    category_id = models.BigIntegerField(null=True, blank=True)
    category_name = models.CharField(max_length=100, blank=True)
    price_min = models.PositiveBigIntegerField()
    price_max = models.PositiveBigIntegerField()
    currency = models.CharField(max_length=3, default="IDR")
    in_stock = models.BooleanField(default=True)
    rating = models.PositiveIntegerField(default=0)
    review_count = models.PositiveIntegerField(default=0)
    sold_count = models.PositiveIntegerField(default=0)
    commission_bp = models.PositiveIntegerField(default=0)
    is_visible = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The marketplace's card revision of the last snapshot (or unpublish) applied, and
    # of the last in_stock applied: older events arriving late are ignored.
    revision = models.PositiveBigIntegerField(default=0)
    availability_revision = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("product card")
        verbose_name_plural = _("product cards")
        indexes = [
            models.Index(fields=["is_visible", "is_local_business"]),
            models.Index(fields=["category_id"]),
            # A shop's page lists its visible cards.
            models.Index(fields=["shop_id", "is_visible"], name="card_shop_visible"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(price_max__gte=models.F("price_min")), name="card_price_range")
        ]

    def __str__(self):
        return self.title


class ShopCard(models.Model):
    """The storefront's projection of a marketplace shop, for its page's header.

    Fed by the shop events (name, place, local mark, verification), the review events
    (rating) and the order events (units sold); the follower count is the storefront's own.
    """

    shop_id = models.BigIntegerField(primary_key=True)
    slug = models.CharField(max_length=60, db_index=True)
    name = models.CharField(max_length=120)
    city = models.CharField(max_length=80)
    province = models.CharField(max_length=80)
    is_local_business = models.BooleanField(default=False)  # declared by the seller
    is_verified = models.BooleanField(default=False)  # checked by the platform
    rating = models.PositiveIntegerField(default=0)  # average stars x 100
    review_count = models.PositiveIntegerField(default=0)
    sold_count = models.PositiveIntegerField(default=0)
    follower_count = models.PositiveIntegerField(default=0)
    # The marketplace's revision of the last shop event applied: older ones arriving late are ignored.
    revision = models.PositiveBigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("shop card")
        verbose_name_plural = _("shop cards")

    def __str__(self):
        return self.name

    @property
    def shows_local_badge(self) -> bool:
        """The "Usaha lokal" mark: declared by the seller and verified by the platform."""
        return self.is_local_business and self.is_verified


class ShopFollow(models.Model):
    """A user (opaque id from `default`) follows a shop."""

    user_id = models.BigIntegerField()
    shop = models.ForeignKey(ShopCard, on_delete=models.CASCADE, related_name="follows")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user_id", "shop"], name="shop_follow_once")]

    def __str__(self):
        return f"user {self.user_id} follows shop {self.shop_id}"


class Follow(models.Model):
    """A user (opaque id from `default`) follows a creator."""

    user_id = models.BigIntegerField()
    creator = models.ForeignKey(Creator, on_delete=models.CASCADE, related_name="follows")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user_id", "creator"], name="follow_once")]

    def __str__(self):
        return f"user {self.user_id} follows {self.creator_id}"


class Like(models.Model):
    user_id = models.BigIntegerField()
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="likes")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user_id", "post"], name="like_once")]

    def __str__(self):
        return f"user {self.user_id} likes post {self.post_id}"


class WishlistItem(models.Model):
    """A product a user saved for later; both ids are opaque (identity and the marketplace)."""

    user_id = models.BigIntegerField()
    product_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("wishlist item")
        verbose_name_plural = _("wishlist items")
        constraints = [models.UniqueConstraint(fields=["user_id", "product_id"], name="wish_once")]
        indexes = [models.Index(fields=["user_id", "-created_at"], name="wishlist_newest_first")]

    def __str__(self):
        return f"user {self.user_id} wishes for product {self.product_id}"


class Comment(models.Model):
    user_id = models.BigIntegerField()
    author_name = models.CharField(max_length=150)  # copied at write time: `default` is another database
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    body = models.TextField(_("comment"), max_length=500)
    is_hidden = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["post", "is_hidden", "created_at"], name="comment_post_order")]

    def __str__(self):
        return self.body[:40]


class ShowcaseItem(models.Model):
    """A product a creator promotes as an affiliate, in the creator's own order."""

    creator = models.ForeignKey(Creator, on_delete=models.CASCADE, related_name="showcase")
    product_id = models.BigIntegerField()
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["creator", "product_id"], name="showcase_product_once")]

    def __str__(self):
        return f"{self.creator_id} showcases {self.product_id}"


class Campaign(models.Model):
    """A scheduled promotion with a landing page. Its rules select products from the
    read model: an explicit list, plus (when set) local small businesses and/or categories."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120)
    headline = models.CharField(_("headline"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    banner = models.ImageField(_("banner"), upload_to="campaigns/", blank=True)
    banner_url = models.CharField(max_length=300, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    local_business_only = models.BooleanField(_("local small businesses"), default=False)
    category_ids = models.JSONField(_("categories"), default=list, blank=True)
    product_ids = models.JSONField(_("products"), default=list, blank=True)
    attributed_orders = models.PositiveIntegerField(default=0)
    attributed_sales = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="campaign_ends_after_start")
        ]

    def __str__(self):
        return self.name

    @property
    def banner_src(self) -> str:
        return self.banner.url if self.banner else self.banner_url


class InboxEvent(AbstractInboxEvent):
    class Meta(AbstractInboxEvent.Meta):
        verbose_name = _("processed event")
        verbose_name_plural = _("processed events")


class Address(models.Model):
    """A shopper's saved delivery address; `user_id` is the identity's opaque id."""

    user_id = models.BigIntegerField(db_index=True)
    label = models.CharField(_("label"), max_length=40, blank=True)
    recipient = models.CharField(_("recipient"), max_length=120)
    phone = models.CharField(_("phone"), max_length=30)
    street = models.CharField(_("street address"), max_length=255)
    city = models.CharField(_("city"), max_length=80)
    province = models.CharField(_("province"), max_length=80)
    postal_code = models.CharField(_("postal code"), max_length=10)
    is_default = models.BooleanField(_("default address"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        ordering = ["-is_default", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user_id"], condition=Q(is_default=True), name="address_one_default_per_user"
            )
        ]

    def __str__(self):
        return f"{self.label or self.recipient}, {self.street}, {self.city}"


# --- REST API --------------------------------------------------------------------


class ApiIdempotencyRecord(models.Model):
    """A client's `Idempotency-Key` on an API write, with the answer it got.

    A repeat with the same body gets the stored answer; another body is refused;
    a repeat while the first call still runs is told to wait.
    """

    class State(models.TextChoices):
        IN_FLIGHT = "in_flight", _("In flight")
        DONE = "done", _("Done")

    user_id = models.BigIntegerField()
    key = models.CharField(max_length=100)
    fingerprint = models.CharField(max_length=64)
    state = models.CharField(max_length=10, choices=State.choices, default=State.IN_FLIGHT)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    started_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("API idempotency record")
        verbose_name_plural = _("API idempotency records")
        constraints = [models.UniqueConstraint(fields=["user_id", "key"], name="api_idempotency_key_once")]

    def __str__(self):
        return f"{self.key} of user {self.user_id}"


# --- Accounts ----------------------------------------------------------------------------


class EmailVerification(models.Model):
    """Whether a user has confirmed their e-mail address (needed before their first checkout).
    The user lives in the `default` database: referred to by id, as everywhere across databases."""

    user_id = models.BigIntegerField(unique=True)
    email = models.EmailField(max_length=254)
    verified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("e-mail verification")
        verbose_name_plural = _("e-mail verifications")

    def __str__(self):
        return f"{self.email} ({'verified' if self.verified_at else 'pending'})"
