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
