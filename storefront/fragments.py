"""Versions of cached page fragments, bumped when the data behind them changes.

A fragment's cache key carries the current version of what it shows, so a bump
makes every older copy unreachable (it then expires on its own). Versions live in
the Django cache itself, shared by all workers when the cache is Redis.
"""

import time
from collections.abc import Callable

from django.core.cache import cache
from django.db import transaction

CARDS = "cards"  # the product read model: every card on every page
POSTS = "posts"  # which posts exist and what they tag


def _key(name: str) -> str:
    return f"storefront:fragment-version:{name}"


def _stamp(found: dict, keys: list[str]) -> str:
    missing = {k: time.time_ns() for k in keys if k not in found}
    if missing:
        cache.set_many(missing, timeout=None)
    return ".".join(str(found.get(k) or missing[k]) for k in keys)


def version(*names: str) -> str:
    """The current version of each name, joined for use in a cache key."""
    keys = [_key(n) for n in names]
    return _stamp(cache.get_many(keys), keys)


def cached(key: str, names: tuple[str, ...], load: Callable, *, timeout: int, keep: Callable = lambda v: True):
    """`load()`, cached under `key` until one of `names` is bumped or `timeout` passes.

    The entry carries the versions it was built from, so a hit costs one cache
    round trip (versions and entry fetched together). A value `keep` refuses is
    returned without being cached.
    """
    keys = [_key(n) for n in names]
    found = cache.get_many([*keys, key])
    stamp = _stamp(found, keys)
    entry = found.get(key)
    if entry is not None and entry[0] == stamp:
        return entry[1]
    value = load()
    if keep(value):
        cache.set(key, (stamp, value), timeout)
    return value


def bump(name: str, *, using: str) -> None:
    """Marks `name` changed: now, so this transaction's own reads see it, and again
    after commit, so no reader caches the old rows under the new version meanwhile."""

    def _bump():
        cache.set(_key(name), time.time_ns(), timeout=None)

    _bump()
    transaction.on_commit(_bump, using=using)
