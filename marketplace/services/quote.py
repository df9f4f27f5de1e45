"""One checkout quote: what a cart costs now and what stops it from being ordered.

The preview (what the checkout page and the API show before placing) and placing the
checkout both come here with the rows they read, so they agree on every line problem,
courier, voucher and total, in the same words. Placing refuses a quote that has
problems; the preview shows them. A price change since adding is a notice: shown,
never a reason to refuse."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace

from django.utils import timezone
from django.utils.translation import gettext as _

from integration import contracts, tracing

from .. import pricing, selectors
from ..models import CartItem, Courier, ProductStatus, Shop, Variant, Voucher
from . import promotions

# The fields of a refusal, in the order a buyer fixes them.
CART, SHIPPING, VOUCHERS = "cart", "shipping", "vouchers"


@dataclass(frozen=True)
class ShopQuote:
    """One shop's share of a cart, priced: it becomes one order."""

    shop: Shop
    items: tuple[CartItem, ...]
    courier: Courier
    voucher: Voucher | None  # only a usable one
    subtotal: int
    fee: int  # the courier's fee
    discount: int  # the shop voucher's
    promotion: promotions.OrderPromotion = promotions.NONE

    @property
    def shipping_fee(self) -> int:
        """What the buyer pays for shipping: the courier's fee less free shipping."""
        return self.fee - self.promotion.shipping_subsidy

    @property
    def order_discount(self) -> int:
        """The order's whole discount: the shop's voucher and its share of the platform's."""
        return self.discount + self.promotion.platform_discount

    @property
    def total(self) -> int:
        return pricing.order_total(subtotal=self.subtotal, shipping_fee=self.shipping_fee, discount=self.order_discount)


@dataclass(frozen=True)
class CheckoutQuote:
    shops: tuple[ShopQuote, ...]
    options: tuple[contracts.ShippingOption, ...]
    problems: dict[str, list[str]]  # what stops the checkout, by field ("line_<id>", "shipping", ...)
    notices: dict[str, list[str]]  # what the buyer should see but may order anyway
    offer: promotions.Offer | None = None  # the platform voucher, only a usable one
    campaign: promotions.Campaign | None = None  # the free-shipping campaign that applies

    @property
    def total(self) -> int:
        return sum(part.total for part in self.shops)

    @property
    def shop_totals(self) -> tuple[tuple[int, int, int, int], ...]:
        return tuple((part.shop.id, part.subtotal, part.shipping_fee, part.order_discount) for part in self.shops)

    @property
    def promotion_shares(self) -> tuple[contracts.PromotionShare, ...]:
        return tuple(
            contracts.PromotionShare(
                shop_id=part.shop.id,
                platform_discount=part.promotion.platform_discount,
                shop_funded=part.promotion.shop_funded,
                shipping_subsidy=part.promotion.shipping_subsidy,
            )
            for part in self.shops
            if part.promotion != promotions.NONE
        )

    def shown(self) -> dict[str, list[str]]:
        """Notices and problems together, per field, notices first."""
        merged: dict[str, list[str]] = {}
        for found in (self.notices, self.problems):
            for name, messages in found.items():
                merged.setdefault(name, []).extend(messages)
        return merged

    def refusal(self) -> contracts.InvalidRequest | None:
        """Why this quote cannot be ordered, as one error naming every field; None when it can."""
        if not self.problems:
            return None
        if CART in self.problems:
            return contracts.InvalidRequest(self.problems[CART][0], fields=self.problems)
        if any(name.startswith("line_") for name in self.problems):
            return contracts.InvalidRequest(
                _("Some items in your cart are no longer available."), code="out_of_stock", fields=self.problems
            )
        if SHIPPING in self.problems:
            return contracts.InvalidRequest(self.problems[SHIPPING][0], fields=self.problems)
        if VOUCHERS not in self.problems:
            first = self.problems[promotions.PLATFORM_VOUCHER][0]
            return contracts.InvalidRequest(first, code="voucher", fields=self.problems)
        return contracts.InvalidRequest(self.problems[VOUCHERS][0], code="voucher", fields=self.problems)


