"""Shop vouchers: the seller's codes, their limits and validity."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from integration import contracts

from ..models import (
    Shop,
    Voucher,
    VoucherKind,
)
from ._common import ALIAS, _only_known, _owned

VOUCHER_FIELDS = (
    "code",
    "kind",
    "value",
    "min_spend",
    "max_discount",
    "starts_at",
    "ends_at",
    "usage_limit",
    "per_buyer_limit",
    "is_active",
)


def _voucher_errors(voucher: Voucher) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    voucher.code = (voucher.code or "").strip().upper()
    if not voucher.code or len(voucher.code) > 30 or not voucher.code.isalnum():
        errors["code"] = [_("Use 1 to 30 letters and digits.")]
    if voucher.kind not in VoucherKind.values:
        errors["kind"] = [_("Choose percentage or fixed amount.")]
    elif voucher.kind == VoucherKind.PERCENT and not 1 <= (voucher.value or 0) <= 100:
        errors["value"] = [_("A percentage is between 1 and 100.")]
    elif not 0 < (voucher.value or 0) <= 100_000_000:
        errors["value"] = [_("Enter an amount between Rp 1 and Rp 100.000.000.")]
    if voucher.starts_at is None or voucher.ends_at is None or voucher.starts_at >= voucher.ends_at:
        errors["ends_at"] = [_("The voucher must end after it starts.")]
    for name in ("min_spend", "max_discount", "usage_limit"):
        value = getattr(voucher, name)
        if value is not None and (not isinstance(value, int) or value < 0):
            errors[name] = [_("Enter zero or a positive whole number.")]
    if not isinstance(voucher.per_buyer_limit, int) or voucher.per_buyer_limit < 1:
        errors["per_buyer_limit"] = [_("Allow at least one use per buyer.")]
    if (
        voucher.usage_limit is not None
        and isinstance(voucher.usage_limit, int)
        and voucher.usage_limit < (voucher.used_count or 0)
    ):
        errors["usage_limit"] = [_("It has been used more often already.")]
    return errors


def _voucher_save(voucher: Voucher) -> Voucher:
    errors = _voucher_errors(voucher)
    if not errors and (
        Voucher.objects.using(ALIAS).filter(shop_id=voucher.shop_id, code=voucher.code).exclude(id=voucher.id).exists()
    ):
        errors["code"] = [_("This shop already has a voucher with this code.")]
    if errors:
        raise contracts.InvalidRequest(_("Please correct the voucher."), fields=errors)
    voucher.save(using=ALIAS)
    return voucher


def voucher_create(*, shop_id: int, owner_user_id: int | None = None, **fields) -> Voucher:
    _only_known(fields, VOUCHER_FIELDS)
    with transaction.atomic(using=ALIAS):
        shops = Shop.objects.using(ALIAS).filter(id=shop_id)
        _owned(shops, owner_user_id, "owner_user_id", _("Shop not found."))
        return _voucher_save(Voucher(shop_id=shop_id, **fields))


def voucher_update(*, voucher_id: int, owner_user_id: int | None = None, **fields) -> Voucher:
    _only_known(fields, VOUCHER_FIELDS)
    with transaction.atomic(using=ALIAS):
        vouchers = Voucher.objects.using(ALIAS).select_for_update().filter(id=voucher_id)
        voucher = _owned(vouchers, owner_user_id, "shop__owner_user_id", _("Voucher not found."))
        for name, value in fields.items():
            setattr(voucher, name, value)
        return _voucher_save(voucher)
