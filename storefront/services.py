"""Commands of the storefront. Each opens one transaction on the storefront database."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from integration import contracts

from .models import ApiIdempotencyRecord, Creator, Post, PostProduct, PostStatus, ProductCard

ALIAS = "storefront"


def post_create(
    *, creator: Creator, caption: str, product_ids: list[int], image_url: str = "", publish: bool = True
) -> Post:
    """Creates a post tagging products known to the read model."""
    max_tags = getattr(settings, "STOREFRONT_MAX_TAGS_PER_POST", 6)
    errors = {}
    if len(caption) > Post._meta.get_field("caption").max_length:
        errors["caption"] = [f"A caption has at most {Post._meta.get_field('caption').max_length} characters."]
    unique_ids = list(dict.fromkeys(product_ids))
    if len(unique_ids) > max_tags:
        errors["product_ids"] = [f"A post tags at most {max_tags} products."]
    else:
        known = set(
            ProductCard.objects.using(ALIAS).filter(product_id__in=unique_ids).values_list("product_id", flat=True)
        )
        unknown = [pid for pid in unique_ids if pid not in known]
        if unknown:
            errors["product_ids"] = [f"Unknown product(s): {', '.join(map(str, unknown))}."]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(using=ALIAS):
        post = Post.objects.using(ALIAS).create(
            creator=creator,
            caption=caption,
            image_url=image_url,
            status=PostStatus.PUBLISHED if publish else PostStatus.DRAFT,
            published_at=timezone.now() if publish else None,
        )
        PostProduct.objects.using(ALIAS).bulk_create(
            PostProduct(post=post, product_id=pid, position=i) for i, pid in enumerate(unique_ids)
        )
    return post


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
    return visible


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
                gettext("This Idempotency-Key was already used with a different request."),
                code="idempotency_key_reused",
                fields={"Idempotency-Key": [gettext("Already used with a different request.")]},
            )
        if record.state == ApiIdempotencyRecord.State.DONE:
            return record
        if record.started_at > now - IDEMPOTENCY_IN_FLIGHT_TIMEOUT:
            raise contracts.Conflict(
                gettext("A request with this Idempotency-Key is still being processed; retry shortly."),
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
