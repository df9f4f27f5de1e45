"""The storefront's rulebook: the limits and checks of posts, their product tags, the
showcase, comments and accounts.

The services enforce them when they write; the doors (pages' forms, the admin's forms, the
API's serializers) read the same limits and messages from here, so that bad input is refused
with the same words whichever way it came in, and the API's schema cannot drift.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Any

from confusable_homoglyphs import confusables
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files import File
from django.core.validators import FileExtensionValidator
from django.db.models import Model
from django.utils.translation import gettext, gettext_noop

from integration import uploads
from integration.contracts import ID_MAX
from integration.text import message

from .models import ApiIdempotencyRecord, Comment, Creator, Post, ProductCard

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

WISHLIST_MAX_ITEMS = 500
WISHLIST_FULL = message(
    gettext_noop("A wishlist holds at most %(n)d products; remove one first."), n=WISHLIST_MAX_ITEMS
)
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


def image_errors(field: str, image: File | None, kind: uploads.Kind = uploads.Kind.POST_IMAGE) -> Errors:
    """An image within its size limit whose content is a picture (integration/uploads.py)."""
    found = uploads.upload_errors(kind, image)
    return {field: found} if found else {}


def avatar_errors(avatar: File | None) -> Errors:
    """A creator's avatar: an image within the image limit whose content is a picture."""
    return image_errors("avatar", avatar, uploads.Kind.AVATAR)


def media_errors(image: File | None, video: File | None) -> Errors:
    """A post's image as any image; a video with a known extension and within its size limit."""
    errors = image_errors("image", image)
    if video is not None:
        try:
            FileExtensionValidator(VIDEO_EXTENSIONS)(video)
        except ValidationError as error:
            errors["video"] = error.messages
        errors.setdefault("video", []).extend(uploads.size_errors(uploads.Kind.VIDEO, video))
        if not errors["video"]:
            del errors["video"]
    return errors


def known_product_errors(product_id: int) -> list[str]:
    """A showcase or a wishlist takes only products the read model knows."""
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


# --- Accounts -------------------------------------------------------------------------------
# E-mail addresses are one per account whatever their case; usernames are NFKC-normalised and
# refused when they only look like an existing one ("аdmin" with a Cyrillic "а").


def email_normalise(email: str) -> str:
    return email.strip().lower()


def email_taken_message() -> str:
    return gettext("An account with this e-mail address already exists.")


def username_normalise(username: str) -> str:
    return unicodedata.normalize("NFKC", username).strip()


def username_skeleton(username: str) -> str:
    """The name with each non-ASCII letter that looks like an ASCII one replaced by it
    (Unicode's confusables data, as shipped by confusable_homoglyphs), case-folded."""
    found = confusables.is_confusable(username, greedy=True, preferred_aliases=["latin"]) or []
    look_alikes = {
        entry["character"]: next((h["c"] for h in entry["homoglyphs"] if h["c"].isascii()), entry["character"])
        for entry in found
        if not entry["character"].isascii()
    }
    return "".join(look_alikes.get(char, char) for char in username).casefold()


def username_errors(username: str, *, taken: Callable[[str], bool]) -> list[str]:
    """Why a (normalised) username cannot be had; `taken(name)` says whether an account has that
    name, case aside."""
    skeleton = username_skeleton(username)
    if skeleton != username.casefold() and taken(skeleton):
        return [gettext("This username looks too much like an existing one. Please choose another.")]
    if confusables.is_mixed_script(username, allowed_aliases=["COMMON"]):
        return [gettext("Use letters of one alphabet only: a name mixing alphabets can imitate another.")]
    return []


def email_verification_max_age() -> int:
    """Seconds an e-mail confirmation link stays valid."""
    return settings.EMAIL_VERIFICATION_MAX_AGE_HOURS * 3600


def unverified_buyer_message() -> str:
    return gettext(
        "Please confirm your e-mail address before your first order: open the link we sent you. "
        "You can have it sent again from your account page."
    )


# --- Becoming a creator (Jadi Kreator) ---------------------------------------------------------

HANDLE_MIN, HANDLE_MAX = 3, column_length(Creator, "handle")
HANDLE_PATTERN = r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$"
HANDLE_INVALID = message(
    gettext_noop("Use %(low)d to %(high)d lower-case letters, digits, hyphens and underscores."),
    low=HANDLE_MIN,
    high=HANDLE_MAX,
)
HANDLE_TAKEN = message(gettext_noop("Another creator already uses this handle."))
HANDLE_RESERVED = frozenset({"join", "admin", "api", "new"})  # /creators/join/ is the sign-up page
DISPLAY_NAME_MAX = column_length(Creator, "display_name")
DISPLAY_NAME_INVALID = message(gettext_noop("Enter a name of at most %(n)d characters."), n=DISPLAY_NAME_MAX)
DISPLAY_NAME_EMPTY = message(gettext_noop("Enter the name shoppers will see."))
BIO_MAX = 500
BIO_TOO_LONG = message(gettext_noop("A bio has at most %(n)d characters."), n=BIO_MAX)
AFFILIATE_TERMS_NEEDED = message(gettext_noop("Accept the affiliate terms to become a creator."))
CREATOR_ALREADY = message(gettext_noop("You are a creator already."))


def handle_normalise(handle) -> str:
    return handle.strip().lower().removeprefix("@") if isinstance(handle, str) else ""


def creator_join_errors(
    *, handle: str, display_name: str, bio: str, accepts_terms: bool, taken: Callable[[str], bool]
) -> Errors:
    """What is wrong with a creator's sign-up (the handle normalised by `handle_normalise`), by field."""
    errors: Errors = {}
    if not HANDLE_MIN <= len(handle) <= HANDLE_MAX or not re.match(HANDLE_PATTERN, handle):
        errors["handle"] = [str(HANDLE_INVALID)]
    elif handle in HANDLE_RESERVED or taken(handle):
        errors["handle"] = [str(HANDLE_TAKEN)]
    if not display_name:
        errors["display_name"] = [str(DISPLAY_NAME_EMPTY)]
    elif len(display_name) > DISPLAY_NAME_MAX:
        errors["display_name"] = [str(DISPLAY_NAME_INVALID)]
    if len(bio) > BIO_MAX:
        errors["bio"] = [str(BIO_TOO_LONG)]
    if accepts_terms is not True:
        errors["accepts_terms"] = [str(AFFILIATE_TERMS_NEEDED)]
    return errors


# --- Onboarding: opening a shop and becoming a creator, rate-limited per user -------------------

ONBOARDING_TOO_OFTEN = gettext_noop("Too many attempts. Try again in %(minutes)d minutes.")


def onboarding_rate() -> tuple[int, int]:
    """(attempts, seconds) from the API's `onboarding` throttle rate, e.g. "10/hour"."""
    rate = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["onboarding"]
    attempts, period = rate.split("/")
    return int(attempts), {"s": 1, "m": 60, "h": 3600, "d": 86400}[period[0]]
