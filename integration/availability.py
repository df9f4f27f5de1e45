"""Remembers, for a short while, that a port was found unavailable, so pages that
never call it (the feed, posts) can still tell shoppers checkout is paused."""

from django.core.cache import cache

KEY = "integration:marketplace-unavailable"
REMEMBER_SECONDS = 30


def mark_unavailable() -> None:
    cache.set(KEY, True, REMEMBER_SECONDS)


def recently_unavailable() -> bool:
    return bool(cache.get(KEY))
