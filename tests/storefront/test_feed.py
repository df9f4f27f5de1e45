"""The feed: "For you" and "Following", cursor pagination, constant query counts."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from storefront import ranking
from storefront.models import PostProduct, PostStatus
from storefront.selectors import post_feed_following, post_feed_for_you
from storefront.services import creator_follow, post_like
from tests.factories import CampaignFactory, CreatorFactory, PostFactory, ProductCardFactory, UserFactory
from tests.queries import count_queries

pytestmark = pytest.mark.django_db(databases=["default", "storefront", "marketplace"])


def _posts(n: int, creators=None, **kwargs):
    """n published posts, one minute apart (the last one newest), each tagging two cards."""
    creators = creators or [CreatorFactory()]
    start = timezone.now() - timedelta(days=1)
    posts = []
    for i in range(n):
        post = PostFactory(creator=creators[i % len(creators)], published_at=start + timedelta(minutes=i), **kwargs)
        post.rank_score = ranking.post_score(post)
        post.save()
        for k in range(2):
            PostProduct.objects.create(post=post, product_id=ProductCardFactory().product_id, position=k)
        posts.append(post)
    return posts


def _walk(fetch, limit: int) -> list[int]:
    ids, cursor = [], None
    while True:
        page = fetch(cursor=cursor, limit=limit)
        ids += [v.post.id for v in page.items]
        if page.next_cursor is None:
            return ids
        cursor = page.next_cursor


def test_for_you_pages_cover_every_published_post_once_in_rank_order():
    posts = _posts(7)
    PostFactory(status=PostStatus.DRAFT, published_at=None)
    PostFactory(status=PostStatus.HIDDEN)

    ids = _walk(post_feed_for_you, limit=3)

    # Equal engagement: the newest first
    assert ids == [p.id for p in reversed(posts)]


def test_following_shows_only_followed_creators_newest_first():
    followed, other = CreatorFactory(), CreatorFactory()
    posts = _posts(5, creators=[followed, other])
    creator_follow(creator_id=followed.id, user_id=42)

    ids = _walk(lambda **kw: post_feed_following(user_id=42, **kw), limit=2)

    assert ids == [posts[4].id, posts[2].id, posts[0].id]


def test_a_liked_post_is_marked_for_its_viewer_only():
    (post,) = _posts(1)
    post_like(post_id=post.id, user_id=42)

    assert [v.liked for v in post_feed_for_you(viewer_id=42).items] == [True]
    assert [v.liked for v in post_feed_for_you(viewer_id=43).items] == [False]


def _queries(fetch) -> int:
    with count_queries() as queries:
        fetch()
    return len(queries)


@pytest.mark.parametrize("viewer_id", [None, 42])
def test_for_you_makes_the_same_number_of_queries_for_5_and_50_posts(viewer_id):
    _posts(60, creators=[CreatorFactory() for _ in range(4)])

    small = _queries(lambda: post_feed_for_you(limit=5, viewer_id=viewer_id))
    large = _queries(lambda: post_feed_for_you(limit=50, viewer_id=viewer_id))

    # posts with creators, their tags, their cards (+ the viewer's likes)
    assert small == large == (4 if viewer_id else 3)


def test_following_makes_the_same_number_of_queries_for_5_and_50_posts():
    creators = [CreatorFactory() for _ in range(3)]
    _posts(60, creators=creators)
    for creator in creators:
        creator_follow(creator_id=creator.id, user_id=42)

    small = _queries(lambda: post_feed_following(user_id=42, limit=5))
    large = _queries(lambda: post_feed_following(user_id=42, limit=50))

    assert small == large == 4


@pytest.mark.parametrize("tab", ["", "following"])
def test_the_feed_page_renders_5_or_50_posts_with_the_same_queries(client, tab):
    user = UserFactory()
    creators = [CreatorFactory() for _ in range(3)]
    _posts(60, creators=creators)
    for creator in creators:
        creator_follow(creator_id=creator.id, user_id=user.id)
    client.force_login(user)

    counts = []
    for size in (5, 50):
        with count_queries() as queries:
            response = client.get(reverse("storefront:feed"), {"tab": tab, "size": size})
        assert response.status_code == 200
        assert len(response.context["page"].items) == size
        counts.append(queries)

    # the session's user, posts, tags, cards, likes, live campaigns; on Following's first page,
    # the new products of the shops followed
    assert len(counts[0]) == len(counts[1]) == (7 if tab == "following" else 6), counts[1]


def test_the_feed_links_live_campaigns_only(client):
    now = timezone.now()
    live = CampaignFactory(name="Beli Lokal")
    CampaignFactory(name="Nanti", starts_at=now + timedelta(days=1), ends_at=now + timedelta(days=2))

    response = client.get(reverse("storefront:feed"))

    assert response.context["campaigns"] == [live]
    assert reverse("storefront:campaign_detail", args=[live.slug]) in response.content.decode()


def test_the_next_page_link_follows_the_cursor(client):
    posts = _posts(3)

    first = client.get(reverse("storefront:feed"), {"size": 2})
    cursor = first.context["page"].next_cursor
    second = client.get(reverse("storefront:feed"), {"size": 2, "cursor": cursor})

    assert 'rel="next"' in first.content.decode()
    assert [v.post.id for v in second.context["page"].items] == [posts[0].id]
    assert second.context["page"].next_cursor is None


def test_a_bad_cursor_is_a_clear_400(client):
    response = client.get(reverse("storefront:feed"), {"cursor": "not-a-cursor"})

    assert response.status_code == 400
    assert "This page link is not valid" in response.content.decode()


@pytest.mark.parametrize(
    "cursor",
    [
        "2026-01-01_3",
        "yesterday_3",
        "2026-01-01T00:00:00+07:00",
        "0001-01-01T00:00:00+14:00_1",  # beyond the calendar once in UTC
        "9999-12-31T23:59:59-14:00_1",
    ],
)
def test_a_bad_following_cursor_is_a_validation_error(cursor):
    with pytest.raises(ValidationError):
        post_feed_following(user_id=42, cursor=cursor)


@pytest.mark.parametrize("cursor", ["nan_3", "inf_3", "-inf_3"])
def test_a_for_you_cursor_must_hold_a_finite_score(cursor):
    with pytest.raises(ValidationError):
        post_feed_for_you(cursor=cursor)


@pytest.mark.parametrize("size", ["²", "٣", "-1", "x"])
def test_an_odd_page_size_falls_back_to_the_default(client, size):
    _posts(3)

    response = client.get(reverse("storefront:feed"), {"size": size})

    assert response.status_code == 200
    assert len(response.context["page"].items) == 3


def test_following_asks_an_anonymous_visitor_to_sign_in(client):
    response = client.get(reverse("storefront:feed"), {"tab": "following"})

    assert response.status_code == 302 and response.url.startswith(reverse("login"))
