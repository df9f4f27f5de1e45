"""How a context reaches a port. The composition root (settings) names the provider.

`inprocess` (default) loads the provider class by dotted path and calls it
directly; the caller never imports the providing context itself. A refused
or lost database connection becomes `Unavailable` (`integration.guard`), and
each call is a span when tracing is on (`integration.tracing`).
`http` calls the marketplace's internal endpoints at `MARKETPLACE_API_URL`
with the service token (`integration.http`).
"""

from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from .contracts import MarketplacePort
from .guard import Guarded
from .http import HttpPort
from .tracing import TracedPort


@cache
def _build_marketplace(transport: str, provider_path: str, api_url: str, token: str) -> MarketplacePort:
    if transport == "inprocess":
        return TracedPort(Guarded(import_string(provider_path)()), "MarketplacePort")
    if transport == "http":
        return HttpPort(
            MarketplacePort,
            base_url=api_url,
            token=token,
            timeout=settings.MARKETPLACE_API_TIMEOUT,
            retries=settings.MARKETPLACE_API_RETRIES,
        )
    raise ValueError(f"unknown INTEGRATION_TRANSPORT {transport!r}")


def marketplace() -> MarketplacePort:
    return _build_marketplace(
        settings.INTEGRATION_TRANSPORT,
        settings.MARKETPLACE_PROVIDER,
        settings.MARKETPLACE_API_URL,
        settings.MARKETPLACE_SERVICE_TOKEN,
    )
