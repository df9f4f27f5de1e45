"""The money models: the double-entry ledger, fee invoices, bank accounts and payouts."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# --- Ledger: where every rupiah a buyer pays is held, and by whom -------------------------


class AccountKind(models.TextChoices):
    GATEWAY = "gateway", _("Payment gateway clearing")
    COD = "cod", _("Cash collected on delivery")
    SHOP_PENDING = "shop_pending", _("Shop balance, pending")
    SHOP_AVAILABLE = "shop_available", _("Shop balance, available")
    SHOP_PAYOUT = "shop_payout", _("Shop payouts in flight")
    CREATOR_PENDING = "creator_pending", _("Creator commission, pending")
    CREATOR_AVAILABLE = "creator_available", _("Creator commission, available")
    CREATOR_PAYOUT = "creator_payout", _("Creator payouts in flight")
    PLATFORM_FEES = "platform_fees", _("Platform fee revenue")
    TAX_PAYABLE = "tax_payable", _("VAT (PPN) payable on fees")
    PLATFORM_PROMOTIONS = "platform_promotions", _("Platform promotion expense")
    COURIER_PAYABLE = "courier_payable", _("Payable to couriers")
    REFUNDS = "refunds", _("Refunded to buyers")


class LedgerAccount(models.Model):
    """One holder of money. A payee's balance is positive when it is owed money; the
    clearing accounts are negative by what they hold for the payees. All balances sum to zero."""

    kind = models.CharField(max_length=20, choices=AccountKind.choices)
    # The shop's id, or the creator's storefront id (opaque here); none for the platform's accounts.
    holder_id = models.BigIntegerField(null=True, blank=True)
    balance = models.BigIntegerField(default=0, help_text=_("Running figure; recomputable from the entries"))

    class Meta:
        verbose_name = _("ledger account")
        verbose_name_plural = _("ledger accounts")
        ordering = ["kind", "holder_id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "holder_id"], name="ledger_account_once"),
            models.UniqueConstraint(
                fields=["kind"], condition=Q(holder_id__isnull=True), name="ledger_platform_account_once"
            ),
        ]

    def __str__(self):
        label = AccountKind(self.kind).label
        return f"{label} #{self.holder_id}" if self.holder_id is not None else str(label)


class LedgerTransaction(models.Model):
    """A business event's movement of money: its entries sum to zero."""

    class Kind(models.TextChoices):
        PAYMENT_CAPTURED = "payment_captured", _("Payment captured")
        ORDER_SETTLED = "order_settled", _("Order completed: balance released, fee charged")
        ORDER_REFUNDED = "order_refunded", _("Order refunded")
        PAYOUT_REQUESTED = "payout_requested", _("Payout requested")
        PAYOUT_SUCCEEDED = "payout_succeeded", _("Payout succeeded")
        PAYOUT_FAILED = "payout_failed", _("Payout failed: money returned")

    kind = models.CharField(max_length=30, choices=Kind.choices)
    order = models.ForeignKey(
        "marketplace.Order", null=True, blank=True, on_delete=models.PROTECT, related_name="ledger"
    )
    payout = models.ForeignKey("Payout", null=True, blank=True, on_delete=models.PROTECT, related_name="ledger")
    memo = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("ledger transaction")
        verbose_name_plural = _("ledger transactions")
        ordering = ["-id"]
        constraints = [
            # A business event moves an order's money once, whatever retries do.
            models.UniqueConstraint(fields=["order", "kind"], name="ledger_order_event_once"),
            models.UniqueConstraint(fields=["payout", "kind"], name="ledger_payout_event_once"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.order_id or '-'})"


class LedgerEntry(models.Model):
    transaction = models.ForeignKey(LedgerTransaction, on_delete=models.PROTECT, related_name="entries")
    account = models.ForeignKey(LedgerAccount, on_delete=models.PROTECT, related_name="entries")
    amount = models.BigIntegerField(help_text=_("Positive: into the account; negative: out of it"))

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["id"]
        indexes = [models.Index(fields=["account", "id"])]
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="ledger_entry_moves_money")]

    def __str__(self):
        return f"{self.amount:+d} {self.account}"


