"""How a context reaches a port. The composition root (settings) names the provider.

`inprocess` (default) loads the provider class by dotted path and calls it
directly; the caller never imports the providing context itself.
"""

from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from .contracts import MarketplacePort


@cache
def _build_marketplace(transport: str, provider_path: str) -> MarketplacePort:
    if transport == "inprocess":
        return import_string(provider_path)()
    raise ValueError(f"unknown INTEGRATION_TRANSPORT {transport!r}")


def marketplace() -> MarketplacePort:
    return _build_marketplace(settings.INTEGRATION_TRANSPORT, settings.MARKETPLACE_PROVIDER)
