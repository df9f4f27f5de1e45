"""The seller centre: a seller sees and changes only their own shops' rows.

Platform staff (superusers) see everything and keep the category tree.
Orders are read-only here; their transitions go through the order services.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db.models import F
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX

from backoffice.imports import OwnedImportExportMixin
from backoffice.scoping import OwnedAdminMixin, ReadOnlyAdminMixin
from integration.admin import OutboxEventAdmin
from integration.contracts import PortError
from integration.money import format_rupiah

from . import selectors, services
from .models import Category, Order, OrderLine, OrderStatus, OutboxEvent, Product, ProductStatus, Shop, Variant
from .resources import ProductResource, VariantResource, product_problems, variant_problems

IMPORT_FORMATS = [CSV, XLSX]


class SellerImportExport(OwnedImportExportMixin, ImportExportMixin):
    import_formats = IMPORT_FORMATS
    export_formats = IMPORT_FORMATS


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "parent"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Shop)
class ShopAdmin(OwnedAdminMixin, admin.ModelAdmin):
    owner_field = "owner_user_id"
    list_display = ["name", "slug", "city", "province", "is_local_business"]
    search_fields = ["name", "slug", "city"]
    list_filter = ["province", "is_local_business"]

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return ["rating", "review_count"]
        # Ownership and the local-business mark are the platform's to grant.
        return ["owner_user_id", "is_local_business", "rating", "review_count"]


class VariantInline(OwnedAdminMixin, admin.TabularInline):
    model = Variant
    owner_field = "product__shop__owner_user_id"
    fields = ["name", "sku", "price", "weight_grams", "stock_on_hand", "stock_reserved", "max_per_order"]
    readonly_fields = ["stock_reserved"]
    extra = 1

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = _checked(formset.form, variant_problems)
        return formset


def _checked(base, problems):
    """The form class `base`, also refusing what the database's constraints would, in plain words."""

    class CheckedForm(base):
        def _post_clean(self):
            super()._post_clean()
            # After the form's values land on the instance.
            for field, message in problems(self.instance).items():
                if field in self.fields and field not in self.errors:
                    self.add_error(field, message)

    return CheckedForm


@admin.register(Product)
class ProductAdmin(OwnedAdminMixin, SellerImportExport, admin.ModelAdmin):
    owner_field = "shop__owner_user_id"
    resource_classes = [ProductResource]
    inlines = [VariantInline]
    list_display = ["title", "shop", "status", "category", "commission_bp", "sold_count"]
    list_filter = ["status", ("shop", admin.RelatedOnlyFieldListFilter), ("category", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["title", "variants__sku"]
    list_select_related = ["shop", "category"]
    readonly_fields = ["rating", "review_count", "sold_count"]
    actions = ["make_active", "make_archived"]

    def get_form(self, request, obj=None, **kwargs):
        return _checked(super().get_form(request, obj, **kwargs), product_problems)

    def save_model(self, request, obj, form, change):
        obj._was_active = change and form.initial.get("status") == ProductStatus.ACTIVE
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Inside the admin's transaction on the marketplace database, after the variants are saved.
        services.product_publish_card(product_id=form.instance.pk, was_active=form.instance._was_active)

    @admin.action(description=_("Publish the selected products"), permissions=["change"])
    def make_active(self, request, queryset):
        self._set_status(request, queryset, ProductStatus.ACTIVE)

    @admin.action(description=_("Archive the selected products"), permissions=["change"])
    def make_archived(self, request, queryset):
        self._set_status(request, queryset, ProductStatus.ARCHIVED)

    def _set_status(self, request, queryset, status):
        ids = list(queryset.values_list("id", flat=True))
        for product_id in ids:
            services.product_set_status(product_id=product_id, status=status)
        self.message_user(
            request,
            ngettext("%(count)d product updated.", "%(count)d products updated.", len(ids)) % {"count": len(ids)},
            messages.SUCCESS,
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


@admin.register(Variant)
class VariantAdmin(OwnedAdminMixin, SellerImportExport, admin.ModelAdmin):
    owner_field = "product__shop__owner_user_id"
    resource_classes = [VariantResource]
    list_display = ["sku", "product", "name", "price_shown", "stock_on_hand", "stock_reserved"]
    list_filter = [LowStockFilter, ("product__shop", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["sku", "name", "product__title"]
    list_select_related = ["product"]
    readonly_fields = ["stock_reserved"]

    def get_form(self, request, obj=None, **kwargs):
        return _checked(super().get_form(request, obj, **kwargs), variant_problems)

    @admin.display(description=_("price"), ordering="price")
    def price_shown(self, obj):
        return format_rupiah(obj.price)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if obj.product.status == ProductStatus.ACTIVE:
            services.product_publish_card(product_id=obj.product_id, was_active=True)


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


class OrderLineInline(OwnedAdminMixin, ReadOnlyAdminMixin, admin.TabularInline):
    model = OrderLine
    owner_field = "order__shop__owner_user_id"
    fields = ["title", "variant_name", "unit_price", "quantity", "attribution_source"]
    readonly_fields = fields
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
        owner = None if request.user.is_superuser else request.user.pk
        done = 0
        for order_id, number in queryset.order_by("id").values_list("id", "number"):
            try:
                command(order_id, owner)
                done += 1
            except PortError as error:
                self.message_user(request, f"{number}: {error.message}", messages.ERROR)
        if done:
            self.message_user(
                request, ngettext("%(count)d order updated.", "%(count)d orders updated.", done) % {"count": done}
            )


# Platform staff: undelivered integration events, with a replay action.
admin.site.register(OutboxEvent, OutboxEventAdmin)
