"""The ledger: every rupiah a buyer pays, held by a seller, a creator, a courier or the platform.

Double entry: each business event is one `LedgerTransaction` whose entries sum to
zero, written in the transaction of the change that causes it. Balances are kept
as running figures and can always be recomputed from the entries (`ledger_reconcile`).

The money of one order, online payment (COD: the courier's cash instead of the gateway):

- payment captured: gateway -total; shop pending +(goods - the shop's own discounts -
  commissions); each attributed creator's pending +commission; courier payable +the
  courier's whole fee; platform promotion expense -(what the platform funds of the order's
  platform voucher share and free shipping, `PromotionFunding`). So a seller receives the
  full price less only its own share of a promotion.
- order completed: pending → available, less the platform's fee and its VAT
  (`pricing.platform_fee`, charged on the shop's share of the goods), which go to fee
  revenue and VAT payable.
- refunded: every account the order reached gives back what it holds of it (the
  promotion expense too: the platform's funding of that order is reversed); the buyer's
  refund is the sum, the order's total. An available balance never goes negative: a
  refund it cannot cover is refused.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, Q, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from integration import contracts

from .. import pricing
from ..models import (
    AccountKind,
    FeeInvoice,
    FundingSource,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    Order,
    PaymentMethod,
    Payout,
    ReconciliationRun,
)
from ._common import ALIAS, logger

Kind = LedgerTransaction.Kind
# Accounts that hold money someone may withdraw: never below zero.
GUARDED = frozenset({AccountKind.SHOP_AVAILABLE, AccountKind.CREATOR_AVAILABLE})


@dataclass(frozen=True)
class Leg:
    kind: str
    holder_id: int | None
    amount: int


def _locked_accounts(keys: Iterable[tuple[str, int | None]]) -> dict[tuple[str, int | None], LedgerAccount]:
    """The accounts of `keys`, opened on first use, row-locked in id order: two postings
    then never wait on each other in a cycle."""
    keys = set(keys)
    wanted = Q()
    for kind, holder in keys:
        wanted |= Q(kind=kind, holder_id=holder) if holder is not None else Q(kind=kind, holder_id__isnull=True)
    accounts = LedgerAccount.objects.using(ALIAS).select_for_update().filter(wanted).order_by("id")
    found = {(a.kind, a.holder_id): a for a in accounts}
    missing = keys - found.keys()
    if missing:
        LedgerAccount.objects.using(ALIAS).bulk_create(
            [LedgerAccount(kind=kind, holder_id=holder) for kind, holder in missing], ignore_conflicts=True
        )
        found = {(a.kind, a.holder_id): a for a in accounts.all()}
    return found


def ledger_post(
    *, kind: str, legs: Iterable[Leg], order: Order | None = None, payout: Payout | None = None, memo: str = ""
) -> LedgerTransaction:
    """Writes one balanced transaction and moves the running balances. Must run inside the
    business change's own transaction; a refusal (a guarded balance would go negative)
    raises `InvalidRequest` and so undoes that change too."""
    amounts: dict[tuple[str, int | None], int] = defaultdict(int)
    for leg in legs:
        amounts[(leg.kind, leg.holder_id)] += leg.amount
    amounts = {key: amount for key, amount in amounts.items() if amount}
    if sum(amounts.values()) != 0:
        raise ValueError(f"unbalanced ledger transaction {kind}: {amounts}")
    accounts = _locked_accounts(amounts)
    entry = LedgerTransaction.objects.using(ALIAS).create(kind=kind, order=order, payout=payout, memo=memo[:255])
    LedgerEntry.objects.using(ALIAS).bulk_create(
        [LedgerEntry(transaction=entry, account=accounts[key], amount=amount) for key, amount in amounts.items()]
    )
    free = {}
    for key, amount in sorted(amounts.items(), key=lambda item: accounts[item[0]].id):
        account = accounts[key]
        if account.kind in GUARDED and amount < 0:
            # Conditional, like stock: the balance holds whatever runs concurrently.
            taken = LedgerAccount.objects.using(ALIAS).filter(id=account.id, balance__gte=-amount)
            if not taken.update(balance=F("balance") + amount):
                raise contracts.InvalidRequest(
                    _("The balance does not cover this."),
                    code="balance_too_low",
                    fields={"amount": [_("More than the available balance.")]},
                )
        else:
            free[account.id] = amount
    if free:
        LedgerAccount.objects.using(ALIAS).filter(id__in=free).update(
            balance=F("balance") + Case(*(When(id=i, then=Value(a)) for i, a in free.items()), default=Value(0))
        )
    return entry


# --- The money of an order -------------------------------------------------------------------


def _commissions(order: Order) -> dict[int, int]:
    """What each attributed creator earns on the order (creator id -> rupiah)."""
    earned: dict[int, int] = defaultdict(int)
    for line in order.lines.all():
        if line.attribution_source and line.commission_bp and line.creator_id is not None:
            earned[line.creator_id] += pricing.commission_amount(
                sale_amount=line.unit_price * line.quantity, rate_bp=line.commission_bp
            )
    return earned


def _platform_funded(order: Order) -> tuple[int, int]:
    """(of the goods, of the shipping): what the platform pays of the order's promotions."""
    goods = shipping = 0
    for funding in order.promotion_fundings.all():
        if funding.source == FundingSource.FREE_SHIPPING:
            shipping += funding.platform_amount
        else:
            goods += funding.platform_amount
    return goods, shipping


