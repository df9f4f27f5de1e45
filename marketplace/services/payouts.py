"""Payouts: a seller's or a creator's available balance withdrawn to a verified bank account.

A withdrawal moves the money from available to in flight in the ledger (never more
than is available, whatever runs concurrently); the gateway's signed callback then
settles it (the money left) or returns it (the bank refused).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from integration import contracts
from integration.money import format_rupiah

from .. import disbursements, rules
from ..metrics import PAYOUTS
from ..models import (
    PAYEE_ACCOUNTS,
    AccountKind,
    BankAccount,
    LedgerTransaction,
    PayeeKind,
    Payout,
    PayoutStatus,
    Shop,
)
from ._common import ALIAS, _invalid, logger
from .ledger import Leg, ledger_post

ACCOUNTS = PAYEE_ACCOUNTS  # payee kind: (pending, available, in flight)
Kind = LedgerTransaction.Kind


def _check_payee(payee_kind: str, payee_id: int, owner_user_id: int | None) -> None:
    """A shop's money is its owner's to move; a creator's payee id comes from the storefront, which checked it."""
    if payee_kind not in ACCOUNTS:
        raise _invalid("payee_kind", _("Unknown payee."))
    if payee_kind == PayeeKind.SHOP and owner_user_id is not None:
        owned = Shop.objects.using(ALIAS).filter(id=payee_id, owner_user_id=owner_user_id).exists()
        if not owned:
            raise contracts.NotFound(_("Shop not found."))


def bank_account_add(
    *, payee_kind: str, payee_id: int, bank_code: str, number: str, owner_user_id: int | None = None
) -> BankAccount:
    """Registers an account after the bank confirmed it exists; its holder's name is the bank's."""
    _check_payee(payee_kind, payee_id, owner_user_id)
    bank_code, number = (bank_code or "").strip().lower(), "".join((number or "").split())
    errors: dict[str, list[str]] = {}
    if bank_code not in disbursements.BANKS:
        errors["bank_code"] = [_("Choose one of the banks.")]
    if not (number.isdigit() and 6 <= len(number) <= 20):
        errors["number"] = [_("An account number has 6 to 20 digits.")]
    if errors:
        raise contracts.InvalidRequest(_("Please correct the bank account."), fields=errors)
    inquiry = disbursements.gateway().inquire(bank_code=bank_code, number=number)
    if not inquiry.found:
        raise _invalid("number", _("The bank knows no such account."))
    try:
        with transaction.atomic(using=ALIAS):
            return BankAccount.objects.using(ALIAS).create(
                payee_kind=payee_kind,
                payee_id=payee_id,
                bank_code=bank_code,
                number=number,
                holder_name=inquiry.holder_name[:100],
                verified_at=timezone.now(),
            )
    except IntegrityError:
        raise _invalid("number", _("This account is already registered.")) from None


def payout_request(
    *,
    payee_kind: str,
    payee_id: int,
    bank_account_id: int,
    amount: int,
    idempotency_key: str,
    owner_user_id: int | None = None,
) -> Payout:
    """Withdraws `amount` of the payee's available balance, once per idempotency key: the same
    key with the same request gives back the same payout; with another, it is refused."""
    _check_payee(payee_kind, payee_id, owner_user_id)
    key = (idempotency_key or "").strip()
    if not key or len(key) > rules.PAYOUT_KEY_MAX_LENGTH:
        raise _invalid("idempotency_key", _("Send an Idempotency-Key of 1 to 100 characters."))
    earlier = Payout.objects.using(ALIAS).filter(payee_kind=payee_kind, payee_id=payee_id, idempotency_key=key).first()
    if earlier is not None:
        return _replayed(earlier, bank_account_id=bank_account_id, amount=amount)
    if amount < settings.PAYOUT_MINIMUM:
        raise _invalid(
            "amount", _("The smallest withdrawal is %(min)s.") % {"min": format_rupiah(settings.PAYOUT_MINIMUM)}
        )
    accounts = BankAccount.objects.using(ALIAS).filter(id=bank_account_id, payee_kind=payee_kind, payee_id=payee_id)
    account = accounts.first()
    if account is None or account.verified_at is None:
        raise _invalid("bank_account_id", _("Choose one of your verified bank accounts."))
    _pending, available, in_flight = ACCOUNTS[payee_kind]
    try:
        with transaction.atomic(using=ALIAS):
            payout = Payout.objects.using(ALIAS).create(
                payee_kind=payee_kind,
                payee_id=payee_id,
                bank_account=account,
                amount=amount,
                idempotency_key=key,
                reference=f"PO-{secrets.token_hex(12)}",
            )
            legs = [Leg(available, payee_id, -amount), Leg(in_flight, payee_id, amount)]
            ledger_post(kind=Kind.PAYOUT_REQUESTED, legs=legs, payout=payout, memo=payout.reference)
            transaction.on_commit(lambda: payout_send(payout_id=payout.id), using=ALIAS)
    except IntegrityError:  # the same key, concurrently: the first one stands
        earlier = Payout.objects.using(ALIAS).get(payee_kind=payee_kind, payee_id=payee_id, idempotency_key=key)
        return _replayed(earlier, bank_account_id=bank_account_id, amount=amount)
    PAYOUTS.labels("requested").inc()
    return payout


