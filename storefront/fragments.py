"""Versions of cached page fragments, bumped when the data behind them changes.

A fragment's cache key carries the current version of what it shows, so a bump
makes every older copy unreachable (it then expires on its own). Versions live in
the Django cache itself, shared by all workers when the cache is Redis.

Versions are fine-grained: one per product card and one per post, so a sale
invalidates the pages that show that product, not every page.
"""

import time
from collections.abc import Callable, Iterable

from django.core.cache import cache
from django.db import transaction

CARDS = "cards"  # the whole product read model (a rebuild)
POSTS = "posts"  # which posts exist and in what order


def product(product_id: int) -> str:
    """One product's card: title, price, sold count, stock, rating."""
    return f"product:{product_id}"


def post(post_id: int) -> str:
    """One post: caption, status, like and comment counts."""
    return f"post:{post_id}"


def _key(name: str) -> str:
    return f"storefront:fragment-version:{name}"


def _stamp(found: dict, keys: list[str]) -> str:
    missing = {k: time.time_ns() for k in keys if k not in found}
    if missing:
        cache.set_many(missing, timeout=None)
    return ".".join(str(found.get(k) or missing[k]) for k in keys)


def cached(
    key: str,
    names: tuple[str, ...],
    load: Callable,
    *,
    timeout: int,
    keep: Callable = lambda value: True,
    depends: Callable[..., Iterable[str]] = lambda value: (),
):
    """`load()`, cached under `key` until one of `names` (or of `depends(value)`, the
    names only known once the value is loaded) is bumped, or `timeout` passes.

    The entry carries the versions it was built from: a hit costs one cache round
    trip, plus one when the value has dependencies. A value `keep` refuses is
    returned without being cached.
    """
    keys = [_key(n) for n in names]
    found = cache.get_many([*keys, key])
    stamp = _stamp(found, keys)
    entry = found.get(key)
    if entry is not None and entry[0] == stamp:
        _, extra_keys, extra_stamp, value = entry
        if not extra_keys or _stamp(cache.get_many(extra_keys), list(extra_keys)) == extra_stamp:
            return value
    started = time.time_ns()
    value = load()
    if keep(value):
        extra_keys = [_key(n) for n in (depends(value) if value is not None else ())]
        found = cache.get_many(extra_keys)
        # Dependencies are read after the load: one bumped meanwhile may have changed
        # rows the load already read, so that value is served but not cached.
        if max(found.values(), default=0) < started:
            cache.set(key, (stamp, tuple(extra_keys), _stamp(found, extra_keys), value), timeout)
    return value


def bump(*names: str, using: str) -> None:
    """Marks `names` changed: now, so this transaction's own reads see it, and again
    after commit, so no reader caches the old rows under the new version meanwhile."""
    if not names:
        return

    def _bump():
        now = time.time_ns()
        cache.set_many({_key(n): now for n in names}, timeout=None)

    _bump()
    transaction.on_commit(_bump, using=using)
