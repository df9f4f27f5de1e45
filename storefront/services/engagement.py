"""Likes, comments and follows, with the counters they keep."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils.translation import gettext as _

from .. import rules
from ..models import (
    Comment,
    Creator,
    Follow,
    Like,
    ShopCard,
    ShopFollow,
)
from ._common import ALIAS
from .posts import _bump, _locked_post


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
    body, problems = rules.comment_body(body)
    if problems:
        raise ValidationError({"body": problems})
    with transaction.atomic(using=ALIAS):
        post = _locked_post(post_id)
        comment = Comment.objects.using(ALIAS).create(
            post=post, user_id=user_id, author_name=author_name[:150], body=body
        )
        _bump(post, comment_count=1)
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


def _locked_shop(shop_id: int) -> ShopCard:
    shop = ShopCard.objects.using(ALIAS).select_for_update().filter(shop_id=shop_id).first()
    if shop is None:
        raise ValidationError({"shop": [_("This shop does not exist.")]})
    return shop


def shop_follow(*, shop_id: int, user_id: int) -> bool:
    """Follows a shop once; the follower count moves with the row, under the shop card's lock."""
    with transaction.atomic(using=ALIAS):
        shop = _locked_shop(shop_id)
        if ShopFollow.objects.using(ALIAS).filter(shop=shop, user_id=user_id).exists():
            return False
        ShopFollow.objects.using(ALIAS).create(shop=shop, user_id=user_id)
        ShopCard.objects.using(ALIAS).filter(shop_id=shop_id).update(follower_count=F("follower_count") + 1)
    return True


def shop_unfollow(*, shop_id: int, user_id: int) -> bool:
    with transaction.atomic(using=ALIAS):
        shop = _locked_shop(shop_id)
        deleted, _rows = ShopFollow.objects.using(ALIAS).filter(shop=shop, user_id=user_id).delete()
        if deleted:
            ShopCard.objects.using(ALIAS).filter(shop_id=shop_id).update(
                follower_count=Greatest(F("follower_count") - 1, Value(0))
            )
    return bool(deleted)
