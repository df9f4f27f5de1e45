"""The creator centre: a creator sees and changes only their own profile and posts.

Platform staff (superusers) see every creator and the product read model.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, JsonResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from backoffice import money
from backoffice.inlines import LabelledTabularInline
from backoffice.scoping import OwnedAdminMixin, ReadOnlyAdminMixin
from backoffice.writes import ServiceWriteMixin, as_form_errors, run_each
from integration.money import BANKS
from integration.transport import marketplace

from . import fragments, rules, selectors, services
from .forms import AdminPasswordChangeForm
from .models import Campaign, Comment, Creator, Post, PostProduct, PostStatus, ProductCard, ShowcaseItem

ALIAS = "storefront"


class CreatorForm(forms.ModelForm):
    def clean_avatar(self):
        avatar = self.cleaned_data.get("avatar")
        # A new upload is checked by the uploads rulebook; the stored file was when it came.
        if isinstance(avatar, UploadedFile) and (found := rules.avatar_errors(avatar)):
            raise ValidationError(found["avatar"])
        return avatar


@admin.register(Creator)
class CreatorAdmin(OwnedAdminMixin, admin.ModelAdmin):
    form = CreatorForm
    owner_field = "user_id"
    list_display = ["handle", "display_name", "follower_count"]
    search_fields = ["handle", "display_name"]

    # Kept from events only (follows, order.paid, commission.earned/reversed): nobody types them in.
    statistics = ["follower_count", "attributed_orders", "attributed_sales", "commission_earned"]

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return self.statistics
        return ["user_id", "handle", *self.statistics]

    def get_urls(self):
        page = self.admin_site.admin_view(self.money_view)
        return [path("<int:creator_id>/money/", page, name="storefront_creator_money"), *super().get_urls()]

    def money_view(self, request, creator_id: int):
        """The creator centre's money page: the marketplace keeps it, reached through the port."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        creator = self.get_queryset(request).filter(pk=creator_id).first()
        if creator is None:
            raise Http404(_("No such record."))
        return money.money_page(
            request,
            backend=CreatorMoney(),
            payee_id=creator.pk,
            title=_("Money of @%(handle)s") % {"handle": creator.handle},
            admin_context=self.admin_site.each_context(request),
            url=reverse("admin:storefront_creator_money", args=[creator.pk]),
        )


class CreatorMoney:
    """`backoffice.money`'s backend for creators: every figure through `MarketplacePort`."""

    banks = BANKS

    def balance(self, payee_id):
        return marketplace().get_creator_balance(creator_id=payee_id)

    def statement(self, payee_id, date_from, date_to):
        return marketplace().get_creator_statement(creator_id=payee_id, date_from=date_from, date_to=date_to)

    def bank_accounts(self, payee_id):
        return marketplace().list_creator_bank_accounts(creator_id=payee_id)

    def add_bank_account(self, payee_id, bank_code, number):
        return marketplace().add_creator_bank_account(creator_id=payee_id, bank_code=bank_code, number=number)

    def payouts(self, payee_id):
        return marketplace().list_creator_payouts(creator_id=payee_id)

    def request_payout(self, payee_id, bank_account_id, amount, key):
        return marketplace().request_creator_payout(
            creator_id=payee_id, bank_account_id=bank_account_id, amount=amount, idempotency_key=key
        )


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
    """A visible product; `problems(product_id)` is the rulebook's check of an unknown one."""

    widget = ProductCardSelect

    def __init__(self, *args, problems=rules.known_product_errors, **kwargs):
        super().__init__(*args, **kwargs)
        self.problems = problems

    def validate(self, value):
        super().validate(value)
        if value is None:
            return
        if problems := self.problems(value):
            raise ValidationError(problems, code="unknown_product")
        if not ProductCard.objects.using(ALIAS).filter(product_id=value, is_visible=True).exists():
            raise ValidationError(_("Choose a product from the list."), code="unknown_product")


def _tag_problems(product_id: int) -> list[str]:
    return rules.tag_errors([product_id])[1]


class PostProductForm(forms.ModelForm):
    product_id = ProductCardField(label=_("product"), problems=_tag_problems)

    class Meta:
        model = PostProduct
        fields = ["product_id", "position"]


class PostProductInline(OwnedAdminMixin, LabelledTabularInline):
    model = PostProduct
    owner_field = "post__creator__user_id"
    form = PostProductForm
    extra = 1
    verbose_name = _("tagged product")
    verbose_name_plural = _("tagged products")

    def get_max_num(self, request, obj=None, **kwargs):
        return rules.tags_per_post()


class PostForm(forms.ModelForm):
    class Meta:
        model = Post
        fields = ["creator", "caption", "image", "video", "status"]
        error_messages = {"caption": {"max_length": rules.CAPTION_TOO_LONG}}

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("image") or cleaned.get("video") or self.instance.image_url):
            raise ValidationError(rules.POST_NEEDS_MEDIA, code="no_media")
        return cleaned

    def _post_clean(self):
        super()._post_clean()
        # A post shown on the feed needs a time to sort by.
        if self.instance.status == PostStatus.PUBLISHED and self.instance.published_at is None:
            self.instance.published_at = timezone.now()


