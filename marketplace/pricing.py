"""Pure money arithmetic of checkout, in integer rupiah.

Rounding rule: a percentage discount is rounded down to the whole rupiah (the
buyer never gets a fraction the seller did not offer), then capped by the
voucher's maximum and by the subtotal, so a total is never negative and never
more than the lines plus shipping. Discounts apply to goods, never shipping.
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
