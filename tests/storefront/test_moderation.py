"""Moderation: only a post's creator and platform moderators hide comments; a post hidden
by a moderator stays hidden whatever its creator does, and its creator is told why."""

import pytest
from django.contrib.admin import helpers
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from config.roles import CREATORS, MODERATORS, SELLERS
from storefront import selectors
from storefront.models import Comment, Post
from storefront.services import comment_create, post_moderate, post_set_status
from tests.factories import CommentFactory, CreatorFactory, PostFactory, UserFactory

pytestmark = pytest.mark.django_db(databases=["default", "storefront"])


def _member(role: str, **values):
    user = UserFactory(is_staff=True, **values)
    user.groups.add(Group.objects.get(name=role))
    return user


def _creator_of(post):
    return get_user_model().objects.get(pk=post.creator.user_id)


@pytest.fixture
def post():
    creator_user = _member(CREATORS)
    return PostFactory(creator=CreatorFactory(user_id=creator_user.pk), caption="Batik baru")


# --- Comments --------------------------------------------------------------------------


@pytest.mark.parametrize("role", [SELLERS, CREATORS])
def test_another_staff_member_cannot_hide_a_comment_through_the_page(client, post, role):
    comment = comment_create(post_id=post.id, user_id=999_999, author_name="budi", body="Bagus")
    client.force_login(_member(role))

    page = client.get(reverse("storefront:post_detail", args=[post.id])).content.decode()
    response = client.post(reverse("storefront:comment_hide", args=[comment.id]), follow=True)

    assert reverse("storefront:comment_hide", args=[comment.id]) not in page
    assert "Only the post&#x27;s creator or a moderator may hide a comment." in response.content.decode()
    assert Comment.objects.get().is_hidden is False


def test_a_moderator_and_the_creator_hide_comments_through_the_page(client, post):
    first = comment_create(post_id=post.id, user_id=999_999, author_name="budi", body="Spam")
    second = comment_create(post_id=post.id, user_id=999_999, author_name="budi", body="Spam lagi")

    client.force_login(_member(MODERATORS))
    client.post(reverse("storefront:comment_hide", args=[first.id]))
    client.force_login(_creator_of(post))
    client.post(reverse("storefront:comment_hide", args=[second.id]))

    assert list(Comment.objects.order_by("id").values_list("is_hidden", flat=True)) == [True, True]
    assert Post.objects.get(pk=post.pk).comment_count == 0


def test_another_creator_cannot_hide_a_comment_through_the_admin(client, post):
    comment = CommentFactory(post=post, user_id=999_999)
    client.force_login(_member(CREATORS))

    response = client.post(
        reverse("admin:storefront_comment_changelist"),
        {"action": "hide", helpers.ACTION_CHECKBOX_NAME: [comment.pk], "index": 0},
    )

    assert response.status_code == 403
    assert Comment.objects.get().is_hidden is False


def test_a_moderator_hides_any_comment_through_the_admin(client, post):
    comment = CommentFactory(post=post, user_id=999_999)
    client.force_login(_member(MODERATORS))

    response = client.post(
        reverse("admin:storefront_comment_changelist"),
        {"action": "hide", helpers.ACTION_CHECKBOX_NAME: [comment.pk], "index": 0},
    )

    assert response.status_code == 302
    assert Comment.objects.get().is_hidden is True


# --- Posts -----------------------------------------------------------------------------


def test_only_a_moderator_may_hide_a_post_and_must_say_why(post):
    with pytest.raises(PermissionDenied):
        post_moderate(post_id=post.id, actor=_member(SELLERS), hidden=True, reason="Spam")
    with pytest.raises(ValidationError) as refused:
        post_moderate(post_id=post.id, actor=_member(MODERATORS), hidden=True, reason="  ")

    assert refused.value.message_dict == {"moderation_reason": ["Say why the post is hidden; its creator sees it."]}
    assert Post.objects.get(pk=post.pk).moderation_status == "clear"


def test_a_creator_publishing_again_does_not_undo_a_moderators_hiding(client, post):
    post_moderate(post_id=post.id, actor=_member(MODERATORS), hidden=True, reason="Produk palsu")
    creator = _creator_of(post)

    # The creator's own status service and the creator's admin form both leave moderation alone
    post_set_status(post_id=post.id, status="hidden")
    post_set_status(post_id=post.id, status="published")
    client.force_login(creator)
    client.post(
        reverse("admin:storefront_post_change", args=[post.pk]),
        {
            "caption": post.caption,
            "status": "published",
            "moderation_status": "clear",
            "tags-TOTAL_FORMS": 0,
            "tags-INITIAL_FORMS": 0,
        },
    )

    post.refresh_from_db()
    assert (post.status, post.moderation_status, post.moderation_reason) == ("published", "hidden", "Produk palsu")
    assert client.get(reverse("storefront:post_detail", args=[post.id])).status_code == 404
    assert selectors.post_feed_for_you().items == []
    assert selectors.creator_page(handle=post.creator.handle).posts == []
    search = selectors.search(selectors.ProductFilters(query="Batik"))
    assert search.posts == []


def test_a_creator_cannot_lift_moderation_through_the_admin_action(client, post):
    post_moderate(post_id=post.id, actor=_member(MODERATORS), hidden=True, reason="Spam")
    client.force_login(_creator_of(post))

    response = client.post(
        reverse("admin:storefront_post_changelist"),
        {"action": "moderate_restore", helpers.ACTION_CHECKBOX_NAME: [post.pk], "index": 0},
    )

    assert response.status_code == 302  # an action the creator does not have is "no action selected"
    assert Post.objects.get(pk=post.pk).moderation_status == "hidden"


def test_a_moderator_hides_a_post_from_the_admin_and_the_creator_reads_why(client, post):
    client.force_login(_member(MODERATORS))
    response = client.post(
        reverse("admin:storefront_post_changelist"),
        {
            "action": "moderate_hide",
            "reason": "Foto milik orang lain",
            helpers.ACTION_CHECKBOX_NAME: [post.pk],
            "index": 0,
        },
    )
    assert response.status_code == 302

    client.force_login(_creator_of(post))
    form = client.get(reverse("admin:storefront_post_change", args=[post.pk])).content.decode()
    own_page = client.get(reverse("storefront:creator_detail", args=[post.creator.handle])).content.decode()
    client.force_login(_member(SELLERS))
    strangers_page = client.get(reverse("storefront:creator_detail", args=[post.creator.handle])).content.decode()

    assert "Foto milik orang lain" in form
    assert "Foto milik orang lain" in own_page
    assert "Foto milik orang lain" not in strangers_page


def test_the_comments_of_a_hidden_post_are_not_readable_through_the_api(client, post):
    CommentFactory(post=post, user_id=999_999, body="Rahasia")
    url = reverse("api:post-comments", args=[post.id])
    assert client.get(url).status_code == 200

    post_moderate(post_id=post.id, actor=_member(MODERATORS), hidden=True, reason="Spam")
    moderated = client.get(url)
    Post.objects.filter(pk=post.pk).update(moderation_status="clear", status="hidden")
    hidden_by_creator = client.get(url)

    assert (moderated.status_code, hidden_by_creator.status_code) == (404, 404)
    assert client.get(reverse("api:post", args=[post.id])).status_code == 404
