"""The "For you" ranking: one test per rule (see storefront.ranking)."""

from datetime import timedelta

import pytest

from storefront import ranking
from storefront.selectors import post_feed_for_you
from storefront.services import post_like
from tests.factories import PostFactory

NOON = ranking.EPOCH + timedelta(days=600)


def _score(published_at=NOON, **counts):
    return ranking.score(
        likes=counts.get("likes", 0),
        comments=counts.get("comments", 0),
        views=counts.get("views", 0),
        sales=counts.get("sales", 0),
        published_at=published_at,
    )


def test_at_equal_age_more_engagement_ranks_higher():
    assert _score(likes=10) > _score(likes=9)


def test_at_equal_engagement_the_newer_post_ranks_higher():
    assert _score(NOON + timedelta(minutes=1), likes=5) > _score(NOON, likes=5)


def test_ten_times_the_engagement_is_worth_one_decay_period_of_recency():
    # engagement 1 + 9 likes = 10 against engagement 1 + 99 likes = 100
    newer = _score(NOON + timedelta(seconds=ranking.DECAY_SECONDS), likes=9)
    older = _score(NOON, likes=99)
    assert newer == pytest.approx(older)
    assert _score(NOON + timedelta(seconds=ranking.DECAY_SECONDS + 60), likes=9) > older


def test_a_sale_outweighs_a_comment_which_outweighs_a_like_which_outweighs_a_view():
    assert _score(sales=1) > _score(comments=1) > _score(likes=1) > _score(views=1) > _score()
    assert ranking.engagement(likes=2, comments=1, views=50, sales=1) == 1 + 2 + 3 + 1 + 10


def test_the_score_ignores_the_clock_so_it_is_deterministic():
    assert _score(likes=3, views=120) == _score(likes=3, views=120)
    assert _score(published_at=None, likes=1000) == 0.0


@pytest.mark.django_db(databases=["default", "storefront", "marketplace"])
def test_the_feed_orders_by_score_then_by_newest_id():
    # Given three posts at the same time, two with equal engagement
    first = PostFactory(published_at=NOON)
    second = PostFactory(published_at=NOON)
    popular = PostFactory(published_at=NOON)
    for post in (first, second, popular):
        post.rank_score = ranking.post_score(post)
        post.save()

    # When one of them is liked
    post_like(post_id=popular.id, user_id=7)

    # Then it leads, and the tie between the others goes to the higher id
    assert [v.post.id for v in post_feed_for_you().items] == [popular.id, second.id, first.id]
