"""Demo catalogue for local use and benchmarks, written in bulk.

Idempotent: each call tops the catalogue up to the sizes asked, creating only
what is missing, with deterministic names so that two runs agree.
"""

import random
from collections.abc import Callable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from .couriers import ensure_default_couriers
from .models import Category, Courier, Product, ProductStatus, Shop, Variant, Voucher, VoucherKind

ALIAS = "marketplace"
BATCH = 2000

CITIES = [
    ("Yogyakarta", "DI Yogyakarta"),
    ("Bandung", "Jawa Barat"),
    ("Surabaya", "Jawa Timur"),
    ("Jakarta Selatan", "DKI Jakarta"),
    ("Denpasar", "Bali"),
    ("Makassar", "Sulawesi Selatan"),
    ("Medan", "Sumatera Utara"),
    ("Semarang", "Jawa Tengah"),
    ("Malang", "Jawa Timur"),
    ("Palembang", "Sumatera Selatan"),
]
CATEGORIES = [
    ("Fashion Muslim", "fashion-muslim"),
    ("Batik & Tenun", "batik-tenun"),
    ("Makanan & Minuman", "makanan-minuman"),
    ("Kecantikan", "kecantikan"),
    ("Kerajinan Tangan", "kerajinan-tangan"),
    ("Rumah Tangga", "rumah-tangga"),
]
NOUNS = [
    "Batik Tulis",
    "Kopi Gayo",
    "Tas Anyaman",
    "Sambal Bawang",
    "Kain Tenun",
    "Sabun Sereh",
    "Keripik Tempe",
    "Gamis Katun",
    "Lilin Aromaterapi",
    "Teh Melati",
    "Sandal Kulit",
    "Madu Hutan",
]
ADJECTIVES = ["Premium", "Klasik", "Asli", "Spesial", "Organik", "Modern", "Tradisional", "Istimewa"]
SIZES = ["S", "M", "L"]


def _ensure_categories() -> list[Category]:
    existing = {c.slug: c for c in Category.objects.using(ALIAS).all()}
    missing = [Category(name=name, slug=slug) for name, slug in CATEGORIES if slug not in existing]
    Category.objects.using(ALIAS).bulk_create(missing)
    return list(Category.objects.using(ALIAS).filter(slug__in=[s for _, s in CATEGORIES]).order_by("id"))


def seed_catalogue(
    *, owner_ids: list[int], products: int, progress: Callable[[int], None] = lambda n: None
) -> dict[str, int]:
    """Tops up to len(owner_ids) shops and `products` active products (two or three variants each).

    Shop i belongs to owner_ids[i]. Every third shop is a local small business.
    """
    rng = random.Random(42)
    categories = _ensure_categories()
    with transaction.atomic(using=ALIAS):
        have = set(Shop.objects.using(ALIAS).values_list("slug", flat=True))
        new_shops = []
        for i, owner_id in enumerate(owner_ids, start=1):
            slug = f"toko-{i}"
            if slug in have:
                continue
            city, province = CITIES[i % len(CITIES)]
            new_shops.append(
                Shop(
                    owner_user_id=owner_id,
                    name=f"Toko {NOUNS[i % len(NOUNS)].split()[0]} {city.split()[0]} {i}",
                    slug=slug,
                    city=city,
                    province=province,
                    is_local_business=i % 3 != 0,
                    pickup_address=f"Jl. Pasar {i}, {city}",
                    phone=f"0812 0000 {i:04d}",
                    verified_at=timezone.now(),  # demo shops are checked already
                )
            )
        Shop.objects.using(ALIAS).bulk_create(new_shops, batch_size=BATCH)
    shops = list(
        Shop.objects.using(ALIAS).filter(slug__in=[f"toko-{i}" for i in range(1, len(owner_ids) + 1)]).order_by("id")
    )

    start = Product.objects.using(ALIAS).count()
    created = 0
    for batch_start in range(start, products, BATCH):
        batch_end = min(products, batch_start + BATCH)
        with transaction.atomic(using=ALIAS):
            new_products = []
            for n in range(batch_start, batch_end):
                noun, adjective = NOUNS[n % len(NOUNS)], ADJECTIVES[(n // len(NOUNS)) % len(ADJECTIVES)]
                new_products.append(
                    Product(
                        shop=shops[n % len(shops)],
                        category=categories[n % len(categories)],
                        title=f"{noun} {adjective} #{n + 1}",
                        description=f"{noun} {adjective.lower()} buatan pengrajin lokal. Dikirim dari gudang toko.",
                        image_url=f"/static/img/product-{n % 8}.svg",
                        status=ProductStatus.ACTIVE,
                        commission_bp=rng.choice([0, 250, 500, 1000]),
                    )
                )
            Product.objects.using(ALIAS).bulk_create(new_products, batch_size=BATCH)
            variants = []
            for product in new_products:
                base = rng.randrange(15, 400) * 1000
                for k, size in enumerate(SIZES[: 2 + product.id % 2]):
                    variants.append(
                        Variant(
                            product=product,
                            name=size,
                            sku=f"SKU-{product.id}-{size}",
                            price=base + k * 5000,
                            weight_grams=250 + 100 * k,
                            stock_on_hand=rng.randrange(0, 60) if product.id % 17 else 0,
                        )
                    )
            Variant.objects.using(ALIAS).bulk_create(variants, batch_size=BATCH)
        created += len(new_products)
        progress(len(new_products))
    vouchers = _ensure_vouchers(shops)
    ensure_default_couriers(Courier, ALIAS)
    return {"shops": len(new_shops), "products": created, "vouchers": vouchers}


def _ensure_vouchers(shops: list[Shop]) -> int:
    """Every demo shop offers HEMAT10 (10%, at most Rp 25.000, from Rp 50.000) and
    ONGKIR5K (Rp 5.000 off, 100 uses). Returns how many were created."""
    now = timezone.now()
    have = set(Voucher.objects.using(ALIAS).filter(shop__in=shops).values_list("shop_id", "code"))
    specs = [
        ("HEMAT10", VoucherKind.PERCENT, 10, 50_000, 25_000, None),
        ("ONGKIR5K", VoucherKind.FIXED, 5_000, 0, None, 100),
    ]
    missing = [
        Voucher(
            shop=shop,
            code=code,
            kind=kind,
            value=value,
            min_spend=min_spend,
            max_discount=cap,
            usage_limit=limit,
            starts_at=now - timedelta(days=1),
            ends_at=now + timedelta(days=365),
        )
        for shop in shops
        for code, kind, value, min_spend, cap, limit in specs
        if (shop.id, code) not in have
    ]
    Voucher.objects.using(ALIAS).bulk_create(missing, batch_size=BATCH)
    return len(missing)
