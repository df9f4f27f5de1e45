"""Platform promotions: platform vouchers (the platform's codes, alone or co-funded with
shops) and free-shipping campaigns, how they apply to a checkout's orders, and their uses.

A checkout's platform voucher discount is one figure for the whole checkout (on the goods
left after the shops' own vouchers), split over its orders by `pricing.split_pro_rata`;
each order's share is then divided between the platform and, when the order's shop takes
part, the shop (`pricing.funded_shares`). Free shipping subtracts the platform's subsidy
from each eligible order's shipping, capped per order and then per checkout (split the
same way). Every order records who funded what (`PromotionFunding`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext as _

from integration import contracts

from .. import pricing, rules
from ..models import (
    Checkout,
    FreeShippingCampaign,
    FundingSource,
    Order,
    OrderStatus,
    PlatformVoucher,
    PlatformVoucherUse,
    PromotionFunding,
)
from ._common import ALIAS, UNSET

PLATFORM_VOUCHER = "platform_voucher"  # the field a bad platform voucher is reported on


@dataclass(frozen=True)
class Offer:
    """A platform voucher as a checkout sees it: the row and the shops taking part."""

    voucher: PlatformVoucher
    shops: frozenset[int]


@dataclass(frozen=True)
class Campaign:
    campaign: FreeShippingCampaign
    shops: frozenset[int]


@dataclass(frozen=True)
class OrderPromotion:
    """What the platform promotions take off one order, and who pays it."""

    platform_discount: int = 0  # the order's share of the platform voucher
    shop_funded: int = 0  # of which the shop pays
    shipping_subsidy: int = 0  # free shipping, paid by the platform

    @property
    def platform_funded(self) -> int:
        return self.platform_discount - self.shop_funded


NONE = OrderPromotion()


def normalised_code(code: str) -> str:
    return (code or "").strip().upper()


# --- Reading ---------------------------------------------------------------------------------


def offer_by_code(code: str, *, for_update: bool = False) -> Offer | None:
    """The platform voucher of `code` with its participating shops; row-locked when asked."""
    code = normalised_code(code)
    if not code:
        return None
    found = PlatformVoucher.objects.using(ALIAS).filter(code=code)
    if for_update:
        found = found.select_for_update()
    voucher = found.first()
    if voucher is None:
        return None
    shops = frozenset(
        voucher.shops.through.objects.using(ALIAS)
        .filter(platformvoucher_id=voucher.id)
        .values_list("shop_id", flat=True)
    )
    return Offer(voucher, shops)


def uses_of_buyer(voucher_id: int, buyer_id: int) -> int:
    return PlatformVoucherUse.objects.using(ALIAS).filter(voucher_id=voucher_id, buyer_id=buyer_id).count()


def campaigns_now(shop_ids) -> list[Campaign]:
    """The free-shipping campaigns running now for any of `shop_ids`, each with those of them
    it makes eligible, in one query."""
    now = timezone.now()
    rows = (
        FreeShippingCampaign.shops.through.objects.using(ALIAS)
        .filter(
            shop_id__in=list(shop_ids),
            freeshippingcampaign__is_active=True,
            freeshippingcampaign__starts_at__lte=now,
            freeshippingcampaign__ends_at__gt=now,
        )
        .select_related("freeshippingcampaign")
        .order_by("freeshippingcampaign_id", "shop_id")
    )
    found: dict[int, tuple[FreeShippingCampaign, set[int]]] = {}
    for row in rows:
        found.setdefault(row.freeshippingcampaign_id, (row.freeshippingcampaign, set()))[1].add(row.shop_id)
    return [Campaign(campaign, frozenset(shops)) for campaign, shops in found.values()]


# --- Rules -----------------------------------------------------------------------------------


def _rupiah(amount: int) -> str:
    return f"{amount:,}".replace(",", ".")


def platform_voucher_problem(*, offer: Offer | None, used_by_buyer: int, spend: int, shop_ids: set[int]) -> str:
    """Why the platform voucher cannot be used now on a checkout of `spend` rupiah of goods at
    `shop_ids`, or ""."""
    now = timezone.now()
    if offer is None or not offer.voucher.is_active:
        return _("This platform voucher does not exist.")
    voucher = offer.voucher
    if not voucher.starts_at <= now < voucher.ends_at:
        return _("This voucher is not valid now.")
    if offer.shops and not offer.shops & shop_ids:
        return _("This platform voucher does not apply to the shops in your cart.")
    if spend < voucher.min_spend:
        return _("Spend at least Rp %(amount)s in this checkout to use this voucher.") % {
            "amount": _rupiah(voucher.min_spend)
        }
    if voucher.usage_limit is not None and voucher.used_count >= voucher.usage_limit:
        return _("This voucher has been fully used.")
    if used_by_buyer >= voucher.per_buyer_limit:
        return _("You have already used this voucher.")
    return ""


# --- Applying them to a checkout -------------------------------------------------------------


def apply(
    *,
    subtotals: list[int],
    rooms: list[int],
    fees: list[int],
    shop_ids: list[int],
    offer: Offer | None,
    campaigns: list[Campaign],
) -> tuple[list[OrderPromotion], Campaign | None]:
    """Each order's promotions, in the orders' order. `rooms`: the goods left on each order
    after its shop's voucher; `fees`: its courier fee. `offer` is a usable platform voucher
    (checked already) or None. Of the campaigns running, the one that subsidises most applies
    (the first, on a tie)."""
    n = len(subtotals)
    discounts = [0] * n
    shop_funded = [0] * n
    if offer is not None:
        voucher = offer.voucher
        reached = [not offer.shops or shop_ids[i] in offer.shops for i in range(n)]
        base = sum(room for room, hit in zip(rooms, reached, strict=True) if hit)
        total = pricing.voucher_discount(
            kind=voucher.kind, value=voucher.value, max_discount=voucher.max_discount, subtotal=base
        )
        discounts = pricing.split_pro_rata(
            total,
            [s if hit else 0 for s, hit in zip(subtotals, reached, strict=True)],
            [r if hit else 0 for r, hit in zip(rooms, reached, strict=True)],
        )
        bp = voucher.shop_share_bp if offer.shops else 0
        shop_funded = [pricing.funded_shares(share, bp)[1] for share in discounts]
    best: tuple[int, list[int], Campaign | None] = (0, [0] * n, None)
    for campaign in campaigns:
        subsidies = shipping_subsidies(campaign, subtotals=subtotals, fees=fees, shop_ids=shop_ids)
        if sum(subsidies) > best[0]:
            best = (sum(subsidies), subsidies, campaign)
    subsidies, chosen = best[1], best[2]
    return [OrderPromotion(discounts[i], shop_funded[i], subsidies[i]) for i in range(n)], chosen


def shipping_subsidies(campaign: Campaign, *, subtotals: list[int], fees: list[int], shop_ids: list[int]) -> list[int]:
    """What `campaign` pays of each order's shipping: nothing unless the goods at its eligible
    shops reach its minimum spend; then each eligible order's fee up to the per-order cap,
    and at most the per-checkout cap in all (split pro rata to the subtotals)."""
    row = campaign.campaign
    eligible = [shop_id in campaign.shops for shop_id in shop_ids]
    if sum(s for s, hit in zip(subtotals, eligible, strict=True) if hit) < row.min_spend or not any(eligible):
        return [0] * len(fees)
    rooms = [
        (fee if row.max_per_order is None else min(fee, row.max_per_order)) if hit else 0
        for fee, hit in zip(fees, eligible, strict=True)
    ]
    if row.max_per_checkout is None or sum(rooms) <= row.max_per_checkout:
        return rooms
    return pricing.split_pro_rata(
        row.max_per_checkout, [s if r else 0 for s, r in zip(subtotals, rooms, strict=True)], rooms
    )


# --- Writing uses and funding ----------------------------------------------------------------


def take(*, offer: Offer, buyer_id: int, checkout: Checkout) -> None:
    """Counts one use of the (locked) platform voucher by `checkout`; conditional like stock,
    so the limit holds even if the lock were ever missed."""
    voucher = offer.voucher
    taken = PlatformVoucher.objects.using(ALIAS).filter(id=voucher.id)
    if voucher.usage_limit is not None:
        taken = taken.filter(used_count__lt=voucher.usage_limit)
    if not taken.update(used_count=F("used_count") + 1):
        raise contracts.InvalidRequest(
            _("This voucher has been fully used."),
            code="voucher",
            fields={PLATFORM_VOUCHER: [_("Fully used.")]},
        )
    PlatformVoucherUse.objects.using(ALIAS).create(voucher=voucher, buyer_id=buyer_id, checkout=checkout)


def record_funding(
    orders: list[Order], promotions: list[OrderPromotion], *, offer: Offer | None, campaign: Campaign | None
) -> None:
    """One row per order and promotion that reached it: who pays what."""
    rows = []
    for order, promo in zip(orders, promotions, strict=True):
        if promo.platform_discount and offer is not None:
            rows.append(
                PromotionFunding(
                    order=order,
                    source=FundingSource.PLATFORM_VOUCHER,
                    platform_voucher=offer.voucher,
                    platform_amount=promo.platform_funded,
                    shop_amount=promo.shop_funded,
                )
            )
        if promo.shipping_subsidy and campaign is not None:
            rows.append(
                PromotionFunding(
                    order=order,
                    source=FundingSource.FREE_SHIPPING,
                    campaign=campaign.campaign,
                    platform_amount=promo.shipping_subsidy,
                )
            )
    if rows:
        PromotionFunding.objects.using(ALIAS).bulk_create(rows)


ENDED = (OrderStatus.CANCELLED, OrderStatus.EXPIRED, OrderStatus.REFUNDED)


def give_back(order: Order) -> None:
    """The order ended unfulfilled: when no other order of its checkout is still alive, the
    checkout's platform voucher use is given back (a use is one checkout, not one order)."""
    use = PlatformVoucherUse.objects.using(ALIAS).filter(checkout_id=order.checkout_id).first()
    if use is None:
        return
    alive = Order.objects.using(ALIAS).filter(checkout_id=order.checkout_id).exclude(id=order.id)
    if alive.exclude(status__in=ENDED).exists():
        return
    if PlatformVoucherUse.objects.using(ALIAS).filter(id=use.id).delete()[0]:
        PlatformVoucher.objects.using(ALIAS).filter(id=use.voucher_id, used_count__gt=0).update(
            used_count=F("used_count") - 1
        )


