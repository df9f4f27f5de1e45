"""Shop vouchers: the seller's codes, their limits and validity."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from integration import contracts

from .. import rules
from ..models import (
    Shop,
    Voucher,
)
from ._common import ALIAS, UNSET, _owned

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


def _voucher_save(voucher: Voucher) -> Voucher:
    errors = rules.voucher_errors(voucher, using=ALIAS)
    if errors:
        raise contracts.InvalidRequest(_("Please correct the voucher."), fields=errors)
    voucher.save(using=ALIAS)
    return voucher


def voucher_create(
    *,
    shop_id: int,
    code: str,
    kind: str,
    value: int,
    starts_at: datetime,
    ends_at: datetime,
    owner_user_id: int | None = None,
    min_spend: int = 0,
    max_discount: int | None = None,
    usage_limit: int | None = None,
    per_buyer_limit: int = 1,
    is_active: bool = True,
) -> Voucher:
    with transaction.atomic(using=ALIAS):
        shops = Shop.objects.using(ALIAS).filter(id=shop_id)
        _owned(shops, owner_user_id, "owner_user_id", _("Shop not found."))
        voucher = Voucher(
            shop_id=shop_id,
            code=code,
            kind=kind,
            value=value,
            min_spend=min_spend,
            max_discount=max_discount,
            starts_at=starts_at,
            ends_at=ends_at,
            usage_limit=usage_limit,
            per_buyer_limit=per_buyer_limit,
            is_active=is_active,
        )
        return _voucher_save(voucher)


def voucher_update(
    *,
    voucher_id: int,
    owner_user_id: int | None = None,
    code: str = UNSET,
    kind: str = UNSET,
    value: int = UNSET,
    min_spend: int = UNSET,
    max_discount: int | None = UNSET,
    starts_at: datetime = UNSET,
    ends_at: datetime = UNSET,
    usage_limit: int | None = UNSET,
    per_buyer_limit: int = UNSET,
    is_active: bool = UNSET,
) -> Voucher:
    """Edits the fields given; the voucher is checked whole, with the ones it keeps."""
    given = {
        "code": code,
        "kind": kind,
        "value": value,
        "min_spend": min_spend,
        "max_discount": max_discount,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "usage_limit": usage_limit,
        "per_buyer_limit": per_buyer_limit,
        "is_active": is_active,
    }
    with transaction.atomic(using=ALIAS):
        vouchers = Voucher.objects.using(ALIAS).select_for_update().filter(id=voucher_id)
        voucher = _owned(vouchers, owner_user_id, "shop__owner_user_id", _("Voucher not found."))
        for name, field_value in given.items():
            if field_value is not UNSET:
                setattr(voucher, name, field_value)
        return _voucher_save(voucher)