def shop_goods(order: Order, platform_goods: int) -> int:
    """The shop's share of the order's goods: the price less only the discounts it funds."""
    return order.subtotal - order.discount + platform_goods


def ledger_capture(order: Order) -> LedgerTransaction:
    """The buyer's money for `order` arrived (the gateway's callback, or the courier's cash on delivery)."""
    source = AccountKind.COD if order.payment_method == PaymentMethod.COD else AccountKind.GATEWAY
    commissions = _commissions(order)
    platform_goods, platform_shipping = _platform_funded(order)
    legs = [
        Leg(source, None, -order.total),
        Leg(AccountKind.COURIER_PAYABLE, None, order.shipping_fee + platform_shipping),
        Leg(AccountKind.SHOP_PENDING, order.shop_id, shop_goods(order, platform_goods) - sum(commissions.values())),
        *(Leg(AccountKind.CREATOR_PENDING, creator, amount) for creator, amount in commissions.items()),
        Leg(AccountKind.PLATFORM_PROMOTIONS, None, -(platform_goods + platform_shipping)),
    ]
    return ledger_post(kind=Kind.PAYMENT_CAPTURED, legs=legs, order=order, memo=order.number)


def ledger_settle(order: Order) -> LedgerTransaction | None:
    """The order completed: its pending money becomes available, less the platform's fee."""
    held = _held(order)
    if not held:  # never captured (nothing was paid through the ledger)
        return None
    pending = held.get((AccountKind.SHOP_PENDING, order.shop_id), 0)
    base = shop_goods(order, _platform_funded(order)[0])
    fee, vat = pricing.platform_fee(
        base=base,
        room=pending,
        fixed=settings.PLATFORM_FEE_FIXED,
        rate_bp=settings.PLATFORM_FEE_BP,
        vat_bp=settings.PLATFORM_FEE_VAT_BP,
    )
    legs = [
        Leg(AccountKind.SHOP_PENDING, order.shop_id, -pending),
        Leg(AccountKind.SHOP_AVAILABLE, order.shop_id, pending - fee - vat),
        Leg(AccountKind.PLATFORM_FEES, None, fee),
        Leg(AccountKind.TAX_PAYABLE, None, vat),
    ]
    for (kind, holder), amount in held.items():
        if kind == AccountKind.CREATOR_PENDING:
            legs += [Leg(kind, holder, -amount), Leg(AccountKind.CREATOR_AVAILABLE, holder, amount)]
    entry = ledger_post(kind=Kind.ORDER_SETTLED, legs=legs, order=order, memo=order.number)
    FeeInvoice.objects.using(ALIAS).create(
        order=order,
        shop_id=order.shop_id,
        number=f"FEE/{order.number}",
        base=base,
        fee=fee,
        vat=vat,
    )
    return entry


def ledger_refund(order: Order) -> LedgerTransaction | None:
    """The order is refunded in full: every account gives back what it holds of it."""
    held = _held(order)
    if not held:
        return None
    legs = [Leg(kind, holder, -amount) for (kind, holder), amount in held.items()]
    legs.append(Leg(AccountKind.REFUNDS, None, sum(held.values())))
    return ledger_post(kind=Kind.ORDER_REFUNDED, legs=legs, order=order, memo=order.number)


def _held(order: Order) -> dict[tuple[str, int | None], int]:
    """What each account holds of the order's money now (the source of the payment left out)."""
    rows = (
        LedgerEntry.objects.using(ALIAS)
        .filter(transaction__order=order)
        .exclude(account__kind__in=[AccountKind.GATEWAY, AccountKind.COD, AccountKind.REFUNDS])
        .values("account__kind", "account__holder_id")
        .annotate(held=Sum("amount"))
    )
    return {(r["account__kind"], r["account__holder_id"]): r["held"] for r in rows if r["held"]}


# --- Reconciliation --------------------------------------------------------------------------


def ledger_reconcile() -> ReconciliationRun:
    """Recomputes every balance from its entries and records the accounts that differ.
    A difference is an alarm (logged as an error, listed in the admin); the kept figure
    is left as it is for a person to investigate."""
    with transaction.atomic(using=ALIAS):
        sums = dict(
            LedgerEntry.objects.using(ALIAS)
            .values("account_id")
            .annotate(total=Sum("amount"))
            .values_list("account_id", "total")
        )
        accounts = list(LedgerAccount.objects.using(ALIAS).order_by("id"))
        differences = [
            {"account": a.id, "name": str(a), "kept": a.balance, "entries": sums.get(a.id, 0)}
            for a in accounts
            if a.balance != sums.get(a.id, 0)
        ]
        run = ReconciliationRun.objects.using(ALIAS).create(
            ran_at=timezone.now(), accounts=len(accounts), differences=differences
        )
    for difference in differences:
        logger.error("ledger: balance differs from its entries: %s", difference)
    return run
