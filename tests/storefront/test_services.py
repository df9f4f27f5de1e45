"""Storefront commands: bad input gives a clear error and writes nothing."""

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import Image

from storefront import ranking
from storefront.models import Campaign, Comment, Creator, Follow, Like, Post, PostProduct, ShowcaseItem
from storefront.services import (
    campaign_create,
    comment_create,
    comment_hide,
    creator_follow,
    creator_unfollow,
    post_create,
    post_like,
    post_set_status,
    post_unlike,
    post_view_record,
    post_views_flush,
    showcase_item_add,
)
from tests.factories import CreatorFactory, PostFactory, ProductCardFactory, UserFactory

pytestmark = pytest.mark.django_db(databases=["default", "storefront", "marketplace"])
JAKARTA = ZoneInfo("Asia/Jakarta")


# The smallest valid PNG: one transparent pixel.
def _png() -> bytes:
    """A real 1x1 PNG: uploads are checked by their content."""
    buffer = io.BytesIO()
    Image.new("RGBA", (1, 1)).save(buffer, format="PNG")
    return buffer.getvalue()


PNG = _png()


def _errors(call) -> dict:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


def test_a_post_tags_products_in_order_and_is_scored():
    creator = CreatorFactory()
    a, b = ProductCardFactory(), ProductCardFactory()

    post = post_create(
        creator=creator, caption="Dua favorit #kopi", product_ids=[b.product_id, a.product_id, b.product_id]
    )

    assert list(post.tags.values_list("product_id", "position")) == [(b.product_id, 0), (a.product_id, 1)]
    assert post.rank_score == ranking.post_score(post) > 0


def test_a_caption_over_the_limit_is_refused_and_nothing_is_written():
    errors = _errors(lambda: post_create(creator=CreatorFactory(), caption="x" * 2201, product_ids=[]))

    assert errors == {"caption": ["A caption has at most 2200 characters."]}
    assert Post.objects.count() == 0


@override_settings(STOREFRONT_MAX_TAGS_PER_POST=2)
def test_too_many_tags_are_refused_and_nothing_is_written():
    ids = [ProductCardFactory().product_id for _ in range(3)]

    errors = _errors(lambda: post_create(creator=CreatorFactory(), caption="Tiga", product_ids=ids))

    assert errors == {"product_ids": ["A post tags at most 2 products."]}
    assert (Post.objects.count(), PostProduct.objects.count()) == (0, 0)


def test_a_tag_of_an_unknown_product_is_refused_and_nothing_is_written():
    known = ProductCardFactory()

    errors = _errors(lambda: post_create(creator=CreatorFactory(), caption="Hmm", product_ids=[known.product_id, 404]))

    assert errors == {"product_ids": ["Unknown product(s): 404."]}
    assert Post.objects.count() == 0


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_a_post_stores_its_poster_and_video_through_the_storage_api(media):
    creator = CreatorFactory()

    post = post_create(
        creator=creator,
        caption="Video baru",
        product_ids=[],
        image=SimpleUploadedFile("poster.png", PNG, content_type="image/png"),
        video=SimpleUploadedFile("klip.mp4", b"\x00" * 64, content_type="video/mp4"),
    )

    post.refresh_from_db()
    assert post.image.name == "posts/poster.png" and post.video.name == "posts/video/klip.mp4"
    assert (media / "posts" / "poster.png").read_bytes() == PNG
    assert post.poster_url == "/media/posts/poster.png"


def test_a_video_of_another_kind_or_too_large_is_refused(media, settings):
    settings.UPLOAD_MAX_VIDEO_MB = 1
    video = SimpleUploadedFile("klip.exe", b"\x00" * (1024 * 1024 + 1))

    errors = _errors(lambda: post_create(creator=CreatorFactory(), caption="x", product_ids=[], video=video))

    assert errors == {
        "video": [
            "File extension “exe” is not allowed. Allowed extensions are: mp4, webm, mov.",
            "This file is larger than the 1 MB limit.",
        ]
    }
    assert Post.objects.count() == 0
    assert list(media.iterdir()) == []


def test_moderation_hides_and_reshows_a_post_without_lifting_it():
    post = post_create(creator=CreatorFactory(), caption="Draf", product_ids=[], publish=False)
    assert post.rank_score == 0.0

    published = post_set_status(post_id=post.id, status="published")
    first_published_at = published.published_at
    hidden = post_set_status(post_id=post.id, status="hidden")
    shown = post_set_status(post_id=post.id, status="published")

    assert (hidden.status, shown.status) == ("hidden", "published")
    assert shown.published_at == first_published_at
    assert shown.rank_score == published.rank_score > 0
    assert _errors(lambda: post_set_status(post_id=post.id, status="deleted")) == {
        "status": ["Unknown status: deleted."]
    }


def _campaign(**overrides):
    values = {
        "slug": "beli-lokal",
        "name": "Beli Lokal",
        "starts_at": datetime(2026, 12, 1, tzinfo=JAKARTA),
        "ends_at": datetime(2026, 12, 10, tzinfo=JAKARTA),
        **overrides,
    }
    return lambda: campaign_create(**values)


def test_a_campaign_ending_before_it_starts_is_refused_and_nothing_is_written():
    errors = _errors(
        _campaign(
            starts_at=datetime(2026, 12, 10, tzinfo=JAKARTA),
            ends_at=datetime(2026, 12, 1, tzinfo=JAKARTA),
            local_business_only=True,
        )
    )

    assert errors == {"ends_at": ["A campaign must end after it starts."]}
    assert Campaign.objects.count() == 0


