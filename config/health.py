"""Health endpoints for load balancers and orchestrators.

`/healthz`: the process answers. `/readyz`: every database, Redis when
configured and the marketplace port answer; the JSON body names what failed.
"""

import functools
import logging
from collections.abc import Callable

import redis
from django.conf import settings
from django.db import connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from integration.deployment import CONTEXTS, serves
from integration.transport import marketplace

logger = logging.getLogger(__name__)


def _database(alias: str) -> None:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT 1")


def _redis() -> None:
    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    finally:
        client.close()


def _marketplace_port() -> None:
    port = marketplace()
    ping = getattr(port, "ping", None)
    if ping is not None:  # over HTTP; in process the marketplace database check covers it
        ping()


def _checks() -> dict[str, Callable[[], None]]:
    checks: dict[str, Callable[[], None]] = {
        f"database:{alias}": functools.partial(_database, alias)
        for alias in settings.DATABASES
        if alias not in CONTEXTS or serves(alias)  # a deployable checks its own databases only
    }
    if settings.REDIS_URL:
        checks["redis"] = _redis
    if settings.INTEGRATION_TRANSPORT == "http":
        checks["marketplace"] = _marketplace_port
    return checks


@never_cache
def healthz(request):
    return JsonResponse({"status": "ok"})


def run_checks() -> dict[str, str]:
    """Every readiness check by name: "ok" or "failed: <exception class>"."""
    results = {}
    for name, check in _checks().items():
        try:
            check()
        except Exception as exc:  # any failure means "not ready", reported by name
            logger.warning("readiness check %s failed: %r", name, exc)
            results[name] = f"failed: {type(exc).__name__}"
        else:
            results[name] = "ok"
    return results


def side_of_check(name: str) -> str:
    """Which side a check speaks for: "storefront", "marketplace" or "shared" (default, Redis)."""
    if name in ("database:marketplace", "marketplace"):
        return "marketplace"
    if name == "database:storefront":
        return "storefront"
    return "shared"


@never_cache
def readyz(request):
    results = run_checks()
    failed = [name for name, result in results.items() if result != "ok"]
    status = 503 if failed else 200
    return JsonResponse({"status": "fail" if failed else "ok", "failed": failed, "checks": results}, status=status)