def funding_of(order: Order) -> dict[str, tuple[int, int]]:
    """{source: (platform_amount, shop_amount)} of the order."""
    return {
        f.source: (f.platform_amount, f.shop_amount) for f in PromotionFunding.objects.using(ALIAS).filter(order=order)
    }


# --- Platform staff's commands ---------------------------------------------------------------

PLATFORM_VOUCHER_FIELDS = (
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
    "shop_share_bp",
)


def _platform_voucher_save(voucher: PlatformVoucher, shop_ids: list[int] | None) -> PlatformVoucher:
    """Checks and saves; `shop_ids` None keeps the participating shops it has."""
    kept = shop_ids if shop_ids is not None else list(voucher.shops.values_list("id", flat=True)) if voucher.pk else []
    errors = rules.platform_voucher_errors(voucher, shop_ids=kept, using=ALIAS)
    if errors:
        raise contracts.InvalidRequest(_("Please correct the voucher."), fields=errors)
    voucher.save(using=ALIAS)
    if shop_ids is not None:
        voucher.shops.set(shop_ids)
    return voucher


def platform_voucher_create(
    *,
    code: str,
    kind: str,
    value: int,
    starts_at: datetime,
    ends_at: datetime,
    min_spend: int = 0,
    max_discount: int | None = None,
    usage_limit: int | None = None,
    per_buyer_limit: int = 1,
    is_active: bool = True,
    shop_share_bp: int = 0,
    shop_ids: list[int] | None = None,
) -> PlatformVoucher:
    with transaction.atomic(using=ALIAS):
        voucher = PlatformVoucher(
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
            shop_share_bp=shop_share_bp,
        )
        return _platform_voucher_save(voucher, list(shop_ids or []))