def test_a_campaign_stores_its_banner_and_refuses_a_non_image(media):
    campaign = _campaign(local_business_only=True, banner=SimpleUploadedFile("banner.png", PNG))()
    assert campaign.banner_src == "/media/campaigns/banner.png"

    errors = _errors(_campaign(slug="lain", local_business_only=True, banner=SimpleUploadedFile("b.txt", b"x")))
    assert list(errors) == ["banner"]
    assert Campaign.objects.count() == 1


def test_a_campaign_needs_a_rule_and_known_products():
    assert _errors(_campaign()) == {"__all__": ["Choose at least one rule: local businesses, categories or products."]}
    assert _errors(_campaign(product_ids=[77])) == {"product_ids": ["Unknown product(s): 77."]}
    assert Campaign.objects.count() == 0


def test_likes_count_once_per_user_and_move_the_score():
    post = PostFactory()

    assert post_like(post_id=post.id, user_id=1) is True
    assert post_like(post_id=post.id, user_id=1) is False
    assert post_like(post_id=post.id, user_id=2) is True
    assert post_unlike(post_id=post.id, user_id=2) is True
    assert post_unlike(post_id=post.id, user_id=2) is False

    post.refresh_from_db()
    assert (post.like_count, Like.objects.count()) == (1, 1)
    assert post.rank_score == ranking.post_score(post)


def test_a_hidden_post_cannot_be_liked_or_commented():
    post = PostFactory(status="hidden")

    assert _errors(lambda: post_like(post_id=post.id, user_id=1)) == {"post": ["This post is not available."]}
    assert _errors(lambda: comment_create(post_id=post.id, user_id=1, author_name="ayu", body="Halo")) == {
        "post": ["This post is not available."]
    }
    assert (Like.objects.count(), Comment.objects.count()) == (0, 0)


def test_an_empty_or_long_comment_is_refused():
    post = PostFactory()

    assert _errors(lambda: comment_create(post_id=post.id, user_id=1, author_name="a", body="   ")) == {
        "body": ["Write something first."]
    }
    assert _errors(lambda: comment_create(post_id=post.id, user_id=1, author_name="a", body="x" * 501)) == {
        "body": ["A comment has at most 500 characters."]
    }
    assert Comment.objects.count() == 0


def test_the_posts_creator_and_moderators_may_hide_a_comment_others_may_not():
    post = PostFactory()
    first = comment_create(post_id=post.id, user_id=5, author_name="ayu", body="Spam!")
    second = comment_create(post_id=post.id, user_id=5, author_name="ayu", body="Spam lagi")
    author = UserFactory(pk=5)
    creator = UserFactory(pk=post.creator.user_id)
    moderator = UserFactory(is_superuser=True)

    with pytest.raises(PermissionDenied):
        comment_hide(comment_id=first.id, actor=author)
    comment_hide(comment_id=first.id, actor=creator)
    comment_hide(comment_id=second.id, actor=moderator)
    comment_hide(comment_id=second.id, actor=moderator)  # twice changes nothing

    post.refresh_from_db()
    assert list(Comment.objects.values_list("is_hidden", flat=True)) == [True, True]
    assert post.comment_count == 0


def test_follows_count_once_and_a_creator_cannot_follow_themselves():
    creator = CreatorFactory()

    assert creator_follow(creator_id=creator.id, user_id=1) is True
    assert creator_follow(creator_id=creator.id, user_id=1) is False
    assert creator_follow(creator_id=creator.id, user_id=2) is True
    assert creator_unfollow(creator_id=creator.id, user_id=2) is True
    assert _errors(lambda: creator_follow(creator_id=creator.id, user_id=creator.user_id)) == {
        "creator": ["You cannot follow yourself."]
    }

    assert (Creator.objects.get(id=creator.id).follower_count, Follow.objects.count()) == (1, 1)


def test_a_showcase_keeps_the_creators_order_and_refuses_unknown_products():
    creator = CreatorFactory()
    a, b = ProductCardFactory(), ProductCardFactory()

    showcase_item_add(creator=creator, product_id=b.product_id)
    showcase_item_add(creator=creator, product_id=a.product_id)
    showcase_item_add(creator=creator, product_id=b.product_id)
    errors = _errors(lambda: showcase_item_add(creator=creator, product_id=404))

    assert errors == {"product_id": ["Unknown product: 404."]}
    assert list(ShowcaseItem.objects.order_by("position").values_list("product_id", "position")) == [
        (b.product_id, 0),
        (a.product_id, 1),
    ]


def test_views_are_buffered_in_the_cache_and_flushed_in_bulk():
    cache.clear()
    first, second = PostFactory(), PostFactory()
    for _ in range(3):
        post_view_record(post_id=first.id)
    post_view_record(post_id=second.id)
    assert Post.objects.get(id=first.id).view_count == 0  # nothing written on the page view

    assert post_views_flush() == 4
    assert post_views_flush() == 0

    first.refresh_from_db()
    assert (first.view_count, Post.objects.get(id=second.id).view_count) == (3, 1)
    assert first.rank_score == ranking.post_score(first)


def test_a_view_counted_while_the_flush_takes_the_key_is_not_lost(monkeypatch):
    # Given the counter key exists when add() looks, but the flush deletes it before incr()
    cache.clear()
    post = PostFactory()
    real_add = cache.add
    calls = []

    def add_racing_the_flush(key, value, timeout=None):
        calls.append(key)
        if len(calls) == 1:
            return False  # the key was there a moment ago ...
        return real_add(key, value, timeout=timeout)

    monkeypatch.setattr(cache, "add", add_racing_the_flush)

    # When a view is recorded
    post_view_record(post_id=post.id)

    # Then it counts as the first view since the flush
    monkeypatch.undo()
    assert post_views_flush() == 1
    assert Post.objects.get(id=post.id).view_count == 1
