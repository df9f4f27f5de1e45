"""The "For you" ranking: recency decay blended with engagement.

    engagement = 1 + likes + 3 x comments + views / 50 + 10 x sales
    score      = log10(engagement) + (published_at - EPOCH) / DECAY_SECONDS

Rules, each with its own test:
- At equal age, more engagement ranks higher. Engagement counts on a log scale
  so a viral post cannot bury everything new: ten times the engagement is worth
  exactly one unit of score.
- At equal engagement, the newer post ranks higher. One unit of score is also
  DECAY_SECONDS (12.5 hours) of recency, so a post needs ten times the engagement
  to keep up with one published 12.5 hours after it: that is the decay.
- Weights reflect intent: a sale (attributed units sold) is worth more than a
  comment, a comment more than a like, and a view least of all.
- Ties break by id, newest first, so the order is total.

The score depends only on stored counts and the publication time, never on the
clock, so it is deterministic, can be stored and indexed (`Post.rank_score`),
and a cursor into the ranking stays valid while time passes.
"""

import math
from datetime import UTC, datetime

EPOCH = datetime(2025, 1, 1, tzinfo=UTC)
DECAY_SECONDS = 45_000
LIKE_WEIGHT = 1.0
COMMENT_WEIGHT = 3.0
VIEW_WEIGHT = 1 / 50
SALE_WEIGHT = 10.0


def engagement(*, likes: int, comments: int, views: int, sales: int) -> float:
    return 1 + LIKE_WEIGHT * likes + COMMENT_WEIGHT * comments + VIEW_WEIGHT * views + SALE_WEIGHT * sales


def score(*, likes: int, comments: int, views: int, sales: int, published_at: datetime | None) -> float:
    if published_at is None:
        return 0.0
    recency = (published_at - EPOCH).total_seconds() / DECAY_SECONDS
    return math.log10(engagement(likes=likes, comments=comments, views=views, sales=sales)) + recency


def post_score(post) -> float:
    return score(
        likes=post.like_count,
        comments=post.comment_count,
        views=post.view_count,
        sales=post.sale_count,
        published_at=post.published_at,
    )