def platform_voucher_update(*, voucher_id: int, shop_ids: list[int] | None = None, **given) -> PlatformVoucher:
    """Edits the fields given (of PLATFORM_VOUCHER_FIELDS); checked whole. `shop_ids`: the
    participating shops anew (None keeps them)."""
    unknown = set(given) - set(PLATFORM_VOUCHER_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    with transaction.atomic(using=ALIAS):
        voucher = PlatformVoucher.objects.using(ALIAS).select_for_update().filter(id=voucher_id).first()
        if voucher is None:
            raise contracts.NotFound(_("Voucher not found."))
        for name, field_value in given.items():
            if field_value is not UNSET:
                setattr(voucher, name, field_value)
        return _platform_voucher_save(voucher, None if shop_ids is None else list(shop_ids))


def campaign_save(campaign: FreeShippingCampaign, shop_ids: list[int]) -> FreeShippingCampaign:
    """Creates or edits a free-shipping campaign with its eligible shops, checked whole."""
    with transaction.atomic(using=ALIAS):
        errors = rules.free_shipping_errors(campaign, shop_ids=shop_ids, using=ALIAS)
        if errors:
            raise contracts.InvalidRequest(_("Please correct the campaign."), fields=errors)
        campaign.save(using=ALIAS)
        campaign.shops.set(shop_ids)
        return campaign


def platform_voucher_uses(voucher_ids: list[int]) -> dict[int, int]:
    return dict(
        PlatformVoucherUse.objects.using(ALIAS)
        .filter(voucher_id__in=voucher_ids)
        .values("voucher_id")
        .annotate(n=Count("id"))
        .values_list("voucher_id", "n")
    )
