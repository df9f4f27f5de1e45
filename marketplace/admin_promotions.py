"""Platform promotions in the admin: platform vouchers and free-shipping campaigns are the
platform staff's alone (superusers); they write through the promotions service, which checks
them with the rulebook. Sellers see what their orders received (on the order, read-only) and
which promotions their shop takes part in (on the shop, read-only)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from backoffice.inlines import LabelledTabularInline
from backoffice.scoping import ReadOnlyAdminMixin
from backoffice.writes import ServiceWriteMixin, as_form_errors
from integration.money import format_rupiah

from . import rules
from .models import FreeShippingCampaign, PlatformVoucher, PromotionFunding
from .services import promotions

CAMPAIGN_FIELDS = (
    "campaign_key",
    "name",
    "max_per_order",
    "max_per_checkout",
    "min_spend",
    "starts_at",
    "ends_at",
    "is_active",
)


class PlatformStaffOnly:
    """Only the platform's staff (superusers) see or touch these rows here."""

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return False  # orders refer to them: switch them off instead


def _checked_with_shops(base, problems):
    """The form judged by the rulebook, with the shops chosen in the form (not saved yet)."""

    class CheckedForm(base):
        def _get_validation_exclusions(self):
            return {field.name for field in self._meta.model._meta.fields}

        def validate_unique(self):
            pass  # the rulebook checks codes and keys

        def _post_clean(self):
            refused = set(self._errors or {})
            super()._post_clean()
            shop_ids = [shop.id for shop in (self.cleaned_data.get("shops") or [])]
            for field, texts in problems(self.instance, shop_ids=shop_ids).items():
                if field in self.fields and field not in refused:
                    self._errors.pop(field, None)
                    self.add_error(field, texts)

    return CheckedForm


@admin.register(PlatformVoucher)
class PlatformVoucherAdmin(PlatformStaffOnly, ServiceWriteMixin, admin.ModelAdmin):
    list_display = ["code", "kind", "value", "shop_share_bp", "starts_at", "ends_at", "used_count", "is_active"]
    list_filter = ["is_active", "kind"]
    search_fields = ["code"]
    fields = [*promotions.PLATFORM_VOUCHER_FIELDS, "shops", "used_count"]
    readonly_fields = ["used_count"]
    filter_horizontal = ["shops"]

    def get_form(self, request, obj=None, **kwargs):
        return _checked_with_shops(super().get_form(request, obj, **kwargs), rules.platform_voucher_errors)

    def save_model(self, request, obj, form, change):
        fields = {name: getattr(obj, name) for name in promotions.PLATFORM_VOUCHER_FIELDS}
        shop_ids = [shop.id for shop in form.cleaned_data.get("shops") or []]
        with as_form_errors():
            if change:
                saved = promotions.platform_voucher_update(voucher_id=obj.pk, shop_ids=shop_ids, **fields)
            else:
                saved = promotions.platform_voucher_create(shop_ids=shop_ids, **fields)
        obj.pk = saved.pk

    def save_related(self, request, form, formsets, change):
        pass  # the service set the participating shops


@admin.register(FreeShippingCampaign)
class FreeShippingCampaignAdmin(PlatformStaffOnly, ServiceWriteMixin, admin.ModelAdmin):
    list_display = ["name", "campaign_key", "max_per_order", "max_per_checkout", "starts_at", "ends_at", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "campaign_key"]
    fields = [*CAMPAIGN_FIELDS, "shops"]
    filter_horizontal = ["shops"]

    def get_form(self, request, obj=None, **kwargs):
        return _checked_with_shops(super().get_form(request, obj, **kwargs), rules.free_shipping_errors)

    def save_model(self, request, obj, form, change):
        shop_ids = [shop.id for shop in form.cleaned_data.get("shops") or []]
        with as_form_errors():
            saved = promotions.campaign_save(obj, shop_ids)
        obj.pk = saved.pk

    def save_related(self, request, form, formsets, change):
        pass  # the service set the eligible shops


class PromotionFundingInline(ReadOnlyAdminMixin, LabelledTabularInline):
    """On an order: who funded its promotions. Seen by whoever may see the order."""

    model = PromotionFunding
    fields = ["source", "platform_voucher", "campaign", "platform_rp", "shop_rp"]
    readonly_fields = ("source", "platform_voucher", "campaign", "platform_rp", "shop_rp")
    extra = 0
    can_delete = False

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("marketplace.view_order")

    @admin.display(description=_("paid by the platform"))
    def platform_rp(self, funding):
        return format_rupiah(funding.platform_amount)

    @admin.display(description=_("paid by the shop"))
    def shop_rp(self, funding):
        return format_rupiah(funding.shop_amount)