def voucher_codes(choices: tuple[contracts.VoucherChoice, ...]) -> dict[int, str]:
    """{shop_id: code} as vouchers are stored: trimmed, upper case."""
    return {c.shop_id: c.code.strip().upper() for c in choices}


def _line_problem(item: CartItem, variant: Variant) -> str:
    product = item.variant.product
    if product.status != ProductStatus.ACTIVE:
        return _("%(title)s is no longer available.") % {"title": product.title}
    if item.quantity > variant.max_per_order:
        return _("At most %(limit)d of %(title)s per order.") % {"limit": variant.max_per_order, "title": product.title}
    if item.quantity > variant.stock_available:
        return _("Only %(left)d of %(title)s (%(variant)s) left.") % {
            "left": variant.stock_available,
            "title": product.title,
            "variant": variant.name,
        }
    return ""


def voucher_problem(*, voucher: Voucher | None, used_by_buyer: int, subtotal: int) -> str:
    """Why this voucher cannot be used now on `subtotal`, or ""."""
    now = timezone.now()
    if voucher is None or not voucher.is_active:
        return _("This voucher does not exist for this shop.")
    if not voucher.starts_at <= now < voucher.ends_at:
        return _("This voucher is not valid now.")
    if subtotal < voucher.min_spend:
        return _("Spend at least Rp %(amount)s at this shop to use this voucher.") % {
            "amount": _rupiah(voucher.min_spend)
        }
    if voucher.usage_limit is not None and voucher.used_count >= voucher.usage_limit:
        return _("This voucher has been fully used.")
    if used_by_buyer >= voucher.per_buyer_limit:
        return _("You have already used this voucher.")
    return ""


def _rupiah(amount: int) -> str:
    return f"{amount:,}".replace(",", ".")


def _same_province(province: str, shop: Shop) -> bool:
    return province.strip().lower() == shop.province.lower()


def _cheapest(couriers: dict[str, Courier], weight: int, same_province: bool) -> Courier:
    return min(couriers.values(), key=lambda c: (c.fee(weight_grams=weight, same_province=same_province), c.id))


