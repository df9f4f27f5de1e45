"""Money is an integer number of rupiah plus a currency code; never a float."""


def format_rupiah(amount: int, currency: str = "IDR") -> str:
    """1250000 -> 'Rp 1.250.000' (Indonesian thousands separator, no decimals)."""
    if currency != "IDR":
        return f"{currency} {amount:,}"
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp {abs(int(amount)):,}".replace(",", ".")
