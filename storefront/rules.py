"""The storefront's rulebook: the limits and checks of posts, their product tags, the
showcase and comments.

The services enforce them when they write; the doors (pages' forms, the admin's forms, the
API's serializers) read the same limits and messages from here, so that bad input is refused
with the same words whichever way it came in, and the API's schema cannot drift.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files import File
from django.core.validators import FileExtensionValidator, validate_image_file_extension
from django.db.models import Model
from django.utils.translation import gettext, gettext_noop

from integration.contracts import ID_MAX
from integration.text import message

from .models import ApiIdempotencyRecord, Comment, Post, ProductCard

ALIAS = "storefront"


Errors = dict[str, list[str]]


def column_length(model: type[Model], name: str) -> int:
    """The length of a text column: the database's limit is the rule's."""
    length = getattr(model._meta.get_field(name), "max_length", None)
    if length is None:
        raise ImproperlyConfigured(f"{model.__name__}.{name} has no max_length")
    return length


# --- Ids, pages and keys the API takes -------------------------------------------------------

ID_FIELD: dict[str, Any] = {"min_value": 1, "max_value": ID_MAX}  # what a serializer's id field accepts
FEED_PAGE_MAX = 50  # posts per page of a feed
FEED_LIMIT_INVALID = message(gettext_noop("A whole number from 1 to %(n)d."), n=FEED_PAGE_MAX)
IDEMPOTENCY_KEY_MAX_LENGTH = column_length(ApiIdempotencyRecord, "key")
IDEMPOTENCY_KEY_INVALID = message(
    gettext_noop("Send a unique Idempotency-Key header of at most %(n)d characters."), n=IDEMPOTENCY_KEY_MAX_LENGTH
)

# --- Posts and their tags -------------------------------------------------------------------

CAPTION_MAX_LENGTH = column_length(Post, "caption")
CAPTION_TOO_LONG = message(gettext_noop("A caption has at most %(n)d characters."), n=CAPTION_MAX_LENGTH)
TAGS_TOO_MANY = gettext_noop("A post tags at most %(n)d products.")


def tags_per_post() -> int:
    """How many products one post may tag (the STOREFRONT_MAX_TAGS_PER_POST setting)."""
    return settings.STOREFRONT_MAX_TAGS_PER_POST


def tags_too_many() -> str:
    return message(TAGS_TOO_MANY, n=tags_per_post())


POST_NEEDS_MEDIA = message(gettext_noop("Upload an image or a video."))
VIDEO_EXTENSIONS = ["mp4", "webm", "mov"]

# --- Showcase -------------------------------------------------------------------------------

SHOWCASE_MAX_ITEMS = 200  # what a reorder may list
SHOWCASE_TOO_MANY = message(gettext_noop("A showcase holds at most %(n)d products."), n=SHOWCASE_MAX_ITEMS)
SHOWCASE_NOT_LISTED = message(gettext_noop("This product is not in your showcase."))
SHOWCASE_EVERY_ONCE = message(gettext_noop("List every product of your showcase exactly once."))

# --- Comments -------------------------------------------------------------------------------

COMMENT_MAX_LENGTH = column_length(Comment, "body")
COMMENT_EMPTY = message(gettext_noop("Write something first."))
COMMENT_TOO_LONG = message(gettext_noop("A comment has at most %(n)d characters."), n=COMMENT_MAX_LENGTH)


def unknown_products(product_ids: list[int]) -> list[int]:
    """The ids among `product_ids` the read model does not know, in their order."""
    known = set(
        ProductCard.objects.using(ALIAS).filter(product_id__in=product_ids).values_list("product_id", flat=True)
    )
    return [pid for pid in product_ids if pid not in known]


def unknown_products_message(unknown: list[int]) -> str:
    if len(unknown) == 1:
        return gettext("Unknown product: %(id)s.") % {"id": unknown[0]}
    return gettext("Unknown product(s): %(ids)s.") % {"ids": ", ".join(map(str, unknown))}


def caption_errors(caption: str) -> list[str]:
    return [str(CAPTION_TOO_LONG)] if len(caption or "") > CAPTION_MAX_LENGTH else []


def tag_errors(product_ids: list[int]) -> tuple[list[int], list[str]]:
    """The tags without repeats, and what is wrong with them."""
    unique_ids = list(dict.fromkeys(product_ids))
    if len(unique_ids) > tags_per_post():
        return unique_ids, [str(tags_too_many())]
    if unknown := unknown_products(unique_ids):
        return unique_ids, [gettext("Unknown product(s): %(ids)s.") % {"ids": ", ".join(map(str, unknown))}]
    return unique_ids, []


def image_errors(field: str, image: File | None) -> Errors:
    if image is None:
        return {}
    try:
        validate_image_file_extension(image)
    except ValidationError as error:
        return {field: error.messages}
    return {}


def media_errors(image: File | None, video: File | None) -> Errors:
    """An image must look like one; a video has a known extension and a bounded size."""
    errors = image_errors("image", image)
    if video is not None:
        try:
            FileExtensionValidator(VIDEO_EXTENSIONS)(video)
        except ValidationError as error:
            errors["video"] = error.messages
        max_bytes = settings.STOREFRONT_MAX_VIDEO_BYTES
        if video.size > max_bytes:
            errors.setdefault("video", []).append(
                gettext("A video has at most %(mb)d MB.") % {"mb": max_bytes // (1024 * 1024)}
            )
    return errors


def showcase_product_errors(product_id: int) -> list[str]:
    if unknown_products([product_id]):
        return [unknown_products_message([product_id])]
    return []


def comment_body(body: str) -> tuple[str, list[str]]:
    """The comment's text, trimmed, and what is wrong with it."""
    body = (body or "").strip()
    if not body:
        return body, [str(COMMENT_EMPTY)]
    if len(body) > COMMENT_MAX_LENGTH:
        return body, [str(COMMENT_TOO_LONG)]
    return body, []


def text_field_kwargs(max_length: int, too_long: str, *, empty: str | None = None) -> dict:
    """The length and messages of a form or serializer text field (Django and DRF name them alike)."""
    messages = {"max_length": too_long}
    if empty is not None:
        messages |= {"required": empty, "blank": empty}
    return {"max_length": max_length, "error_messages": messages}


def caption_field_kwargs() -> dict:
    return text_field_kwargs(CAPTION_MAX_LENGTH, CAPTION_TOO_LONG)


def comment_field_kwargs() -> dict:
    return text_field_kwargs(COMMENT_MAX_LENGTH, COMMENT_TOO_LONG, empty=COMMENT_EMPTY)
