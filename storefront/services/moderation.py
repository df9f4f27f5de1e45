"""Moderation: who may hide a comment or a post, and the hiding itself.

Platform moderators hold `storefront.moderate_post` (the Moderators role; superusers
hold every permission). Being staff is not enough: every seller and creator is staff.
A post's creator may hide comments on their own post, never undo a moderator's verdict.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import fragments
from ..models import Comment, ModerationStatus, Post
from ..rules import column_length
from ._common import ALIAS
from .posts import _bump, _locked_post

MODERATE_PERMISSION = "storefront.moderate_post"
MAX_REASON = column_length(Post, "moderation_reason")


def can_moderate(user) -> bool:
    """A platform moderator: may hide any post or comment."""
    return bool(user and user.is_authenticated and user.is_active and user.has_perm(MODERATE_PERMISSION))


def can_hide_comments_of(user, post: Post) -> bool:
    """The post's own creator, or a platform moderator."""
    if not (user and user.is_authenticated):
        return False
    return post.creator.user_id == user.pk or can_moderate(user)


def comment_hide(*, comment_id: int, actor) -> Comment:
    """Hides a comment; allowed to the post's creator and to moderators. Hiding twice changes nothing."""
    comment = Comment.objects.using(ALIAS).select_related("post__creator").filter(id=comment_id).first()
    if comment is None:
        raise ValidationError({"comment": [_("This comment does not exist.")]})
    if not can_hide_comments_of(actor, comment.post):
        raise PermissionDenied(_("Only the post's creator or a moderator may hide a comment."))
    with transaction.atomic(using=ALIAS):
        post = _locked_post(comment.post_id, published_only=False)
        if Comment.objects.using(ALIAS).filter(id=comment.id, is_hidden=False).update(is_hidden=True):
            _bump(post, comment_count=-1)
    comment.is_hidden = True
    return comment


def post_moderate(*, post_id: int, actor, hidden: bool, reason: str = "") -> Post:
    """A moderator hides a post (saying why) or clears it again. The creator's own status
    is left as it is: a hidden post stays out of every list whatever that status says."""
    if not can_moderate(actor):
        raise PermissionDenied(_("Only a moderator may hide or restore a post."))
    reason = reason.strip()
    if hidden and not reason:
        raise ValidationError({"moderation_reason": [_("Say why the post is hidden; its creator sees it.")]})
    if len(reason) > MAX_REASON:
        raise ValidationError({"moderation_reason": [_("A reason has at most %(n)d characters.") % {"n": MAX_REASON}]})
    with transaction.atomic(using=ALIAS):
        post = _locked_post(post_id, published_only=False)
        post.moderation_status = ModerationStatus.HIDDEN if hidden else ModerationStatus.CLEAR
        post.moderation_reason = reason if hidden else ""
        post.moderated_at = timezone.now()
        post.save(using=ALIAS, update_fields=["moderation_status", "moderation_reason", "moderated_at"])
        fragments.bump(fragments.POSTS, fragments.post(post.id), using=ALIAS)
    return post