def _replayed(payout: Payout, *, bank_account_id: int, amount: int) -> Payout:
    if (payout.bank_account_id, payout.amount) != (bank_account_id, amount):
        raise contracts.InvalidRequest(
            _("This Idempotency-Key was used for another withdrawal."),
            code="idempotency_key_reused",
            fields={"idempotency_key": [_("Use a new key for a new withdrawal.")]},
        )
    return payout


def payout_send(*, payout_id: int) -> None:
    """Hands a requested payout to the gateway, outside any lock; safe to repeat (the
    gateway is idempotent by reference)."""
    payout = Payout.objects.using(ALIAS).select_related("bank_account").get(id=payout_id)
    if payout.status != PayoutStatus.REQUESTED:
        return
    gateway = disbursements.gateway()
    bank = payout.bank_account
    answer = gateway.create_payout(
        reference=payout.reference,
        amount=payout.amount,
        bank_code=bank.bank_code,
        number=bank.number,
        holder_name=bank.holder_name,
    )
    Payout.objects.using(ALIAS).filter(id=payout.id, gateway="").update(gateway=gateway.name)
    if answer is not None:
        _settle(answer)


def payout_notification_receive(*, body: bytes, signature: str) -> str:
    """Settles a payout from the gateway's callback; returns the outcome. A repeat changes
    nothing; a forged, unknown or wrong-amount one changes nothing and is logged."""
    notification = disbursements.gateway().parse_notification(body=body, signature=signature)
    if notification is None:
        logger.warning("payout notification refused: forged")
        return "forged"
    return _settle(notification)


def _settle(notification: disbursements.PayoutNotification) -> str:
    with transaction.atomic(using=ALIAS):
        payout = Payout.objects.using(ALIAS).select_for_update().filter(reference=notification.reference).first()
        if payout is None or payout.amount != notification.amount:
            outcome = "unknown" if payout is None else "wrong_amount"
            logger.warning("payout notification refused: %s (%r)", outcome, notification.reference)
            return outcome
        if payout.status != PayoutStatus.REQUESTED:
            return "duplicate"
        _pending, available, in_flight = ACCOUNTS[payout.payee_kind]
        if notification.status == "succeeded":
            payout.status = PayoutStatus.SUCCEEDED
            # The money left the platform's float at the gateway.
            legs = [Leg(in_flight, payout.payee_id, -payout.amount), Leg(AccountKind.GATEWAY, None, payout.amount)]
            kind = Kind.PAYOUT_SUCCEEDED
        else:
            payout.status, payout.failure_reason = PayoutStatus.FAILED, notification.reason[:255]
            legs = [Leg(in_flight, payout.payee_id, -payout.amount), Leg(available, payout.payee_id, payout.amount)]
            kind = Kind.PAYOUT_FAILED
        payout.settled_at = timezone.now()
        payout.save(using=ALIAS, update_fields=["status", "failure_reason", "settled_at"])
        ledger_post(kind=kind, legs=legs, payout=payout, memo=payout.reference)
    PAYOUTS.labels(payout.status).inc()
    return "accepted"
