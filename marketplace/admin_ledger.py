"""The ledger in the admin: read-only everywhere, since money moves only through the services.

Sellers see their shop's fee invoices; the platform's finance staff (view permissions on
the ledger) see every account, transaction and reconciliation run.
"""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from backoffice.scoping import OwnedAdminMixin, ReadOnlyAdminMixin
from integration.money import format_rupiah

from .models import FeeInvoice, LedgerAccount, LedgerEntry, LedgerTransaction, ReconciliationRun


@admin.register(FeeInvoice)
class FeeInvoiceAdmin(OwnedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    owner_field = "shop__owner_user_id"
    list_display = ["number", "order", "shop", "base_rp", "fee_rp", "vat_rp", "total_rp", "issued_at"]
    list_select_related = ["order", "shop"]
    date_hierarchy = "issued_at"
    search_fields = ["number", "order__number"]

    @admin.display(description=_("charged on"), ordering="base")
    def base_rp(self, invoice):
        return format_rupiah(invoice.base)

    @admin.display(description=_("fee"), ordering="fee")
    def fee_rp(self, invoice):
        return format_rupiah(invoice.fee)

    @admin.display(description=_("VAT (PPN)"), ordering="vat")
    def vat_rp(self, invoice):
        return format_rupiah(invoice.vat)

    @admin.display(description=_("total"))
    def total_rp(self, invoice):
        return format_rupiah(invoice.total)


@admin.register(LedgerAccount)
class LedgerAccountAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "kind", "holder_id", "balance_rp"]
    list_filter = ["kind"]
    search_fields = ["holder_id"]

    @admin.display(description=_("balance"), ordering="balance")
    def balance_rp(self, account):
        return format_rupiah(account.balance)

    def changelist_view(self, request, extra_context=None):
        last = ReconciliationRun.objects.using("marketplace").first()
        if last is not None and last.differences:
            messages.error(
                request,
                _("The last reconciliation (%(when)s) found %(n)d balances that differ from their entries.")
                % {"when": last.ran_at.strftime("%Y-%m-%d %H:%M"), "n": len(last.differences)},
            )
        return super().changelist_view(request, extra_context)


class LedgerEntryInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = LedgerEntry
    fields = readonly_fields = ("account", "amount")
    extra = 0
    can_delete = False


@admin.register(LedgerTransaction)
class LedgerTransactionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["id", "kind", "order", "memo", "created_at"]
    list_filter = ["kind"]
    list_select_related = ["order"]
    date_hierarchy = "created_at"
    search_fields = ["memo", "order__number"]
    inlines = [LedgerEntryInline]


@admin.register(ReconciliationRun)
class ReconciliationRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["ran_at", "accounts", "difference_count"]
    readonly_fields = ["ran_at", "accounts", "differences"]

    @admin.display(description=_("differences"))
    def difference_count(self, run):
        return len(run.differences)