def checkout_quote(
    *,
    buyer_id: int,
    items: list[CartItem],
    variants: dict[int, Variant],
    province: str,
    shipping: dict[int, str],
    codes: dict[int, str],
    vouchers: dict[int, Voucher],
    couriers: dict[str, Courier],
    platform_code: str = "",
    offer: promotions.Offer | None = None,
    campaigns: tuple[promotions.Campaign, ...] | list[promotions.Campaign] = (),
) -> CheckoutQuote:
    """Prices `items` (the buyer's cart lines; `variants` by id, as fresh as the caller
    needs them) for delivery to `province`, with the couriers asked for in `shipping`
    ({shop_id: code}; a shop left out gets its cheapest) and the vouchers asked for in
    `codes` ({shop_id: code}; `vouchers` are the ones found, by shop). Reads only how
    often the buyer used the vouchers asked for. `platform_code` is the platform voucher asked
    for (`offer` the one found); `campaigns` the free-shipping campaigns running."""
    problems: dict[str, list[str]] = defaultdict(list)
    notices: dict[str, list[str]] = defaultdict(list)
    if not items:
        problems[CART].append(_("Your cart is empty."))
    by_shop: dict[int, list[CartItem]] = defaultdict(list)
    for item in items:
        variant, product = variants[item.variant_id], item.variant.product
        by_shop[product.shop_id].append(item)
        if variant.price != item.price_when_added:
            notices[f"line_{item.id}"].append(
                _("The price of %(title)s changed from Rp %(old)s to Rp %(new)s.")
                % {"title": product.title, "old": _rupiah(item.price_when_added), "new": _rupiah(variant.price)}
            )
        problem = _line_problem(item, variant)
        if problem:
            problems[f"line_{item.id}"].append(problem)
    used = selectors.voucher_uses_of_buyer(buyer_id, [v.id for shop_id, v in vouchers.items() if shop_id in by_shop])
    options, parts = [], []
    for shop_id, shop_items in sorted(by_shop.items()):
        shop = shop_items[0].variant.product.shop
        lines = [(variants[i.variant_id], i.quantity) for i in shop_items]
        weight = sum(v.weight_grams * q for v, q in lines)
        same = _same_province(province, shop)
        for offered in couriers.values():
            options.append(
                contracts.ShippingOption(
                    shop_id=shop_id,
                    courier=offered.code,
                    name=offered.name,
                    fee=offered.fee(weight_grams=weight, same_province=same),
                    etd_days=offered.etd_days,
                )
            )
        courier = couriers.get(shipping[shop_id]) if shipping.get(shop_id) else _cheapest(couriers, weight, same)
        if courier is None:
            problems[SHIPPING].append(_("Choose one of the offered couriers."))
            courier = _cheapest(couriers, weight, same)  # priced all the same, so the totals stay whole
        subtotal = sum(v.price * q for v, q in lines)
        voucher = vouchers.get(shop_id)
        if shop_id in codes:
            problem = voucher_problem(
                voucher=voucher, used_by_buyer=used.get(voucher.id, 0) if voucher else 0, subtotal=subtotal
            )
            if problem:
                problems[VOUCHERS].append(problem)
                voucher = None
        else:
            voucher = None
        discount = 0
        if voucher is not None:
            discount = pricing.voucher_discount(
                kind=voucher.kind, value=voucher.value, max_discount=voucher.max_discount, subtotal=subtotal
            )
        fee = courier.fee(weight_grams=weight, same_province=same)
        parts.append(ShopQuote(shop, tuple(shop_items), courier, voucher, subtotal, fee, discount))
    if (set(shipping) | set(codes)) - set(by_shop):
        problems[SHIPPING].append(_("A shipping or voucher choice names a shop that is not in your cart."))
    if platform_code:
        problem = promotions.platform_voucher_problem(
            offer=offer,
            used_by_buyer=promotions.uses_of_buyer(offer.voucher.id, buyer_id) if offer else 0,
            spend=sum(part.subtotal for part in parts),
            shop_ids=set(by_shop),
        )
        if problem:
            problems[promotions.PLATFORM_VOUCHER].append(problem)
            offer = None
    else:
        offer = None
    applied, campaign = promotions.apply(
        subtotals=[part.subtotal for part in parts],
        rooms=[part.subtotal - part.discount for part in parts],
        fees=[part.fee for part in parts],
        shop_ids=[part.shop.id for part in parts],
        offer=offer,
        campaigns=list(campaigns),
    )
    parts = [replace(part, promotion=promo) for part, promo in zip(parts, applied, strict=True)]
    return CheckoutQuote(
        shops=tuple(parts),
        options=tuple(options),
        problems=dict(problems),
        notices=dict(notices),
        offer=offer,
        campaign=campaign,
    )


@tracing.traced
def checkout_preview(
    *,
    buyer_id: int,
    province: str,
    shipping: tuple[contracts.ShippingChoice, ...] = (),
    vouchers: tuple[contracts.VoucherChoice, ...] = (),
    platform_voucher: str = "",
) -> contracts.CheckoutPreview:
    """What checking out the cart would cost now. Problems and notices are reported,
    never raised; nothing is written."""
    items = selectors.cart_items(buyer_id)
    codes = voucher_codes(vouchers)
    quote = checkout_quote(
        buyer_id=buyer_id,
        items=items,
        variants={item.variant_id: item.variant for item in items},
        province=province,
        shipping={c.shop_id: c.courier for c in shipping},
        codes=codes,
        vouchers=selectors.vouchers_by_code(codes),
        couriers=selectors.active_couriers(),
        platform_code=promotions.normalised_code(platform_voucher),
        offer=promotions.offer_by_code(platform_voucher),
        campaigns=promotions.campaigns_now({item.variant.product.shop_id for item in items}),
    )
    return contracts.CheckoutPreview(
        cart=selectors.cart_dto_of(buyer_id, items),
        shipping_options=quote.options,
        shop_totals=quote.shop_totals,
        total=quote.total,
        problems=quote.shown(),
        promotions=quote.promotion_shares,
    )
