"""The seller centre: a seller sees and changes only their own shops' rows.

Platform staff (superusers) see everything and keep the category tree.
Every write goes through the marketplace's services, as the API's do: orders
move by actions, stock by adjustments with a reason, replies by `review_reply`.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db import transaction
from django.db.models import F
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX

from backoffice.imports import OwnedImportExportMixin
from backoffice.inlines import LabelledTabularInline
from backoffice.scoping import OwnedAdminMixin, ReadOnlyAdminMixin
from backoffice.writes import ServiceWriteMixin, as_form_errors, run_each
from integration.admin import OutboxEventAdmin
from integration.money import format_rupiah

from . import rules, selectors, services
from .models import (
    Category,
    Order,
    OrderLine,
    OrderStatus,
    OutboxEvent,
    Product,
    ProductStatus,
    Review,
    Shop,
    StockAdjustment,
    Variant,
    Voucher,
)
from .resources import ProductResource, VariantResource

IMPORT_FORMATS = [CSV, XLSX]


class SellerImportExport(OwnedImportExportMixin, ImportExportMixin):
    import_formats = IMPORT_FORMATS
    export_formats = IMPORT_FORMATS


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "parent"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


class VerifiedFilter(admin.SimpleListFilter):
    title = _("verified")
    parameter_name = "verified"

    def lookups(self, request, model_admin):
        return [("yes", _("Verified")), ("no", _("Waiting for verification"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(verified_at__isnull=self.value() == "no")
        return queryset


@admin.register(Shop)
class ShopAdmin(ServiceWriteMixin, OwnedAdminMixin, admin.ModelAdmin):
    owner_field = "owner_user_id"
    list_display = ["name", "slug", "city", "province", "is_local_business", "verified"]
    search_fields = ["name", "slug", "city"]
    list_filter = [VerifiedFilter, "province", "is_local_business"]
    actions = ["verify"]
    exclude = ["verified_at"]

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return ["rating", "review_count", "verified", "promotions"]
        # Ownership, the local-business mark and the verification are the platform's to grant.
        return ["owner_user_id", "is_local_business", "rating", "review_count", "verified", "promotions"]

    def get_form(self, request, obj=None, **kwargs):
        # The service also requires contact details a shop already had (see `shop_update`).
        return _checked(
            super().get_form(request, obj, **kwargs), lambda shop: rules.shop_errors(shop, contact_required=False)
        )

    @admin.display(description=_("verified"), boolean=True, ordering="verified_at")
    def verified(self, shop):
        return shop.is_verified

    def save_model(self, request, obj, form, change):
        if not change:
            # Platform staff set up a shop for a seller: written as it stands, then announced.
            with transaction.atomic(using="marketplace"):
                obj.save(using="marketplace")
                services.shop_publish_card(shop_id=obj.pk)
            return
        fields = {name: getattr(obj, name) for name in services.SHOP_FIELDS}
        if request.user.is_superuser:
            fields["is_local_business"] = obj.is_local_business
        with as_form_errors():
            services.shop_update(shop_id=obj.pk, owner_user_id=_owner(request), **fields)

    def has_verify_permission(self, request):
        return request.user.has_perm("marketplace.verify_shop")

    @admin.action(description=_("Verify the selected shops"), permissions=["verify"])
    def verify(self, request, queryset):
        run_each(
            self,
            request,
            queryset.order_by("id").values_list("id", "name"),
            lambda shop_id: services.shop_verify(shop_id=shop_id),
            lambda done: ngettext("%(count)d shop verified.", "%(count)d shops verified.", done) % {"count": done},
        )

    @admin.display(description=_("platform promotions taken part in"))
    def promotions(self, shop):
        """Read-only for the seller: the platform's vouchers and free-shipping campaigns of this shop."""
        if shop.pk is None:
            return "-"
        vouchers = [f"{v.code} ({v.shop_share_bp / 100:g}%)" for v in shop.platform_vouchers.order_by("id")]
        campaigns = [c.name for c in shop.free_shipping_campaigns.order_by("id")]
        return ", ".join([*vouchers, *campaigns]) or "-"

    def get_urls(self):
        from .admin_ledger import shop_money_view

        def view(request, shop_id):
            return shop_money_view(self, request, shop_id)

        page = self.admin_site.admin_view(view)
        return [path("<int:shop_id>/money/", page, name="marketplace_shop_money"), *super().get_urls()]