def _tag_rows(formsets):
    """(position, product id) of each tag row filled in the post's form."""
    for formset in formsets:
        for form in formset.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if data.get("product_id") is not None and not data.get("DELETE"):
                yield data.get("position") or 0, data["product_id"]


class ModerationActionForm(helpers.ActionForm):
    reason = forms.CharField(label=_("Reason (shown to the creator)"), required=False, max_length=300)


class ModeratorScopeMixin:
    """Moderators see every creator's rows; everyone else only their own (OwnedAdminMixin)."""

    def scope(self, queryset, request):
        return queryset if services.can_moderate(request.user) else super().scope(queryset, request)


@admin.register(Post)
class PostAdmin(ServiceWriteMixin, ModeratorScopeMixin, OwnedAdminMixin, admin.ModelAdmin):
    owner_field = "creator__user_id"
    form = PostForm
    inlines = [PostProductInline]
    list_display = ["__str__", "status", "moderation_status", "view_count", "like_count", "comment_count"]
    list_filter = ["status", "moderation_status", "published_at"]
    search_fields = ["caption"]
    # Moderation is set by the moderators' actions only; the creator reads why.
    readonly_fields = [
        "moderation_status",
        "moderation_reason",
        "moderated_at",
        "view_count",
        "like_count",
        "comment_count",
        "published_at",
    ]
    list_select_related = ["creator"]
    action_form = ModerationActionForm
    actions = ["moderate_hide", "moderate_restore"]

    def has_moderate_permission(self, request):
        return services.can_moderate(request.user)

    def _moderate(self, request, queryset, *, hidden: bool):
        reason = request.POST.get("reason", "")
        run_each(
            self,
            request,
            [(post.pk, str(post)) for post in queryset.order_by("id")],
            lambda post_id: services.post_moderate(post_id=post_id, actor=request.user, hidden=hidden, reason=reason),
            lambda done: ngettext("%(count)d post moderated.", "%(count)d posts moderated.", done) % {"count": done},
        )

    @admin.action(description=_("Hide the selected posts (moderation)"), permissions=["moderate"])
    def moderate_hide(self, request, queryset):
        self._moderate(request, queryset, hidden=True)

    @admin.action(description=_("Lift the moderation of the selected posts"), permissions=["moderate"])
    def moderate_restore(self, request, queryset):
        self._moderate(request, queryset, hidden=False)

    def get_exclude(self, request, obj=None):
        # A creator always posts as themself.
        return [] if request.user.is_superuser else ["creator"]

    def has_add_permission(self, request):
        own_profile = request.user.is_superuser or Creator.objects.using(ALIAS).filter(user_id=request.user.pk).exists()
        return own_profile and super().has_add_permission(request)

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser:
            obj.creator = Creator.objects.using(ALIAS).get(user_id=request.user.pk)
        if not change:
            return  # `post_create` writes it in `save_related`, once the tags are known
        # Caption and media have no service of their own; the status goes through `post_set_status`.
        wanted = obj.status
        if "status" in form.changed_data:
            obj.status = form.initial["status"]
        super().save_model(request, obj, form, change)
        if wanted != obj.status:
            with as_form_errors():
                services.post_set_status(post_id=obj.pk, status=wanted)
        # Cached feed and post pages show the edit once the admin's transaction commits.
        fragments.bump(fragments.POSTS, fragments.post(obj.pk), using=ALIAS)

    def save_related(self, request, form, formsets, change):
        post, tags = form.instance, sorted(_tag_rows(formsets), key=lambda tag: tag[0])
        for formset in formsets:  # what `formset.save()` would note, for the admin's history
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        if change:
            # Changed tags go through `post_tags_set`, which checks them as the API's edit does.
            if any(tag_form.has_changed() for formset in formsets for tag_form in formset.forms):
                with as_form_errors():
                    services.post_tags_set(
                        creator=post.creator,
                        post_id=post.pk,
                        product_ids=[product_id for _position, product_id in tags],
                    )
            return
        with as_form_errors():
            created = services.post_create(
                creator=post.creator,
                caption=post.caption,
                product_ids=[product_id for _position, product_id in tags],
                image=form.cleaned_data.get("image") or None,
                video=form.cleaned_data.get("video") or None,
                publish=post.status == PostStatus.PUBLISHED,
            )
            if post.status == PostStatus.HIDDEN:
                services.post_set_status(post_id=created.pk, status=PostStatus.HIDDEN)
        post.pk = created.pk

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


def _own_creator(request) -> Creator | None:
    return Creator.objects.using(ALIAS).filter(user_id=request.user.pk).first()


