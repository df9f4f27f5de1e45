"""The couriers every installation starts with (written by a data migration and the demo seed).

Rates in rupiah: base + per started kilogram, plus a surcharge when the parcel
crosses a province. The cheapest, JNE Reguler, is the default for a shop whose
shipping the buyer did not choose.
"""

DEFAULT_COURIERS = [
    # code, name, base_fee, per_kg_fee, inter_province_fee, etd_days
    ("jne-reg", "JNE Reguler", 9_000, 6_000, 8_000, "2-3"),
    ("sicepat-reg", "SiCepat REG", 10_000, 6_000, 7_000, "2-3"),
    ("jnt-ez", "J&T EZ", 10_000, 7_000, 6_000, "2-4"),
    ("jne-yes", "JNE YES", 18_000, 10_000, 12_000, "1"),
]


def ensure_default_couriers(courier_model, alias: str) -> int:
    """Creates the missing default couriers in bulk; returns how many were created."""
    have = set(courier_model.objects.using(alias).values_list("code", flat=True))
    missing = [
        courier_model(code=code, name=name, base_fee=base, per_kg_fee=per_kg, inter_province_fee=inter, etd_days=etd)
        for code, name, base, per_kg, inter, etd in DEFAULT_COURIERS
        if code not in have
    ]
    courier_model.objects.using(alias).bulk_create(missing)
    return len(missing)
