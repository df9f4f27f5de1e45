"""The ledger in the admin: read-only everywhere, since money moves only through the services.

Sellers see their shop's fee invoices; the platform's finance staff (view permissions on
the ledger) see every account, transaction and reconciliation run.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from backoffice import money
from backoffice.inlines import LabelledTabularInline
from backoffice.scoping import OwnedAdminMixin, ReadOnlyAdminMixin
from integration.money import format_rupiah

from . import disbursements, selectors, services
from .models import FeeInvoice, LedgerAccount, LedgerEntry, LedgerTransaction, PayeeKind, ReconciliationRun


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

    def get_urls(self):
        finance = self.admin_site.admin_view(lambda request: finance_view(self, request))
        return [path("finance/", finance, name="marketplace_ledgeraccount_finance"), *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        last = ReconciliationRun.objects.using("marketplace").first()
        if last is not None and last.differences:
            messages.error(
                request,
                _("The last reconciliation (%(when)s) found %(n)d balances that differ from their entries.")
                % {"when": last.ran_at.strftime("%Y-%m-%d %H:%M"), "n": len(last.differences)},
            )
        return super().changelist_view(request, extra_context)


class LedgerEntryInline(ReadOnlyAdminMixin, LabelledTabularInline):
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


# --- A shop's money in the seller centre; the platform's finance view ---------------------------


class ShopMoney:
    """`backoffice.money`'s backend for shops: the marketplace's selectors and services,
    limited to the signed-in owner's shops (a superuser's reach is every shop)."""

    banks = disbursements.BANKS

    def __init__(self, owner_user_id: int | None):
        self.owner = owner_user_id

    def balance(self, payee_id):
        return selectors.payee_balance(PayeeKind.SHOP, payee_id)

    def statement(self, payee_id, date_from, date_to):
        return selectors.payee_statement(PayeeKind.SHOP, payee_id, date_from=date_from, date_to=date_to)

    def bank_accounts(self, payee_id):
        return [selectors.bank_account_dto(a) for a in selectors.bank_accounts_of(PayeeKind.SHOP, [payee_id])]

    def add_bank_account(self, payee_id, bank_code, number):
        account = services.bank_account_add(
            payee_kind=PayeeKind.SHOP, payee_id=payee_id, bank_code=bank_code, number=number, owner_user_id=self.owner
        )
        return selectors.bank_account_dto(account)

    def payouts(self, payee_id):
        return [selectors.payout_dto(p) for p in selectors.payouts_of(PayeeKind.SHOP, [payee_id])]

    def request_payout(self, payee_id, bank_account_id, amount, key):
        payout = services.payout_request(
            payee_kind=PayeeKind.SHOP,
            payee_id=payee_id,
            bank_account_id=bank_account_id,
            amount=amount,
            idempotency_key=key,
            owner_user_id=self.owner,
        )
        return selectors.payout_dto(payout)


def shop_money_view(model_admin, request, shop_id: int):
    """The seller centre's money page of one shop; another seller's shop is a 404."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    shop = model_admin.get_queryset(request).filter(pk=shop_id).first()
    if shop is None:
        raise Http404(_("No such record."))
    owner = None if request.user.is_superuser else request.user.pk
    return money.money_page(
        request,
        backend=ShopMoney(owner),
        payee_id=shop.pk,
        title=_("Money of %(shop)s") % {"shop": shop.name},
        admin_context=model_admin.admin_site.each_context(request),
        url=reverse("admin:marketplace_shop_money", args=[shop.pk]),
    )


def finance_view(model_admin, request):
    """The platform's money at a glance, for staff who may view the ledger."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    figures = selectors.platform_finance()
    rows = [
        (_("Fees earned"), figures["fees"]),
        (_("VAT (PPN) on fees, payable"), figures["vat"]),
        (_("Spent on platform promotions"), figures["promotions"]),
        (_("Held for shops"), figures["held_for_shops"]),
        (_("Held for creators"), figures["held_for_creators"]),
        (_("Held for others in all (shops, creators, couriers)"), figures["held"]),
        (_("Payouts in flight"), figures["payouts_in_flight_amount"]),
    ]
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Finance"),
        "rows": [(label, format_rupiah(value)) for label, value in rows],
        "payouts_in_flight": figures["payouts_in_flight"],
    }
    return TemplateResponse(request, "admin/money/finance.html", context)
