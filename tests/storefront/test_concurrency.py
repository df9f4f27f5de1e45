"""Counters stay exact when many shoppers like and follow at the same moment (PostgreSQL)."""

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest
from django.db import connections

from storefront.models import Creator, Follow, Like, Post
from storefront.services import creator_follow, post_like
from tests.conftest import on_postgres
from tests.factories import CreatorFactory, PostFactory
from tests.postgres import postgres_unavailable

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(databases=["default", "storefront", "marketplace"], transaction=True),
]
WORKERS = 8


def _at_once(calls):
    """Runs the calls in threads released together; each thread closes its own connections."""
    barrier = Barrier(len(calls))

    def run(call):
        try:
            barrier.wait(timeout=10)
            return call()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


@pytest.fixture(autouse=True)
def _needs_postgres():
    if not on_postgres():
        postgres_unavailable("needs PostgreSQL: SQLite serialises every writer")


def test_concurrent_likes_and_follows_keep_exact_counters():
    post = PostFactory()
    creator = CreatorFactory()

    liked = _at_once([lambda uid=uid: post_like(post_id=post.id, user_id=uid) for uid in range(1, WORKERS + 1)])
    followed = _at_once(
        [lambda uid=uid: creator_follow(creator_id=creator.id, user_id=uid) for uid in range(1, WORKERS + 1)]
    )

    assert liked == followed == [True] * WORKERS
    assert (Post.objects.get(id=post.id).like_count, Like.objects.count()) == (WORKERS, WORKERS)
    assert (Creator.objects.get(id=creator.id).follower_count, Follow.objects.count()) == (WORKERS, WORKERS)


def test_one_shopper_double_liking_at_once_counts_once():
    post = PostFactory()

    results = _at_once([lambda: post_like(post_id=post.id, user_id=7)] * WORKERS)

    assert sorted(results) == [False] * (WORKERS - 1) + [True]
    assert Post.objects.get(id=post.id).like_count == 1
