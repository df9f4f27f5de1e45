"""Money is an integer number of rupiah plus a currency code; never a float."""


def format_rupiah(amount: int, currency: str = "IDR") -> str:
    """1250000 -> 'Rp 1.250.000' (Indonesian thousands separator, no decimals)."""
    if currency != "IDR":
        return f"{currency} {amount:,}"
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp {abs(int(amount)):,}".replace(",", ".")


# Banks a payout can reach (code -> name), the same list for shops and creators; the
# marketplace's disbursement gateway serves these (a real provider's list is longer).
BANKS = {
    "bca": "BCA",
    "bni": "BNI",
    "bri": "BRI",
    "mandiri": "Mandiri",
    "bsi": "BSI",
    "cimb": "CIMB Niaga",
    "permata": "Permata",
    "jago": "Bank Jago",
}