class FeeInvoice(models.Model):
    """The platform's fee on one completed order, with its VAT: what the seller is charged."""

    order = models.OneToOneField("marketplace.Order", on_delete=models.PROTECT, related_name="fee_invoice")
    shop = models.ForeignKey("marketplace.Shop", on_delete=models.PROTECT, related_name="fee_invoices")
    number = models.CharField(max_length=40, unique=True)
    base = models.PositiveBigIntegerField(help_text=_("What the fee is charged on: the shop's share of the order"))
    fee = models.PositiveBigIntegerField()
    vat = models.PositiveBigIntegerField()
    issued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("fee invoice")
        verbose_name_plural = _("fee invoices")
        ordering = ["-id"]

    def __str__(self):
        return self.number

    @property
    def total(self) -> int:
        return self.fee + self.vat


class ReconciliationRun(models.Model):
    """A scheduled recomputation of every balance from its entries."""

    ran_at = models.DateTimeField(default=timezone.now, db_index=True)
    accounts = models.PositiveIntegerField()
    differences = models.JSONField(default=list, blank=True, help_text=_("Accounts whose kept balance was wrong"))

    class Meta:
        verbose_name = _("reconciliation run")
        verbose_name_plural = _("reconciliation runs")
        ordering = ["-id"]

    def __str__(self):
        return f"{self.ran_at:%Y-%m-%d %H:%M} ({len(self.differences)} differences)"


class PayeeKind(models.TextChoices):
    SHOP = "shop", _("Shop")
    CREATOR = "creator", _("Creator")


# Each payee's three balances: (pending, available, in flight).
PAYEE_ACCOUNTS: dict[str, tuple[str, str, str]] = {
    PayeeKind.SHOP: (AccountKind.SHOP_PENDING, AccountKind.SHOP_AVAILABLE, AccountKind.SHOP_PAYOUT),
    PayeeKind.CREATOR: (AccountKind.CREATOR_PENDING, AccountKind.CREATOR_AVAILABLE, AccountKind.CREATOR_PAYOUT),
}


class BankAccount(models.Model):
    """Where a payee's withdrawals go; verified by the disbursement gateway's account inquiry."""

    payee_kind = models.CharField(max_length=10, choices=PayeeKind.choices)
    payee_id = models.BigIntegerField(help_text=_("The shop's id, or the creator's storefront id"))
    bank_code = models.CharField(_("bank"), max_length=20)
    number = models.CharField(_("account number"), max_length=30)
    holder_name = models.CharField(_("account holder"), max_length=100)
    verified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("bank account")
        verbose_name_plural = _("bank accounts")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["payee_kind", "payee_id", "bank_code", "number"], name="bank_account_once")
        ]

    def __str__(self):
        return f"{self.bank_code.upper()} {self.number[-4:].rjust(len(self.number), '•')} a.n. {self.holder_name}"


class PayoutStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    SUCCEEDED = "succeeded", _("Sent")
    FAILED = "failed", _("Failed: money returned")


class Payout(models.Model):
    """A withdrawal of available balance to a verified bank account."""

    payee_kind = models.CharField(max_length=10, choices=PayeeKind.choices)
    payee_id = models.BigIntegerField()
    bank_account = models.ForeignKey(BankAccount, on_delete=models.PROTECT, related_name="payouts")
    amount = models.PositiveBigIntegerField()
    status = models.CharField(max_length=10, choices=PayoutStatus.choices, default=PayoutStatus.REQUESTED)
    reference = models.CharField(max_length=64, unique=True)
    idempotency_key = models.CharField(max_length=100)
    gateway = models.CharField(max_length=30, blank=True)
    failure_reason = models.CharField(max_length=255, blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("payout")
        verbose_name_plural = _("payouts")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["payee_kind", "payee_id", "idempotency_key"], name="payout_key_once"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payout_moves_money"),
        ]

    def __str__(self):
        return self.reference
