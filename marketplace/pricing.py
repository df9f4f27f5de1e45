"""Pure money arithmetic of checkout, in integer rupiah.

Rounding rule: a percentage discount is rounded down to the whole rupiah (the
buyer never gets a fraction the seller did not offer), then capped by the
voucher's maximum and by the subtotal, so a total is never negative and never
more than the lines plus shipping. Discounts apply to goods, never shipping.

The platform's fee on a completed order is a fixed amount plus a percentage of
the shop's share (rounded down), and VAT on the fee (rounded down); fee and VAT
together never exceed what the shop keeps of the order, so a balance released on
completion is never negative (see `platform_fee`).
"""


def voucher_discount(*, kind: str, value: int, max_discount: int | None, subtotal: int) -> int:
    discount = subtotal * value // 100 if kind == "percent" else value
    if max_discount is not None:
        discount = min(discount, max_discount)
    return max(0, min(discount, subtotal))


def order_total(*, subtotal: int, shipping_fee: int, discount: int) -> int:
    return subtotal + shipping_fee - discount


def commission_amount(*, sale_amount: int, rate_bp: int) -> int:
    """Affiliate commission, rounded down to the whole rupiah."""
    return sale_amount * rate_bp // 10_000


def platform_fee(*, base: int, room: int, fixed: int, rate_bp: int, vat_bp: int) -> tuple[int, int]:
    """The fee and its VAT on an order whose shop share is `base`, of which `room` is left
    after the creators' commissions. When fee plus VAT would exceed `room`, the fee is the
    largest one whose VAT still fits: fee + VAT <= room, always."""
    fee = fixed + base * rate_bp // 10_000
    if fee + fee * vat_bp // 10_000 > room:
        fee = max(0, room * 10_000 // (10_000 + vat_bp))
    return fee, fee * vat_bp // 10_000


def split_pro_rata(total: int, weights: list[int], rooms: list[int]) -> list[int]:
    """Splits `total` rupiah over orders in proportion to `weights` (their subtotals), never
    giving an order more than its `room` (what it can still be discounted).

    The rule, exactly:

    - the amount split is `total`, capped by the sum of the rooms (what cannot be placed is
      not given);
    - each order's exact quota is amount x weight / sum of the weights of the orders still
      open; an order whose quota reaches its room gets its room and leaves, and the rest is
      shared again among the others (repeated until no quota reaches a room);
    - the open orders then get their quota rounded down, and the rupiah left over go one each
      to the largest remainders, a tie going to the lower position.

    So the shares sum to the capped total to the rupiah, none exceeds its room, and a larger
    weight never gets a smaller share than a smaller one (unless its room stops it). When
    every open weight is zero, the orders weigh alike."""
    if len(weights) != len(rooms):
        raise ValueError("one weight and one room per order")
    shares = [0] * len(weights)
    remaining = min(max(total, 0), sum(rooms))
    open_ = [i for i, room in enumerate(rooms) if room > 0]
    while open_ and remaining:
        weigh = {i: weights[i] for i in open_} if any(weights[i] for i in open_) else dict.fromkeys(open_, 1)
        whole = sum(weigh.values())
        full = [i for i in open_ if remaining * weigh[i] >= rooms[i] * whole]
        if full:
            for i in full:
                shares[i] = rooms[i]
                remaining -= rooms[i]
            open_ = [i for i in open_ if i not in full]
            continue
        for i in open_:
            shares[i] = remaining * weigh[i] // whole
        left = remaining - sum(shares[i] for i in open_)
        for i in sorted(open_, key=lambda i: (-(remaining * weigh[i] % whole), i))[:left]:
            shares[i] += 1
        remaining = 0
    return shares


def funded_shares(share: int, shop_share_bp: int) -> tuple[int, int]:
    """(platform, shop) of an order's `share` of a co-funded promotion: the shop pays
    `shop_share_bp` of it, rounded down; the platform the rest."""
    shop = share * shop_share_bp // 10_000
    return share - shop, shop
