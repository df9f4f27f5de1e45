"""The creator centre: a creator sees and changes only their own profile and posts.

Platform staff (superusers) see every creator and the product read model.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backoffice.scoping import OwnedAdminMixin, ReadOnlyAdminMixin

from . import selectors
from .models import Creator, Post, PostProduct, PostStatus, ProductCard

ALIAS = "storefront"


@admin.register(Creator)
class CreatorAdmin(OwnedAdminMixin, admin.ModelAdmin):
    owner_field = "user_id"
    list_display = ["handle", "display_name", "follower_count"]
    search_fields = ["handle", "display_name"]

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return ["follower_count"]
        return ["user_id", "handle", "follower_count"]


class ProductCardSelect(AutocompleteSelect):
    """Django's bundled select2 over the post admin's product search.

    A tag's `product_id` is an opaque marketplace id, not a foreign key, so the
    admin's own `autocomplete_fields` cannot serve it.
    """

    def __init__(self, attrs=None):
        super().__init__(field=None, admin_site=None, attrs=attrs)

    def get_url(self):
        return reverse("admin:storefront_post_product_search")

    def build_attrs(self, base_attrs, extra_attrs=None):
        attrs = forms.Select.build_attrs(self, base_attrs, extra_attrs)
        attrs.update(
            {
                "data-ajax--cache": "true",
                "data-ajax--delay": 250,
                "data-ajax--type": "GET",
                "data-ajax--url": self.get_url(),
                "data-theme": "admin-autocomplete",
                "data-allow-clear": "false",
                "data-placeholder": _("Search products"),
                "lang": self.i18n_name,
                "class": f"{attrs.get('class', '')} admin-autocomplete".strip(),
            }
        )
        return attrs

    def optgroups(self, name, value, attr=None):
        # Only the chosen product is rendered; select2 fetches the others as the creator types.
        chosen = [int(v) for v in value if str(v).isdigit()]
        cards = ProductCard.objects.using(ALIAS).filter(product_id__in=chosen)
        options = [
            self.create_option(name, card.product_id, _card_label(card), True, index)
            for index, card in enumerate(cards)
        ]
        return [(None, options, 0)]


def _card_label(card: ProductCard) -> str:
    return f"{card.title} — {card.shop_name}"


class ProductCardField(forms.IntegerField):
    widget = ProductCardSelect

    def validate(self, value):
        super().validate(value)
        if (
            value is not None
            and not ProductCard.objects.using(ALIAS).filter(product_id=value, is_visible=True).exists()
        ):
            raise ValidationError(_("Choose a product from the list."), code="unknown_product")


class PostProductForm(forms.ModelForm):
    product_id = ProductCardField(label=_("product"))

    class Meta:
        model = PostProduct
        fields = ["product_id", "position"]


class PostProductInline(OwnedAdminMixin, admin.TabularInline):
    model = PostProduct
    owner_field = "post__creator__user_id"
    form = PostProductForm
    extra = 1
    max_num = 6
    verbose_name = _("tagged product")
    verbose_name_plural = _("tagged products")


class PostForm(forms.ModelForm):
    class Meta:
        model = Post
        fields = ["creator", "caption", "image", "video", "status"]

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("image") or cleaned.get("video") or self.instance.image_url):
            raise ValidationError(_("Upload an image or a video."), code="no_media")
        return cleaned

    def _post_clean(self):
        super()._post_clean()
        # A post shown on the feed needs a time to sort by.
        if self.instance.status == PostStatus.PUBLISHED and self.instance.published_at is None:
            self.instance.published_at = timezone.now()


@admin.register(Post)
class PostAdmin(OwnedAdminMixin, admin.ModelAdmin):
    owner_field = "creator__user_id"
    form = PostForm
    inlines = [PostProductInline]
    list_display = ["__str__", "status", "view_count", "like_count", "comment_count", "published_at"]
    list_filter = ["status", "published_at"]
    search_fields = ["caption"]
    readonly_fields = ["view_count", "like_count", "comment_count", "published_at"]
    list_select_related = ["creator"]

    def get_exclude(self, request, obj=None):
        # A creator always posts as themself.
        return [] if request.user.is_superuser else ["creator"]

    def has_add_permission(self, request):
        own_profile = request.user.is_superuser or Creator.objects.using(ALIAS).filter(user_id=request.user.pk).exists()
        return own_profile and super().has_add_permission(request)

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser:
            obj.creator = Creator.objects.using(ALIAS).get(user_id=request.user.pk)
        super().save_model(request, obj, form, change)

    def get_urls(self):
        search = path(
            "products/search/",
            self.admin_site.admin_view(self.product_search_view),
            name="storefront_post_product_search",
        )
        return [search, *super().get_urls()]

    def product_search_view(self, request):
        """select2's JSON for tagging: any visible product, since every creator may promote it."""
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        cards = selectors.product_card_search(term=request.GET.get("term", "").strip())
        results = [{"id": str(card.product_id), "text": _card_label(card)} for card in cards]
        return JsonResponse({"results": results, "pagination": {"more": False}})


@admin.register(ProductCard)
class ProductCardAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The read model, for platform staff to inspect; it changes only through marketplace events."""

    list_display = ["product_id", "title", "shop_name", "price_min", "in_stock", "is_visible"]
    list_filter = ["is_visible", "in_stock", "is_local_business"]
    search_fields = ["title", "shop_name"]
