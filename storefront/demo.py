"""Demo creators and posts, written in bulk and topped up idempotently."""

import random
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from . import fragments
from .models import Creator, Post, PostProduct, PostStatus, ProductCard

ALIAS = "storefront"
BATCH = 2000
CAPTIONS = [
    "Racikan pagi ini pakai {p} ☕ #belilokal #umkm",
    "Outfit kondangan minggu ini, semua produk lokal! #OOTD #batik",
    "Review jujur {p}: worth it banget buat harganya. #review",
    "Oleh-oleh wajib dari kota ini 🔥 #kuliner #belilokal",
    "Unboxing {p}, packing rapi dan cepat sampai. #unboxing",
]


def seed_creators(*, user_ids: list[int]) -> int:
    have = set(Creator.objects.using(ALIAS).values_list("user_id", flat=True))
    new = [
        Creator(
            user_id=uid,
            handle="creator" if i == 1 else f"kreator{i}",
            display_name="Sari Kreator" if i == 1 else f"Kreator {i}",
            bio="Kreator konten belanja lokal.",
        )
        for i, uid in enumerate(user_ids, start=1)
        if uid not in have
    ]
    Creator.objects.using(ALIAS).bulk_create(new, batch_size=BATCH)
    return len(new)


def seed_posts(*, posts: int, progress: Callable[[int], None] = lambda n: None) -> int:
    rng = random.Random(7)
    creators = list(Creator.objects.using(ALIAS).order_by("id").values_list("id", flat=True))
    product_ids = list(
        ProductCard.objects.using(ALIAS)
        .filter(is_visible=True)
        .order_by("product_id")
        .values_list("product_id", "title")
    )
    if not creators or not product_ids:
        return 0
    start = Post.objects.using(ALIAS).count()
    now = timezone.now()
    created = 0
    for batch_start in range(start, posts, BATCH):
        batch_end = min(posts, batch_start + BATCH)
        with transaction.atomic(using=ALIAS):
            new_posts, picks = [], []
            for n in range(batch_start, batch_end):
                tagged = rng.sample(product_ids, k=min(len(product_ids), 1 + n % 3))
                picks.append(tagged)
                new_posts.append(
                    Post(
                        creator_id=creators[n % len(creators)],
                        caption=CAPTIONS[n % len(CAPTIONS)].format(p=tagged[0][1]),
                        image_url=f"/static/img/post-{n % 8}.svg",
                        status=PostStatus.PUBLISHED,
                        like_count=rng.randrange(0, 500),
                        comment_count=rng.randrange(0, 50),
                        view_count=rng.randrange(100, 20000),
                        published_at=now - timezone.timedelta(minutes=7 * (posts - n)),
                    )
                )
            Post.objects.using(ALIAS).bulk_create(new_posts, batch_size=BATCH)
            PostProduct.objects.using(ALIAS).bulk_create(
                [
                    PostProduct(post=post, product_id=pid, position=k)
                    for post, tagged in zip(new_posts, picks, strict=True)
                    for k, (pid, _title) in enumerate(tagged)
                ],
                batch_size=BATCH,
            )
        created += len(new_posts)
        progress(len(new_posts))
    fragments.bump(fragments.POSTS, using=ALIAS)
    return created
