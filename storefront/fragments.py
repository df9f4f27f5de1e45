"""Versions of cached page fragments, bumped when the data behind them changes.

A fragment's cache key carries the current version of what it shows, so a bump
makes every older copy unreachable (it then expires on its own). Versions live in
the Django cache itself, shared by all workers when the cache is Redis.
"""

import time

from django.core.cache import cache
from django.db import transaction

CARDS = "cards"  # the product read model: every card on every page
POSTS = "posts"  # which posts exist and what they tag


def _key(name: str) -> str:
    return f"storefront:fragment-version:{name}"


def version(*names: str) -> str:
    """The current version of each name, joined for use in a cache key."""
    keys = [_key(n) for n in names]
    found = cache.get_many(keys)
    missing = {k: time.time_ns() for k in keys if k not in found}
    if missing:
        cache.set_many(missing, timeout=None)
    return ".".join(str(found.get(k) or missing[k]) for k in keys)


def bump(name: str, *, using: str) -> None:
    """Marks `name` changed: now, so this transaction's own reads see it, and again
    after commit, so no reader caches the old rows under the new version meanwhile."""

    def _bump():
        cache.set(_key(name), time.time_ns(), timeout=None)

    _bump()
    transaction.on_commit(_bump, using=using)
