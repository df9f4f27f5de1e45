"""Commands of the storefront. Each opens one transaction on the storefront database."""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.validators import FileExtensionValidator, validate_image_file_extension
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from integration import contracts

from . import fragments, ranking
from .models import (
    Address,
    ApiIdempotencyRecord,
    Campaign,
    Comment,
    Creator,
    Follow,
    Like,
    Post,
    PostProduct,
    PostStatus,
    ProductCard,
    ShowcaseItem,
)

ALIAS = "storefront"
VIEWS_KEY = "storefront:post-views:{}"
VIEWS_DIRTY_KEY = "storefront:post-views:dirty"


def _unknown_products(product_ids: list[int]) -> list[int]:
    known = set(
        ProductCard.objects.using(ALIAS).filter(product_id__in=product_ids).values_list("product_id", flat=True)
    )
    return [pid for pid in product_ids if pid not in known]


VIDEO_EXTENSIONS = ["mp4", "webm", "mov"]


def _image_errors(field: str, image: File | None) -> dict[str, list[str]]:
    if image is None:
        return {}
    try:
        validate_image_file_extension(image)
    except ValidationError as error:
        return {field: error.messages}
    return {}


def _media_errors(image: File | None, video: File | None) -> dict[str, list[str]]:
    errors = _image_errors("image", image)
    if video is not None:
        try:
            FileExtensionValidator(VIDEO_EXTENSIONS)(video)
        except ValidationError as error:
            errors["video"] = error.messages
        max_bytes = getattr(settings, "STOREFRONT_MAX_VIDEO_BYTES", 100 * 1024 * 1024)
        if video.size > max_bytes:
            errors.setdefault("video", []).append(
                _("A video has at most %(mb)d MB.") % {"mb": max_bytes // (1024 * 1024)}
            )
    return errors


def _tag_errors(product_ids: list[int]) -> tuple[list[int], list[str]]:
    """The tags without repeats, and what is wrong with them."""
    max_tags = getattr(settings, "STOREFRONT_MAX_TAGS_PER_POST", 6)
    unique_ids = list(dict.fromkeys(product_ids))
    if len(unique_ids) > max_tags:
        return unique_ids, [_("A post tags at most %(n)d products.") % {"n": max_tags}]
    if unknown := _unknown_products(unique_ids):
        return unique_ids, [_("Unknown product(s): %(ids)s.") % {"ids": ", ".join(map(str, unknown))}]
    return unique_ids, []


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
    max_caption = Post._meta.get_field("caption").max_length
    errors = {}
    if len(caption) > max_caption:
        errors["caption"] = [_("A caption has at most %(n)d characters.") % {"n": max_caption}]
    unique_ids, errors["product_ids"] = _tag_errors(product_ids)
    errors = {field: messages for field, messages in errors.items() if messages}
    errors |= _media_errors(image, video)
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
        posts = posts.filter(status=PostStatus.PUBLISHED)
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


def post_like(*, post_id: int, user_id: int) -> bool:
    """Likes a published post once; returns False when it was liked already."""
    with transaction.atomic(using=ALIAS):
        post = _locked_post(post_id)
        if Like.objects.using(ALIAS).filter(post=post, user_id=user_id).exists():
            return False
        Like.objects.using(ALIAS).create(post=post, user_id=user_id)
        _bump(post, like_count=1)
    return True


def post_unlike(*, post_id: int, user_id: int) -> bool:
    with transaction.atomic(using=ALIAS):
        post = _locked_post(post_id, published_only=False)
        deleted, _rows = Like.objects.using(ALIAS).filter(post=post, user_id=user_id).delete()
        if deleted:
            _bump(post, like_count=-1)
    return bool(deleted)


def comment_create(*, post_id: int, user_id: int, author_name: str, body: str) -> Comment:
    body = body.strip()
    max_length = Comment._meta.get_field("body").max_length
    if not body:
        raise ValidationError({"body": [_("Write something first.")]})
    if len(body) > max_length:
        raise ValidationError({"body": [_("A comment has at most %(n)d characters.") % {"n": max_length}]})
    with transaction.atomic(using=ALIAS):
        post = _locked_post(post_id)
        comment = Comment.objects.using(ALIAS).create(
            post=post, user_id=user_id, author_name=author_name[:150], body=body
        )
        _bump(post, comment_count=1)
    return comment


def comment_hide(*, comment_id: int, user_id: int, is_staff: bool) -> Comment:
    """Hides a comment; allowed to the post's creator and to staff. Hiding twice changes nothing."""
    comment = Comment.objects.using(ALIAS).select_related("post__creator").filter(id=comment_id).first()
    if comment is None:
        raise ValidationError({"comment": [_("This comment does not exist.")]})
    if not is_staff and comment.post.creator.user_id != user_id:
        raise PermissionDenied(_("Only the post's creator or staff may hide a comment."))
    with transaction.atomic(using=ALIAS):
        post = _locked_post(comment.post_id, published_only=False)
        if Comment.objects.using(ALIAS).filter(id=comment.id, is_hidden=False).update(is_hidden=True):
            _bump(post, comment_count=-1)
    comment.is_hidden = True
    return comment


def _locked_creator(creator_id: int) -> Creator:
    creator = Creator.objects.using(ALIAS).select_for_update().filter(id=creator_id).first()
    if creator is None:
        raise ValidationError({"creator": [_("This creator does not exist.")]})
    return creator


def creator_follow(*, creator_id: int, user_id: int) -> bool:
    """Follows a creator once; the follower count moves with the row, under the creator's lock."""
    with transaction.atomic(using=ALIAS):
        creator = _locked_creator(creator_id)
        if creator.user_id == user_id:
            raise ValidationError({"creator": [_("You cannot follow yourself.")]})
        if Follow.objects.using(ALIAS).filter(creator=creator, user_id=user_id).exists():
            return False
        Follow.objects.using(ALIAS).create(creator=creator, user_id=user_id)
        creator.follower_count += 1
        creator.save(using=ALIAS, update_fields=["follower_count"])
    return True


def creator_unfollow(*, creator_id: int, user_id: int) -> bool:
    with transaction.atomic(using=ALIAS):
        creator = _locked_creator(creator_id)
        deleted, _rows = Follow.objects.using(ALIAS).filter(creator=creator, user_id=user_id).delete()
        if deleted:
            creator.follower_count = max(0, creator.follower_count - 1)
            creator.save(using=ALIAS, update_fields=["follower_count"])
    return bool(deleted)


def showcase_item_add(*, creator: Creator, product_id: int) -> ShowcaseItem:
    """Appends a product (from any shop) to the creator's showcase."""
    if _unknown_products([product_id]):
        raise ValidationError({"product_id": [_("Unknown product: %(id)s.") % {"id": product_id}]})
    with transaction.atomic(using=ALIAS):
        items = ShowcaseItem.objects.using(ALIAS).select_for_update().filter(creator=creator)
        existing = next((item for item in items if item.product_id == product_id), None)
        if existing:
            return existing
        position = max((item.position for item in items), default=-1) + 1
        return ShowcaseItem.objects.using(ALIAS).create(creator=creator, product_id=product_id, position=position)


def showcase_item_remove(*, creator: Creator, product_id: int) -> bool:
    with transaction.atomic(using=ALIAS):
        deleted, _rows = ShowcaseItem.objects.using(ALIAS).filter(creator=creator, product_id=product_id).delete()
    return bool(deleted)


def showcase_item_move(*, creator: Creator, product_id: int, position: int) -> ShowcaseItem:
    """Moves a product of the creator's showcase to `position` (0 is first); the others keep their order."""
    with transaction.atomic(using=ALIAS):
        items = list(ShowcaseItem.objects.using(ALIAS).select_for_update().filter(creator=creator))
        moved = next((item for item in items if item.product_id == product_id), None)
        if moved is None:
            raise ValidationError({"product_id": [_("This product is not in your showcase.")]})
        items.remove(moved)
        items.insert(max(0, min(position, len(items))), moved)
        for index, item in enumerate(items):
            item.position = index
        ShowcaseItem.objects.using(ALIAS).bulk_update(items, ["position"])
    return moved


def showcase_reorder(*, creator: Creator, product_ids: list[int]) -> list[ShowcaseItem]:
    """Puts the creator's showcase in the given order; the list names every item once."""
    with transaction.atomic(using=ALIAS):
        items = {
            item.product_id: item
            for item in ShowcaseItem.objects.using(ALIAS).select_for_update().filter(creator=creator)
        }
        if sorted(product_ids) != sorted(items):
            raise ValidationError({"product_ids": [_("List every product of your showcase exactly once.")]})
        for position, product_id in enumerate(product_ids):
            items[product_id].position = position
        ShowcaseItem.objects.using(ALIAS).bulk_update(list(items.values()), ["position"])
    return [items[product_id] for product_id in product_ids]


def post_tags_set(*, creator: Creator, post_id: int, product_ids: list[int]) -> Post:
    """Replaces the products a creator's own post tags, in the given order."""
    unique_ids, problems = _tag_errors(product_ids)
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


def campaign_create(
    *,
    slug: str,
    name: str,
    starts_at: datetime,
    ends_at: datetime,
    headline: str = "",
    description: str = "",
    banner_url: str = "",
    banner: File | None = None,
    local_business_only: bool = False,
    category_ids: list[int] | None = None,
    product_ids: list[int] | None = None,
) -> Campaign:
    errors = {}
    if ends_at <= starts_at:
        errors["ends_at"] = [_("A campaign must end after it starts.")]
    if Campaign.objects.using(ALIAS).filter(slug=slug).exists():
        errors["slug"] = [_("A campaign with this slug exists already.")]
    product_ids = list(dict.fromkeys(product_ids or []))
    if unknown := _unknown_products(product_ids):
        errors["product_ids"] = [_("Unknown product(s): %(ids)s.") % {"ids": ", ".join(map(str, unknown))}]
    if not (local_business_only or category_ids or product_ids):
        errors["__all__"] = [_("Choose at least one rule: local businesses, categories or products.")]
    errors |= _image_errors("banner", banner)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(using=ALIAS):
        return Campaign.objects.using(ALIAS).create(
            slug=slug,
            name=name,
            headline=headline,
            description=description,
            banner_url=banner_url,
            banner=banner,
            starts_at=starts_at,
            ends_at=ends_at,
            local_business_only=local_business_only,
            category_ids=sorted(set(category_ids or [])),
            product_ids=product_ids,
        )


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
        # Another request added the key between incr() and add(): increment it on the next turn.


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


def product_cards_rebuild(*, port, batch_size: int = 1000, progress=lambda n: None) -> int:
    """Rebuilds the read model from the marketplace, in bulk through the port.

    Cards of products the marketplace no longer shows are hidden. Returns the
    number of visible cards.
    """
    from .handlers import card_values

    started = timezone.now()
    visible = 0
    after_id = 0
    while True:
        summaries = port.list_product_summaries(after_id=after_id, limit=batch_size)
        if not summaries:
            break
        cards = [ProductCard(product_id=s.product_id, is_visible=True, **card_values(s)) for s in summaries]
        with transaction.atomic(using=ALIAS):
            ProductCard.objects.using(ALIAS).bulk_create(
                cards,
                batch_size=batch_size,
                update_conflicts=True,
                unique_fields=["product_id"],
                update_fields=[*card_values(summaries[0]).keys(), "is_visible", "updated_at"],
            )
        visible += len(summaries)
        after_id = summaries[-1].product_id
        progress(len(summaries))
    with transaction.atomic(using=ALIAS):
        # Every card written above was stamped after `started`; older ones are gone upstream.
        ProductCard.objects.using(ALIAS).filter(updated_at__lt=started).update(is_visible=False)
        fragments.bump(fragments.CARDS, using=ALIAS)
    return visible


def address_create(*, user_id: int, values: dict[str, str], label: str = "", make_default: bool = False) -> Address:
    """Saves an address to the shopper's book; the first one becomes the default."""
    with transaction.atomic(using=ALIAS):
        book = Address.objects.using(ALIAS).select_for_update().filter(user_id=user_id)
        has_default = book.filter(is_default=True).exists()
        if make_default and has_default:
            book.filter(is_default=True).update(is_default=False)
        return Address.objects.using(ALIAS).create(
            user_id=user_id, label=label, is_default=make_default or not has_default, **values
        )


def address_delete(*, user_id: int, address_id: int) -> bool:
    """Removes one of the shopper's own addresses; the oldest remaining one becomes the default."""
    with transaction.atomic(using=ALIAS):
        address = Address.objects.using(ALIAS).select_for_update().filter(user_id=user_id, id=address_id).first()
        if address is None:
            return False
        address.delete()
        if address.is_default:
            successor = Address.objects.using(ALIAS).filter(user_id=user_id).order_by("id").first()
            if successor is not None:
                successor.is_default = True
                successor.save(update_fields=["is_default"])
    return True


def user_sign_up(*, username: str, email: str, password: str):
    """Creates a shopper's account; identity lives in the `default` database."""
    User = get_user_model()
    with transaction.atomic(using="default"):
        return User.objects.db_manager("default").create_user(username=username, email=email, password=password)


# --- REST API: idempotency keys ----------------------------------------------------------

# A call that has not finished by then crashed; its key may be claimed again.
IDEMPOTENCY_IN_FLIGHT_TIMEOUT = timedelta(seconds=60)


def api_idempotency_claim(*, user_id: int, key: str, fingerprint: str) -> ApiIdempotencyRecord:
    """Claims `key` for a call whose body hashes to `fingerprint`.

    Returns the record: in flight when this call should run, done when it ran
    already (its stored answer is the answer). Raises `Conflict` when the key
    was used for another body, or while another call with it still runs.
    """
    now = timezone.now()
    with transaction.atomic(using=ALIAS):
        record, created = (
            ApiIdempotencyRecord.objects.using(ALIAS)
            .select_for_update()
            .get_or_create(user_id=user_id, key=key, defaults={"fingerprint": fingerprint, "started_at": now})
        )
        if created:
            return record
        if record.fingerprint != fingerprint:
            raise contracts.Conflict(
                _("This Idempotency-Key was already used with a different request."),
                code="idempotency_key_reused",
                fields={"Idempotency-Key": [_("Already used with a different request.")]},
            )
        if record.state == ApiIdempotencyRecord.State.DONE:
            return record
        if record.started_at > now - IDEMPOTENCY_IN_FLIGHT_TIMEOUT:
            raise contracts.Conflict(
                _("A request with this Idempotency-Key is still being processed; retry shortly."),
                code="idempotency_key_in_flight",
            )
        record.started_at = now
        record.save(using=ALIAS, update_fields=["started_at"])
    return record


def api_idempotency_complete(*, record_id: int, status: int, body: dict) -> None:
    """Stores the answer that every repeat of the call gets."""
    with transaction.atomic(using=ALIAS):
        ApiIdempotencyRecord.objects.using(ALIAS).filter(id=record_id).update(
            state=ApiIdempotencyRecord.State.DONE, response_status=status, response_body=body
        )


def api_idempotency_release(*, record_id: int) -> None:
    """Frees the key of a call that failed, so that the client may fix the request and retry."""
    with transaction.atomic(using=ALIAS):
        ApiIdempotencyRecord.objects.using(ALIAS).filter(
            id=record_id, state=ApiIdempotencyRecord.State.IN_FLIGHT
        ).delete()