@admin.register(Comment)
class CommentAdmin(ModeratorScopeMixin, OwnedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Comments on the creator's own posts (every post for moderators); the creator may hide
    one (comment_hide), not edit it."""

    owner_field = "post__creator__user_id"
    list_display = ["body", "author_name", "post", "is_hidden", "created_at"]
    list_filter = ["is_hidden", "created_at"]
    search_fields = ["body", "author_name"]
    list_select_related = ["post"]
    actions = ["hide"]

    def has_moderate_permission(self, request):
        return request.user.has_perm("storefront.change_comment") or services.can_moderate(request.user)

    @admin.action(description=_("Hide the selected comments"), permissions=["moderate"])
    def hide(self, request, queryset):
        visible = queryset.filter(is_hidden=False).order_by("id")
        if not visible.exists():
            self.message_user(request, _("Every selected comment was hidden already."), messages.WARNING)
            return
        run_each(
            self,
            request,
            visible.values_list("id", "author_name"),
            lambda comment_id: services.comment_hide(comment_id=comment_id, actor=request.user),
            lambda done: ngettext("%(count)d comment hidden.", "%(count)d comments hidden.", done) % {"count": done},
        )


class ShowcaseItemForm(forms.ModelForm):
    product_id = ProductCardField(label=_("product"))

    class Meta:
        model = ShowcaseItem
        fields = ["creator", "product_id", "position"]


@admin.register(ShowcaseItem)
class ShowcaseItemAdmin(ServiceWriteMixin, OwnedAdminMixin, admin.ModelAdmin):
    """The creator's showcase, in the order the creator sets (the position column is editable in the list)."""

    owner_field = "creator__user_id"
    form = ShowcaseItemForm
    list_display = ["product_shown", "position"]
    list_editable = ["position"]
    list_display_links = None
    ordering = ["creator", "position", "id"]

    @admin.display(description=_("product"))
    def product_shown(self, obj):
        card = ProductCard.objects.using(ALIAS).filter(product_id=obj.product_id).first()
        return _card_label(card) if card else obj.product_id

    def get_list_display(self, request):
        return self.list_display if not request.user.is_superuser else ["creator", *self.list_display]

    def get_exclude(self, request, obj=None):
        own = [] if request.user.is_superuser else ["creator"]
        return [*own, "position"] if obj is None else own  # a new product goes last

    def get_readonly_fields(self, request, obj=None):
        return ["creator", "product_id"] if obj is not None else []

    def has_add_permission(self, request):
        return (request.user.is_superuser or _own_creator(request) is not None) and super().has_add_permission(request)

    def save_model(self, request, obj, form, change):
        creator = obj.creator if request.user.is_superuser else _own_creator(request)
        with as_form_errors():
            if change:
                services.showcase_item_move(creator=creator, product_id=obj.product_id, position=obj.position)
            else:
                obj.pk = services.showcase_item_add(creator=creator, product_id=obj.product_id).pk

    def delete_model(self, request, obj):
        services.showcase_item_remove(creator=obj.creator, product_id=obj.product_id)

    def delete_queryset(self, request, queryset):
        for item in queryset.select_related("creator"):
            self.delete_model(request, item)


class CampaignForm(forms.ModelForm):
    category_ids = forms.TypedMultipleChoiceField(
        label=_("categories"), coerce=int, required=False, choices=selectors.category_choices
    )
    product_ids = forms.CharField(label=_("products"), required=False, help_text=_("Product ids, separated by commas."))

    class Meta:
        model = Campaign
        fields = [
            "slug",
            "name",
            "headline",
            "description",
            "banner",
            "banner_url",
            "starts_at",
            "ends_at",
            "local_business_only",
        ]
        help_texts = {"starts_at": _("Jakarta time (WIB)."), "ends_at": _("Jakarta time (WIB).")}

    def clean_product_ids(self):
        raw = [part.strip() for part in self.cleaned_data["product_ids"].split(",") if part.strip()]
        if not all(part.isdigit() for part in raw):
            raise ValidationError(_("Enter product ids as whole numbers separated by commas."), code="product_ids")
        return [int(part) for part in raw]

    def _post_clean(self):
        # Campaign rules are checked by `campaign_create`; the model's own checks would repeat them.
        pass


@admin.register(Campaign)
class CampaignAdmin(ServiceWriteMixin, admin.ModelAdmin):
    """Platform staff schedule campaigns; a campaign changes only by being created (campaign_create)."""

    form = CampaignForm
    list_display = ["name", "slug", "starts_at", "ends_at", "local_business_only", "attributed_orders"]
    search_fields = ["name", "slug"]
    list_filter = ["local_business_only", "starts_at"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        with as_form_errors():
            saved = services.campaign_create(
                slug=data["slug"],
                name=data["name"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                headline=data["headline"],
                description=data["description"],
                banner_url=data["banner_url"],
                banner=data["banner"] or None,
                local_business_only=data["local_business_only"],
                category_ids=data["category_ids"],
                product_ids=data["product_ids"],
            )
        obj.pk, obj.name, obj.slug = saved.pk, saved.name, saved.slug


# Accounts: staff setting a user's password revoke that user's API tokens too.
admin.site.unregister(get_user_model())


@admin.register(get_user_model())
class AccountAdmin(UserAdmin):
    change_password_form = AdminPasswordChangeForm
