"""Demo creators and posts, written in bulk and topped up idempotently."""

import random
from collections import Counter
from collections.abc import Callable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from . import fragments, ranking
from .models import Campaign, Creator, Follow, Like, Post, PostProduct, PostStatus, ProductCard, ShowcaseItem

ALIAS = "storefront"
JAKARTA = ZoneInfo("Asia/Jakarta")
BATCH = 2000
CAPTIONS = [
    "Baru sampai: {p}. Packing rapi, sesuai foto! #{tag} #belilokal",
    "Review jujur {p}: worth it banget buat harganya. #{tag} #review",
    "Produk UMKM favoritku minggu ini, {p} 💚 #{tag} #umkm",
    "Unboxing {p}, cepat sampai dan kualitasnya oke. #{tag} #unboxing",
    "Cocok buat hadiah: {p} dari usaha lokal. #{tag} #belilokal",
]
# The demo creator account is @creator; the others read like real accounts.
CREATORS = [
    ("creator", "Sari Kreator", "Kreator konten belanja lokal: batik, kopi dan oleh-oleh."),
    ("ayuootd", "Ayu Pratiwi", "OOTD harian pakai brand lokal. Solo - Jakarta."),
    ("dapurnadia", "Nadia Kitchen", "Masak rumahan dan review sambal se-Nusantara."),
    ("kopiraka", "Raka Ngopi", "Barista rumahan. Nyeduh kopi dari petani Indonesia."),
    ("laras_tenun", "Laras Wastra", "Cerita di balik kain tenun dan batik."),
    ("jajanbareng", "Jajan Bareng Dimas", "Camilan dan oleh-oleh khas tiap kota."),
    ("rumahrina", "Rumah Rina", "Dekor rumah mungil dan barang kerajinan tangan."),
    ("bagusreview", "Bagus Review", "Review jujur produk UMKM, tanpa endorse berbayar."),
]


def seed_creators(*, user_ids: list[int]) -> int:
    have = set(Creator.objects.using(ALIAS).values_list("user_id", flat=True))
    new = []
    for i, uid in enumerate(user_ids):
        handle, name, bio = CREATORS[i % len(CREATORS)]
        if round_ := i // len(CREATORS):
            handle, name = f"{handle}{round_ + 1}", f"{name} {round_ + 1}"
        if uid not in have:
            new.append(Creator(user_id=uid, handle=handle, display_name=name, bio=bio))
    Creator.objects.using(ALIAS).bulk_create(new, batch_size=BATCH)
    return len(new)


def _hashtag(title: str) -> str:
    """A word of the product's own name: "Kopi Arabika Gayo 250 g" is #kopi."""
    return slugify(title.split()[0]).replace("-", "")


def seed_posts(*, posts: int, progress: Callable[[int], None] = lambda n: None) -> int:
    rng = random.Random(7)
    creators = list(Creator.objects.using(ALIAS).order_by("id").values_list("id", flat=True))
    product_ids = list(
        ProductCard.objects.using(ALIAS)
        .filter(is_visible=True)
        .order_by("product_id")
        .values_list("product_id", "title", "image_url")
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
                    post := Post(
                        creator_id=creators[n % len(creators)],
                        caption=CAPTIONS[n % len(CAPTIONS)].format(p=tagged[0][1], tag=_hashtag(tagged[0][1])),
                        image_url=tagged[0][2] or f"/static/img/post-{n % 8}.svg",
                        status=PostStatus.PUBLISHED,
                        like_count=rng.randrange(0, 500),
                        comment_count=rng.randrange(0, 50),
                        view_count=rng.randrange(100, 20000),
                        published_at=now - timedelta(minutes=7 * (posts - n)),
                    )
                )
                post.rank_score = ranking.post_score(post)
            Post.objects.using(ALIAS).bulk_create(new_posts, batch_size=BATCH)
            PostProduct.objects.using(ALIAS).bulk_create(
                [
                    PostProduct(post=post, product_id=pid, position=k)
                    for post, tagged in zip(new_posts, picks, strict=True)
                    for k, (pid, _title, _image) in enumerate(tagged)
                ],
                batch_size=BATCH,
            )
        created += len(new_posts)
        progress(len(new_posts))
    fragments.bump(fragments.POSTS, using=ALIAS)
    return created


