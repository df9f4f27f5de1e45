"""Demo catalogue for local use and benchmarks, written in bulk.

Idempotent: each call tops the catalogue up to the sizes asked, creating only
what is missing, with deterministic names so that two runs agree.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

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
    ("Sepatu & Sandal", "sepatu-sandal"),
]


@dataclass(frozen=True)
class Kind:
    """What one kind of demo shop sells: titles are `template.format(word)` over `words`."""

    shop: str
    home: tuple[str, str]
    category: str
    image: str  # static/img/demo/<image>.svg
    templates: tuple[str, ...]
    words: tuple[str, ...]
    options: tuple[str, ...]
    price: tuple[int, int]  # in thousands of rupiah
    description: str


KINDS = [
    Kind(
        "Batik Sekar",
        ("Solo", "Jawa Tengah"),
        "batik-tenun",
        "shirt",
        ("Kemeja Batik Tulis Motif {}", "Kemeja Batik Cap {} Lengan Pendek", "Blus Batik {} Wanita"),
        ("Parang", "Kawung", "Truntum", "Sidomukti", "Mega Mendung", "Sekar Jagad"),
        ("S", "M", "L", "XL"),
        (150, 450),
        "Batik asli buatan pembatik Laweyan, katun primisima adem dan tidak luntur. Siap dipakai kondangan.",
    ),
    Kind(
        "Tenun Ikat Nusa",
        ("Kupang", "Nusa Tenggara Timur"),
        "batik-tenun",
        "fabric",
        ("Kain Tenun Ikat {} 2 m", "Selendang Tenun {}", "Syal Tenun {} Pewarna Alami"),
        ("Sumba", "Sikka", "Timor", "Alor", "Rote", "Flores"),
        ("Merah", "Biru", "Cokelat"),
        (120, 900),
        "Ditenun tangan oleh penenun desa berminggu-minggu, pewarna akar mengkudu dan nila. Tiap helai unik.",
    ),
    Kind(
        "Kopi Gayo Aceh",
        ("Takengon", "Aceh"),
        "makanan-minuman",
        "coffee",
        ("Kopi Arabika {} 250 g", "Kopi {} Sangrai Medium 500 g", "Kopi {} Drip Bag isi 10"),
        ("Gayo", "Gayo Wine", "Gayo Honey", "Gayo Natural", "Kerinci", "Toraja Kalosi"),
        ("Biji", "Bubuk Halus", "Bubuk Kasar"),
        (45, 160),
        "Dipetik merah, disangrai sedikit demi sedikit tiap minggu. Rasa cokelat, gula aren dan asam buah.",
    ),
    Kind(
        "Dapur Sambal Bu Rini",
        ("Surabaya", "Jawa Timur"),
        "makanan-minuman",
        "sambal",
        ("Sambal {} 150 g", "Sambal {} Pedas Level 5", "Paket Sambal {} isi 3"),
        ("Bawang", "Roa", "Cumi Asin", "Teri Medan", "Bajak", "Matah"),
        ("Sedang", "Pedas", "Extra Pedas"),
        (25, 90),
        "Resep rumahan tanpa pengawet, cabai dan bawang segar dimasak dengan minyak kelapa. Tahan dua bulan di kulkas.",
    ),
    Kind(
        "Teh & Madu Lestari",
        ("Malang", "Jawa Timur"),
        "makanan-minuman",
        "honey",
        ("Madu {} 500 g", "Madu {} Murni 250 ml", "Teh Melati {} 100 g"),
        ("Hutan Sumbawa", "Randu", "Kelengkeng", "Klanceng", "Pahit Kalimantan", "Multiflora"),
        ("Botol", "Refill"),
        (40, 180),
        "Dipanen dari peternak lebah di lereng Arjuno dan hutan Sumbawa, tidak dipanaskan dan tidak dicampur gula.",
    ),
    Kind(
        "Sandal Kulit Garut",
        ("Garut", "Jawa Barat"),
        "sepatu-sandal",
        "sandal",
        ("Sandal Kulit {} Pria", "Sandal Jepit Kulit {}", "Selop Kulit {} Wanita"),
        ("Sapi Asli", "Domba", "Nubuck", "Anyam", "Klasik", "Casual"),
        ("39", "40", "41", "42", "43"),
        (85, 320),
        "Kulit sapi asli dari penyamak Sukaregang, sol karet anti slip dan dijahit tangan. Nyaman dipakai seharian.",
    ),
    Kind(
        "Anyaman Rotan Bali",
        ("Denpasar", "Bali"),
        "kerajinan-tangan",
        "bag",
        ("Tas Rotan Bulat {}", "Keranjang Pandan {}", "Tas Anyaman {} Tali Kulit"),
        ("Ata", "Lombok", "Motif Bunga", "Natural", "Ukuran Besar", "Mini"),
        ("Natural", "Cokelat Tua"),
        (95, 380),
        "Dianyam tangan oleh perajin Tenganan dari rotan ata yang kuat, dilapisi kain batik di bagian dalam.",
    ),
    Kind(
        "Sabun Sereh Wangi",
        ("Bandung", "Jawa Barat"),
        "kecantikan",
        "soap",
        ("Sabun {} Alami 100 g", "Lulur {} 200 g", "Minyak {} Murni 30 ml"),
        ("Sereh Wangi", "Kopi", "Kunyit Asam", "Bengkoang", "Lavender", "Kelapa"),
        ("Satuan", "Isi 3"),
        (20, 95),
        "Dibuat dengan proses dingin dari minyak kelapa dan minyak atsiri lokal, tanpa deterjen dan pewangi buatan.",
    ),
    Kind(
        "Busana Muslim Aisyah",
        ("Bukittinggi", "Sumatera Barat"),
        "fashion-muslim",
        "dress",
        ("Gamis {} Katun Rayon", "Hijab Segi Empat {}", "Mukena {} Bordir"),
        ("Zahra", "Nayla", "Polos Premium", "Motif Songket", "Syari", "Travel"),
        ("S", "M", "L", "XL"),
        (60, 350),
        "Bahan adem jatuh, tidak menerawang, dijahit penjahit Bukittinggi. Cocok untuk harian dan Lebaran.",
    ),
    Kind(
        "Camilan Khas Malang",
        ("Malang", "Jawa Timur"),
        "makanan-minuman",
        "chips",
        ("Keripik {} 250 g", "Kerupuk {} 500 g", "Paket Oleh-oleh {}"),
        ("Tempe Sagu", "Apel", "Singkong Balado", "Udang Sidoarjo", "Nangka", "Pisang Cokelat"),
        ("Original", "Pedas"),
        (18, 85),
        "Digoreng setiap pagi di dapur kami di Malang, renyah dan gurih. Kemasan ziplock tebal supaya tidak melempem.",
    ),
    Kind(
        "Rumah Lilin Aroma",
        ("Yogyakarta", "DI Yogyakarta"),
        "rumah-tangga",
        "candle",
        ("Lilin Aromaterapi {} 180 g", "Reed Diffuser {} 100 ml", "Lilin Soy {} dalam Gelas"),
        ("Melati", "Cendana", "Sereh", "Kopi Vanila", "Kenanga", "Lavender"),
        ("Kecil", "Besar"),
        (55, 210),
        "Dari lilin kedelai dan minyak esensial, menyala bersih sampai 40 jam. Dituang tangan di Yogyakarta.",
    ),
    Kind(
        "Teh Tubruk Nusantara",
        ("Semarang", "Jawa Tengah"),
        "makanan-minuman",
        "tea",
        ("Teh {} 100 g", "Teh Celup {} isi 25", "Teh {} Kaleng Hadiah"),
        ("Melati Wangi", "Hijau Kaligua", "Hitam Kemuning", "Rosella", "Sereh Jahe", "Putih Gambung"),
        ("Kemasan Kertas", "Kaleng"),
        (22, 120),
        "Daun teh dari kebun rakyat Jawa Tengah, dikeringkan alami dan dicampur bunga melati segar.",
    ),
]
NOUNS = sorted({template.split(" {}")[0] for kind in KINDS for template in kind.templates})  # search words


def _ensure_categories() -> list[Category]:
    existing = {c.slug: c for c in Category.objects.using(ALIAS).all()}
    missing = [Category(name=name, slug=slug) for name, slug in CATEGORIES if slug not in existing]
    Category.objects.using(ALIAS).bulk_create(missing)
    return list(Category.objects.using(ALIAS).filter(slug__in=[s for _, s in CATEGORIES]).order_by("id"))


def _shop_spec(i: int) -> tuple[Kind, str, str, str, str]:
    """Shop i (from 1): its kind, name, slug, city and province, the same on every run."""
    kind, round_ = KINDS[(i - 1) % len(KINDS)], (i - 1) // len(KINDS)
    if round_ == 0:
        return kind, kind.shop, slugify(kind.shop), *kind.home
    city, province = CITIES[(i + round_) % len(CITIES)]
    name = f"{kind.shop} {city}" + (f" {round_}" if round_ >= len(CITIES) else "")
    return kind, name, f"{slugify(name)}-{i}", city, province


def _title(kind: Kind, j: int) -> str:
    """The j-th product of a shop of this kind: each template over each word, then editions."""
    template, rest = kind.templates[j % len(kind.templates)], j // len(kind.templates)
    edition = rest // len(kind.words)
    return template.format(kind.words[rest % len(kind.words)]) + (f" Seri {edition + 1}" if edition else "")


def seed_catalogue(
    *, owner_ids: list[int], products: int, progress: Callable[[int], None] = lambda n: None
) -> dict[str, int]:
    """Tops up to len(owner_ids) shops and `products` active products (two or more variants each).

    Shop i belongs to owner_ids[i] and sells goods of its kind (KINDS, in turn). Every third
    shop is a local small business.
    """
    rng = random.Random(42)
    categories = {category.slug: category for category in _ensure_categories()}
    specs = {i: _shop_spec(i) for i in range(1, len(owner_ids) + 1)}
    with transaction.atomic(using=ALIAS):
        have = set(Shop.objects.using(ALIAS).values_list("slug", flat=True))
        new_shops = [
            Shop(
                owner_user_id=owner_id,
                name=name,
                slug=slug,
                city=city,
                province=province,
                is_local_business=i % 3 != 0,
                pickup_address=f"Jl. Pasar {i}, {city}",
                phone=f"0812 0000 {i:04d}",
                verified_at=timezone.now(),  # demo shops are checked already
            )
            for (i, (_kind, name, slug, city, province)), owner_id in zip(specs.items(), owner_ids, strict=True)
            if slug not in have
        ]
        Shop.objects.using(ALIAS).bulk_create(new_shops, batch_size=BATCH)
    by_slug = Shop.objects.using(ALIAS).in_bulk([spec[2] for spec in specs.values()], field_name="slug")
    shops = [(by_slug[spec[2]], spec[0]) for spec in specs.values()]

    start = Product.objects.using(ALIAS).count()
    created = 0
    for batch_start in range(start, products, BATCH):
        batch_end = min(products, batch_start + BATCH)
        with transaction.atomic(using=ALIAS):
            new_products = []
            for n in range(batch_start, batch_end):
                shop, kind = shops[n % len(shops)]
                new_products.append(
                    Product(
                        shop=shop,
                        category=categories[kind.category],
                        title=_title(kind, n // len(shops)),
                        description=kind.description,
                        image_url=f"/static/img/demo/{kind.image}.svg",
                        status=ProductStatus.ACTIVE,
                        commission_bp=rng.choice([0, 250, 500, 1000]),
                    )
                )
            Product.objects.using(ALIAS).bulk_create(new_products, batch_size=BATCH)
            variants = []
            for index, product in enumerate(new_products):
                options = shops[(batch_start + index) % len(shops)][1].options
                low, high = shops[(batch_start + index) % len(shops)][1].price
                base = rng.randrange(low, high) * 1000
                for k, option in enumerate(options[: min(len(options), 2 + product.id % 2)]):
                    variants.append(
                        Variant(
                            product=product,
                            name=option,
                            sku=f"SKU-{product.id}-{slugify(option).upper()}",
                            price=base + k * 5000,
                            weight_grams=250 + 100 * k,
                            stock_on_hand=rng.randrange(0, 60) if product.id % 17 else 0,
                        )
                    )
            Variant.objects.using(ALIAS).bulk_create(variants, batch_size=BATCH)
        created += len(new_products)
        progress(len(new_products))
    vouchers = _ensure_vouchers([shop for shop, _kind in shops])
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