class RulebookFields:
    """Mix into a ModelAdmin or inline: its form fields take their limits and messages from the
    catalogue's rulebook (`limits`: model field name to rule), the same as the API's."""

    limits: dict = {}

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        rule = self.limits.get(db_field.name)
        if rule is not None:
            kwargs = {**kwargs, **rule.field_kwargs()}
        return super().formfield_for_dbfield(db_field, request, **kwargs)


VARIANT_LIMITS = {**rules.VARIANT_LIMITS, "stock_on_hand": rules.OPENING_STOCK}


class VariantInline(RulebookFields, OwnedAdminMixin, LabelledTabularInline):
    """A product's variants. Their stock is set once, as the opening stock of a new product;
    after that it moves only through a stock adjustment with a reason (see the variant's page)."""

    model = Variant
    owner_field = "product__shop__owner_user_id"
    limits = VARIANT_LIMITS
    fields = ["name", "sku", "price", "weight_grams", "stock_on_hand", "stock_reserved", "max_per_order"]
    readonly_fields = ["stock_reserved"]
    extra = 1
    can_delete = False  # a variant may be on orders: archive the product instead

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "stock_on_hand"] if obj is not None else self.readonly_fields

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = _checked(formset.form, rules.variant_errors)
        return formset


def _checked(base, problems):
    """The form class `base`, judged by the rulebook's `problems(instance)` rather than by the
    model's own validators and constraints: the rulebook covers them, in its own words, so a
    bad value is told the same here as through the API or an import."""

    class CheckedForm(base):
        def _get_validation_exclusions(self):
            return {field.name for field in self._meta.model._meta.fields}

        def validate_unique(self):
            pass  # the rulebook checks SKUs and voucher codes

        def _post_clean(self):
            refused = set(self._errors or {})  # by the form's fields, with the rulebook's limits
            super()._post_clean()
            # After the form's values land on the instance.
            for attname, texts in problems(self.instance).items():
                field = attname if attname in self.fields else attname.removesuffix("_id")
                if field in self.fields and field not in refused:
                    self._errors.pop(field, None)
                    self.add_error(field, texts)

    return CheckedForm


def _owner(request) -> int | None:
    """The owner id a service limits the write to; platform staff write anywhere."""
    return None if request.user.is_superuser else request.user.pk


def _changed(form, names) -> dict:
    """The cleaned values of the fields among `names` that the form changed, keyed by model attribute."""
    attnames = (form._meta.model._meta.get_field(name).attname for name in names if name in form.changed_data)
    return {attname: getattr(form.instance, attname) for attname in attnames}


VARIANT_FIELDS = ["name", "sku", "price", "weight_grams", "max_per_order"]
PRODUCT_FIELDS = ["title", "description", "category", "image", "image_url", "commission_bp"]


def variant_save(request, form, *, product_id: int) -> Variant:
    """Creates or edits the variant of `form` through the catalogue services, its stock through `stock_adjust`."""
    owner = _owner(request)
    if form.instance.pk is None:
        fields = {name: getattr(form.instance, name) for name in VARIANT_FIELDS}
        variant = services.variant_create(product_id=product_id, owner_user_id=owner, **fields)
        opening, reason = form.cleaned_data.get("stock_on_hand") or 0, str(rules.OPENING_STOCK_REASON)
    else:
        variant = form.instance
        changes = _changed(form, VARIANT_FIELDS)
        if changes:
            variant = services.variant_update(variant_id=variant.pk, owner_user_id=owner, **changes)
        opening, reason = 0, ""
    delta = form.cleaned_data.get("stock_change") or opening
    if delta:
        services.stock_adjust(
            variant_id=variant.pk,
            actor_user_id=request.user.pk,
            delta=delta,
            reason=form.cleaned_data.get("stock_reason") or reason,
            owner_user_id=owner,
        )
    return variant


