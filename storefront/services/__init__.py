"""Commands of the storefront, by sub-domain. Each opens one transaction on the
storefront database. Callers import this package (`from storefront import
services`); the modules are its internal layout."""

from .accounts import (
    address_create,
    address_delete,
    email_is_verified,
    email_mark_verified,
    email_verification_send,
    email_verify,
    user_password_save,
    user_sign_out_everywhere,
    user_sign_up,
    user_sign_up_errors,
    user_tokens_revoke,
)
from .api_idempotency import (
    IDEMPOTENCY_IN_FLIGHT_TIMEOUT,
    api_idempotency_claim,
    api_idempotency_complete,
    api_idempotency_release,
)
from .campaigns import campaign_create
from .cards import product_cards_rebuild, shop_cards_rebuild
from .checkout import (
    CheckoutRequest,
    checkout_command,
    checkout_fingerprint,
    checkout_place,
    checkout_place_once,
    origin_from_visit,
    origins_verify,
)
from .engagement import (
    comment_create,
    creator_follow,
    creator_unfollow,
    post_like,
    post_unlike,
    shop_follow,
    shop_unfollow,
)
from .moderation import MODERATE_PERMISSION, can_hide_comments_of, can_moderate, comment_hide, post_moderate
from .onboarding import TooManyAttempts, creator_join, onboarding_attempt, role_grant, shop_open
from .posts import (
    VIDEO_EXTENSIONS,
    VIEWS_DIRTY_KEY,
    VIEWS_KEY,
    post_create,
    post_set_status,
    post_tags_set,
    post_view_record,
    post_views_flush,
)
from .showcase import showcase_item_add, showcase_item_move, showcase_item_remove, showcase_reorder
from .wishlist import wishlist_add, wishlist_remove

__all__ = [
    "IDEMPOTENCY_IN_FLIGHT_TIMEOUT",
    "MODERATE_PERMISSION",
    "VIDEO_EXTENSIONS",
    "VIEWS_DIRTY_KEY",
    "VIEWS_KEY",
    "CheckoutRequest",
    "TooManyAttempts",
    "address_create",
    "address_delete",
    "api_idempotency_claim",
    "api_idempotency_complete",
    "api_idempotency_release",
    "campaign_create",
    "can_hide_comments_of",
    "can_moderate",
    "checkout_command",
    "checkout_fingerprint",
    "checkout_place",
    "checkout_place_once",
    "comment_create",
    "comment_hide",
    "creator_follow",
    "creator_join",
    "creator_unfollow",
    "email_is_verified",
    "email_mark_verified",
    "email_verification_send",
    "email_verify",
    "onboarding_attempt",
    "origin_from_visit",
    "origins_verify",
    "post_create",
    "post_like",
    "post_moderate",
    "post_set_status",
    "post_tags_set",
    "post_unlike",
    "post_view_record",
    "post_views_flush",
    "product_cards_rebuild",
    "role_grant",
    "shop_cards_rebuild",
    "shop_follow",
    "shop_open",
    "shop_unfollow",
    "showcase_item_add",
    "showcase_item_move",
    "showcase_item_remove",
    "showcase_reorder",
    "user_password_save",
    "user_sign_out_everywhere",
    "user_sign_up",
    "user_sign_up_errors",
    "user_tokens_revoke",
    "wishlist_add",
    "wishlist_remove",
]
