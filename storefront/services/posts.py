"""Posts: creation with media and product tags, status, tags, and view counting."""

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import fragments, ranking, rules
from ..models import (
    Creator,
    Post,
    PostProduct,
    PostStatus,
)
from ._common import ALIAS

VIEWS_KEY = "storefront:post-views:{}"


VIEWS_DIRTY_KEY = "storefront:post-views:dirty"


VIDEO_EXTENSIONS = rules.VIDEO_EXTENSIONS


def post_create(
    *,
    creator: Creator,
    caption: str,
    product_ids: list[int],
    image_url: str = "",
    publish: bool = True,
    image: File | None = None,
    video: File | None = None,
) -> Post:
    """Creates a post tagging products known to the read model. Uploaded files go
    through Django's storage API (local files unless STORAGES says otherwise)."""
    errors = {"caption": rules.caption_errors(caption)}
    unique_ids, errors["product_ids"] = rules.tag_errors(product_ids)
    errors = {field: messages for field, messages in errors.items() if messages}
    errors |= rules.media_errors(image, video)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(using=ALIAS):
        post = Post(
            creator=creator,
            caption=caption,
            image_url=image_url,
            image=image,
            video=video,
            status=PostStatus.PUBLISHED if publish else PostStatus.DRAFT,
            published_at=timezone.now() if publish else None,
        )
        post.rank_score = ranking.post_score(post)
        post.save(using=ALIAS)
        PostProduct.objects.using(ALIAS).bulk_create(
            PostProduct(post=post, product_id=pid, position=i) for i, pid in enumerate(unique_ids)
        )
        fragments.bump(fragments.POSTS, using=ALIAS)
    return post


def post_set_status(*, post_id: int, status: str) -> Post:
    """Publishes, hides (moderation) or returns a post to draft. A post keeps the time
    of its first publication, so hiding and re-showing it does not lift it in the feed."""
    if status not in PostStatus.values:
        raise ValidationError({"status": [_("Unknown status: %(status)s.") % {"status": status}]})
    with transaction.atomic(using=ALIAS):
        post = _locked_post(post_id, published_only=False)
        post.status = status
        if status == PostStatus.PUBLISHED and post.published_at is None:
            post.published_at = timezone.now()
        post.rank_score = ranking.post_score(post)
        post.save(using=ALIAS, update_fields=["status", "published_at", "rank_score"])
        fragments.bump(fragments.POSTS, fragments.post(post.id), using=ALIAS)
    return post


def _locked_post(post_id: int, *, published_only: bool = True) -> Post:
    """Locks the post's row: engagement writes of one post queue up behind it, so a
    check made after taking the lock (liked already?) cannot race."""
    posts = Post.objects.using(ALIAS).select_for_update()
    if published_only:
        posts = posts.visible()
    post = posts.filter(id=post_id).first()
    if post is None:
        raise ValidationError({"post": [_("This post is not available.")]})
    return post


def _bump(post: Post, **deltas: int) -> None:
    """Moves engagement counters of a locked post and re-scores it."""
    for name, delta in deltas.items():
        setattr(post, name, max(0, getattr(post, name) + delta))
    post.rank_score = ranking.post_score(post)
    post.save(using=ALIAS, update_fields=[*deltas, "rank_score"])
    fragments.bump(fragments.post(post.id), using=ALIAS)


def post_tags_set(*, creator: Creator, post_id: int, product_ids: list[int]) -> Post:
    """Replaces the products a creator's own post tags, in the given order."""
    unique_ids, problems = rules.tag_errors(product_ids)
    if problems:
        raise ValidationError({"product_ids": problems})
    with transaction.atomic(using=ALIAS):
        post = Post.objects.using(ALIAS).select_for_update().filter(id=post_id, creator=creator).first()
        if post is None:
            raise ValidationError({"post": [_("This post is not available.")]})
        PostProduct.objects.using(ALIAS).filter(post=post).delete()
        PostProduct.objects.using(ALIAS).bulk_create(
            PostProduct(post=post, product_id=pid, position=i) for i, pid in enumerate(unique_ids)
        )
    return post


def post_view_record(*, post_id: int) -> None:
    """Counts a view in the cache, not the database: page views stay read-only.
    `post_views_flush` (Celery beat) moves the counts into `Post.view_count`."""
    key = VIEWS_KEY.format(post_id)
    for _attempt in range(2):
        try:
            cache.incr(key)  # the common case first: fewer cache round trips per view
            return
        except ValueError:
            pass  # no count since the last flush (or the flush just took it)
        if cache.add(key, 1, timeout=None):
            # First view since the last flush: note the post as dirty (rare, so the
            # read-modify-write of the dirty list is cheap; a lost race costs a few views).
            dirty = cache.get(VIEWS_DIRTY_KEY) or []
            cache.set(VIEWS_DIRTY_KEY, [*dirty, post_id], timeout=None)
            return


def post_views_flush() -> int:
    """Adds buffered view counts to the posts and re-scores them; returns the views moved."""
    post_ids = cache.get(VIEWS_DIRTY_KEY) or []
    if not post_ids:
        return 0
    cache.delete(VIEWS_DIRTY_KEY)
    keys = {VIEWS_KEY.format(pid): pid for pid in post_ids}
    counts = {keys[key]: n for key, n in cache.get_many(list(keys)).items()}
    cache.delete_many(list(keys))
    moved = 0
    with transaction.atomic(using=ALIAS):
        posts = list(Post.objects.using(ALIAS).select_for_update().filter(id__in=counts))
        for post in posts:
            post.view_count += counts[post.id]
            post.rank_score = ranking.post_score(post)
            moved += counts[post.id]
        Post.objects.using(ALIAS).bulk_update(posts, ["view_count", "rank_score"])
        fragments.bump(fragments.POSTS, using=ALIAS)  # the ranking moved
    return moved