@admin.register(Product)
class ProductAdmin(RulebookFields, ServiceWriteMixin, OwnedAdminMixin, SellerImportExport, admin.ModelAdmin):
    """Every write goes through the catalogue services: they check, publish the storefront's
    card through the outbox and keep stock in the audit."""

    owner_field = "shop__owner_user_id"
    limits = rules.PRODUCT_LIMITS
    resource_classes = [ProductResource]
    inlines = [VariantInline]
    list_display = ["title", "shop", "status", "category", "commission_bp", "sold_count"]
    list_filter = ["status", ("shop", admin.RelatedOnlyFieldListFilter), ("category", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["title", "variants__sku"]
    list_select_related = ["shop", "category"]
    readonly_fields = ["rating", "review_count", "sold_count"]
    actions = ["make_active", "make_archived"]

    def get_form(self, request, obj=None, **kwargs):
        return _checked(super().get_form(request, obj, **kwargs), rules.product_errors)

    def get_readonly_fields(self, request, obj=None):
        # A product stays in its shop.
        return [*self.readonly_fields, "shop"] if obj is not None else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False  # archive instead: orders and the storefront's cards refer to it

    def save_model(self, request, obj, form, change):
        with as_form_errors():
            if change:
                changes = _changed(form, PRODUCT_FIELDS)
                saved = services.product_update(product_id=obj.pk, owner_user_id=_owner(request), **changes)
            else:
                fields = {name: getattr(obj, name) for name in ("title", "description", "category_id", "image")}
                fields |= {"image_url": obj.image_url, "commission_bp": obj.commission_bp}
                saved = services.product_create(shop_id=obj.shop_id, owner_user_id=_owner(request), **fields)
        obj.pk, obj.image = saved.pk, saved.image

    def save_formset(self, request, form, formset, change):
        # What `formset.save()` would note, for the admin's history.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        with as_form_errors():
            for variant_form in formset.forms:
                if not variant_form.has_changed():
                    continue
                is_new = variant_form.instance.pk is None
                variant = variant_save(request, variant_form, product_id=form.instance.pk)
                if is_new:
                    formset.new_objects.append(variant)
                else:
                    formset.changed_objects.append((variant, variant_form.changed_data))

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # After the variants: a product is published only once it has some.
        status = form.cleaned_data.get("status")
        if status and (status != ProductStatus.DRAFT if not change else "status" in form.changed_data):
            with as_form_errors():
                services.product_set_status(product_id=form.instance.pk, status=status, owner_user_id=_owner(request))

    @admin.action(description=_("Publish the selected products"), permissions=["change"])
    def make_active(self, request, queryset):
        self._set_status(request, queryset, ProductStatus.ACTIVE)

    @admin.action(description=_("Archive the selected products"), permissions=["change"])
    def make_archived(self, request, queryset):
        self._set_status(request, queryset, ProductStatus.ARCHIVED)

    def _set_status(self, request, queryset, status):
        run_each(
            self,
            request,
            queryset.order_by("id").values_list("id", "title"),
            lambda product_id: services.product_set_status(
                product_id=product_id, status=status, owner_user_id=_owner(request)
            ),
            lambda done: ngettext("%(count)d product updated.", "%(count)d products updated.", done) % {"count": done},
        )


class LowStockFilter(admin.SimpleListFilter):
    title = _("stock")
    parameter_name = "stock"
    LOW = 5

    def lookups(self, request, model_admin):
        return [("low", _("Low (5 or fewer available)")), ("out", _("Out of stock"))]

    def queryset(self, request, queryset):
        available = F("stock_on_hand") - F("stock_reserved")
        if self.value() == "low":
            return queryset.alias(available=available).filter(available__lte=self.LOW)
        if self.value() == "out":
            return queryset.alias(available=available).filter(available__lte=0)
        return queryset


class StockAdjustmentInline(OwnedAdminMixin, ReadOnlyAdminMixin, LabelledTabularInline):
    """The audit of the variant's stock: who changed it, by how much, and why."""

    model = StockAdjustment
    owner_field = "variant__product__shop__owner_user_id"
    readonly_fields = ("created_at", "delta", "on_hand_after", "reason", "actor_user_id")
    fields = readonly_fields
    extra = 0
    max_num = 0
    can_delete = False


class VariantForm(forms.ModelForm):
    stock_change = forms.IntegerField(
        label=_("Stock change"),
        required=False,
        **rules.STOCK_DELTA.field_kwargs(),
        help_text=_("Units to add (or, negative, to remove) from stock on hand."),
    )
    stock_reason = forms.CharField(
        label=_("Reason for the stock change"),
        required=False,
        **rules.STOCK_REASON.field_kwargs(),
        help_text=_("For example: goods received, stock count, damaged."),
    )

    def clean(self):
        cleaned = super().clean()
        delta = cleaned.get("stock_change")
        if delta and "stock_reason" not in self.errors:
            for field, messages in rules.stock_change_errors(delta, cleaned.get("stock_reason")).items():
                self.add_error(STOCK_FIELDS[field], messages)
        return cleaned


STOCK_FIELDS = {"delta": "stock_change", "reason": "stock_reason"}  # `stock_adjust`'s arguments


@admin.register(Variant)
class VariantAdmin(RulebookFields, ServiceWriteMixin, OwnedAdminMixin, SellerImportExport, admin.ModelAdmin):
    owner_field = "product__shop__owner_user_id"
    limits = rules.VARIANT_LIMITS
    resource_classes = [VariantResource]
    form = VariantForm
    inlines = [StockAdjustmentInline]
    list_display = ["sku", "product", "name", "price_shown", "stock_on_hand", "stock_reserved"]
    list_filter = [LowStockFilter, ("product__shop", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["sku", "name", "product__title"]
    list_select_related = ["product"]
    readonly_fields = ["stock_on_hand", "stock_reserved"]
    fieldsets = [
        (None, {"fields": ["product", "name", "sku", "price", "weight_grams", "max_per_order"]}),
        (_("Stock"), {"fields": ["stock_on_hand", "stock_reserved", "stock_change", "stock_reason"]}),
    ]

    def get_form(self, request, obj=None, **kwargs):
        return _checked(super().get_form(request, obj, **kwargs), rules.variant_errors)

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "product"] if obj is not None else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False  # it may be on orders

    @admin.display(description=_("price"), ordering="price")
    def price_shown(self, obj):
        return format_rupiah(obj.price)

    def save_model(self, request, obj, form, change):
        with as_form_errors(STOCK_FIELDS):
            saved = variant_save(request, form, product_id=obj.product_id)
        obj.pk = saved.pk

    def save_formset(self, request, form, formset, change):
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []  # the audit is read-only


@admin.register(StockAdjustment)
class StockAdjustmentAdmin(OwnedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Every stock change of the seller's variants; new ones are made on the variant's page."""

    owner_field = "variant__product__shop__owner_user_id"
    list_display = ["created_at", "variant", "delta", "on_hand_after", "reason", "actor_user_id"]
    list_filter = [("variant__product__shop", admin.RelatedOnlyFieldListFilter), "created_at"]
    search_fields = ["variant__sku", "reason"]
    list_select_related = ["variant"]
    date_hierarchy = "created_at"


@admin.register(Voucher)
class VoucherAdmin(RulebookFields, ServiceWriteMixin, OwnedAdminMixin, admin.ModelAdmin):
    owner_field = "shop__owner_user_id"
    limits = rules.VOUCHER_LIMITS
    list_display = ["code", "shop", "kind", "value", "starts_at", "ends_at", "used_count", "is_active"]
    list_filter = ["is_active", "kind", ("shop", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["code"]
    list_select_related = ["shop"]
    fields = ["shop", *services.VOUCHER_FIELDS, "used_count"]
    readonly_fields = ["used_count"]

    def get_form(self, request, obj=None, **kwargs):
        return _checked(super().get_form(request, obj, **kwargs), rules.voucher_errors)

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "shop"] if obj is not None else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False  # orders refer to it: switch it off instead

    def save_model(self, request, obj, form, change):
        # The service also gets the fields the form left alone, so that it checks them together.
        fields = {name: getattr(obj, name) for name in services.VOUCHER_FIELDS}
        with as_form_errors():
            if change:
                saved = services.voucher_update(voucher_id=obj.pk, owner_user_id=_owner(request), **fields)
            else:
                saved = services.voucher_create(shop_id=obj.shop_id, owner_user_id=_owner(request), **fields)
        obj.pk = saved.pk


@admin.register(Review)
class ReviewAdmin(ServiceWriteMixin, OwnedAdminMixin, admin.ModelAdmin):
    """Buyers write reviews; a seller only replies."""

    owner_field = "shop__owner_user_id"
    list_display = ["product", "stars", "text", "replied", "created_at"]
    list_filter = ["stars", ("shop", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["text", "product__title"]
    list_select_related = ["product"]
    fields = ["product", "shop", "stars", "text", "created_at", "seller_reply"]
    readonly_fields = ["product", "shop", "stars", "text", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("replied"), boolean=True)
    def replied(self, obj):
        return bool(obj.seller_reply)

    def save_model(self, request, obj, form, change):
        with as_form_errors({"reply": "seller_reply"}):
            services.review_reply(review_id=obj.pk, reply=obj.seller_reply, owner_user_id=_owner(request))


class WorkdayFilter(admin.SimpleListFilter):
    """The stages of a seller's day, each grouping the statuses it covers."""

    title = _("stage")
    parameter_name = "stage"
    STAGES = {
        "to_ship": (_("To ship"), [OrderStatus.PAID, OrderStatus.PACKED]),
        "shipped": (_("Shipped"), [OrderStatus.SHIPPED, OrderStatus.DELIVERED]),
        "completed": (_("Completed"), [OrderStatus.COMPLETED]),
        "pending_payment": (_("Pending payment"), [OrderStatus.PENDING_PAYMENT]),
        "cancelled": (_("Cancelled"), [OrderStatus.CANCELLED, OrderStatus.EXPIRED, OrderStatus.REFUNDED]),
    }

    def lookups(self, request, model_admin):
        return [(key, label) for key, (label, _statuses) in self.STAGES.items()]

    def queryset(self, request, queryset):
        stage = self.STAGES.get(self.value())
        return queryset.filter(status__in=stage[1]) if stage else queryset


class OrderLineInline(OwnedAdminMixin, ReadOnlyAdminMixin, LabelledTabularInline):
    model = OrderLine
    owner_field = "order__shop__owner_user_id"
    readonly_fields = ("title", "variant_name", "unit_price", "quantity", "attribution_source")
    fields = readonly_fields
    extra = 0
    can_delete = False


def _courier_choices():
    return [("", "---------"), *((code, c.name) for code, c in sorted(selectors.active_couriers().items()))]


class OrderActionForm(ActionForm):
    """The action bar of the order list, with what shipping and cancelling need."""

    courier = forms.ChoiceField(label=_("Courier"), choices=_courier_choices, required=False)
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=60, required=False)
    reason = forms.CharField(label=_("Reason for cancelling"), max_length=255, required=False)


@admin.register(Order)
class OrderAdmin(OwnedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Orders change only through the order services, one action at a time; never by editing fields."""

    owner_field = "shop__owner_user_id"
    inlines = [OrderLineInline]
    action_form = OrderActionForm
    actions = ["mark_packed", "ship", "cancel"]
    list_display = ["number", "shop", "status", "total_shown", "recipient", "city", "placed_at"]
    list_filter = [WorkdayFilter, "status", ("shop", admin.RelatedOnlyFieldListFilter), "placed_at"]
    search_fields = ["number", "recipient", "phone"]
    date_hierarchy = "placed_at"
    list_select_related = ["shop"]
    exclude = ["checkout"]

    @admin.display(description=_("total"), ordering="total")
    def total_shown(self, obj):
        return format_rupiah(obj.total, obj.currency)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Order._meta.fields if f.name != "checkout"]

    def has_fulfil_permission(self, request):
        return request.user.has_perm("marketplace.change_order")

    @admin.action(description=_("Mark the selected orders packed"), permissions=["fulfil"])
    def mark_packed(self, request, queryset):
        self._each(
            request, queryset, lambda order_id, owner: services.order_pack(order_id=order_id, owner_user_id=owner)
        )

    @admin.action(description=_("Ship the selected order (courier and tracking number)"), permissions=["fulfil"])
    def ship(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(
                request, _("Ship one order at a time: each parcel has its own tracking number."), messages.ERROR
            )
            return
        courier, tracking = request.POST.get("courier", ""), request.POST.get("tracking_number", "")
        self._each(
            request,
            queryset,
            lambda order_id, owner: services.order_ship(
                order_id=order_id, courier=courier, tracking_number=tracking, owner_user_id=owner
            ),
        )

    @admin.action(description=_("Cancel the selected orders (paid ones are refunded)"), permissions=["fulfil"])
    def cancel(self, request, queryset):
        reason = request.POST.get("reason", "")
        self._each(
            request,
            queryset,
            lambda order_id, owner: services.order_cancel(order_id=order_id, reason=reason, owner_user_id=owner),
        )

    def _each(self, request, queryset, command):
        """Runs the command on each order (one transaction each) and reports per order in plain words."""
        owner = _owner(request)
        run_each(
            self,
            request,
            queryset.order_by("id").values_list("id", "number"),
            lambda order_id: command(order_id, owner),
            lambda done: ngettext("%(count)d order updated.", "%(count)d orders updated.", done) % {"count": done},
        )


# Platform staff: undelivered integration events, with a replay action.
admin.site.register(OutboxEvent, OutboxEventAdmin)
from . import admin_ledger  # noqa: E402, F401  (registers the ledger's admin)
from .admin_promotions import PromotionFundingInline  # noqa: E402  (registers the promotions' admin)

OrderAdmin.inlines = [OrderLineInline, PromotionFundingInline]