SHOWCASE_SIZE = 6


def seed_showcases() -> int:
    """Gives every creator without a showcase a few products, from any shop."""
    rng = random.Random(11)
    product_ids = list(
        ProductCard.objects.using(ALIAS)
        .filter(is_visible=True)
        .order_by("product_id")
        .values_list("product_id", flat=True)
    )
    have = set(ShowcaseItem.objects.using(ALIAS).values_list("creator_id", flat=True).distinct())
    creators = Creator.objects.using(ALIAS).exclude(id__in=have).order_by("id").values_list("id", flat=True)
    items = [
        ShowcaseItem(creator_id=creator_id, product_id=pid, position=k)
        for creator_id in creators
        for k, pid in enumerate(rng.sample(product_ids, k=min(SHOWCASE_SIZE, len(product_ids))))
    ]
    with transaction.atomic(using=ALIAS):
        ShowcaseItem.objects.using(ALIAS).bulk_create(items, batch_size=BATCH)
    return len(items)


def seed_follows_and_likes(*, user_ids: list[int], follows_each: int = 3, likes_each: int = 5) -> tuple[int, int]:
    """Each user follows a few creators and likes a few recent posts; counters move with them."""
    creators = list(Creator.objects.using(ALIAS).order_by("id").values_list("id", "user_id"))
    recent = list(
        Post.objects.using(ALIAS).filter(status=PostStatus.PUBLISHED).order_by("-published_at", "-id")[: likes_each * 4]
    )
    existing_follows = set(
        Follow.objects.using(ALIAS).filter(user_id__in=user_ids).values_list("user_id", "creator_id")
    )
    existing_likes = set(Like.objects.using(ALIAS).filter(user_id__in=user_ids).values_list("user_id", "post_id"))
    follows, likes = [], []
    for i, user_id in enumerate(user_ids):
        others = [cid for cid, owner in creators if owner != user_id]
        follows += [
            Follow(user_id=user_id, creator_id=cid)
            for cid in others[i % max(1, len(others)) :][:follows_each]
            if (user_id, cid) not in existing_follows
        ]
        likes += [
            Like(user_id=user_id, post_id=post.id)
            for post in recent[i % 4 :: 4][:likes_each]
            if (user_id, post.id) not in existing_likes
        ]
    new_followers = Counter(f.creator_id for f in follows)
    new_likes = Counter(like.post_id for like in likes)
    with transaction.atomic(using=ALIAS):
        Follow.objects.using(ALIAS).bulk_create(follows, batch_size=BATCH)
        Like.objects.using(ALIAS).bulk_create(likes, batch_size=BATCH)
        for creator in (creators_ := list(Creator.objects.using(ALIAS).filter(id__in=new_followers))):
            creator.follower_count += new_followers[creator.id]
        Creator.objects.using(ALIAS).bulk_update(creators_, ["follower_count"])
        for post in (posts := [p for p in recent if p.id in new_likes]):
            post.like_count += new_likes[post.id]
            post.rank_score = ranking.post_score(post)
        Post.objects.using(ALIAS).bulk_update(posts, ["like_count", "rank_score"])
    return len(follows), len(likes)


BELI_LOKAL = "beli-lokal"


def seed_beli_lokal(*, now=None) -> bool:
    """The "Beli Lokal" campaign: every local small business's products, running from the
    start of yesterday to the end of the 30th day after it, Jakarta time."""
    if Campaign.objects.using(ALIAS).filter(slug=BELI_LOKAL).exists():
        return False
    today = timezone.localdate(now or timezone.now(), timezone=JAKARTA)
    start = datetime.combine(today - timedelta(days=1), time.min, tzinfo=JAKARTA)
    with transaction.atomic(using=ALIAS):
        Campaign.objects.using(ALIAS).create(
            slug=BELI_LOKAL,
            name="Beli Lokal",
            headline="Dukung UMKM: belanja produk usaha kecil lokal.",
            description="Produk pilihan dari usaha kecil dan menengah di seluruh Indonesia.",
            banner_url="/static/img/post-0.svg",
            starts_at=start,
            ends_at=start + timedelta(days=31),
            local_business_only=True,
        )
    return True
