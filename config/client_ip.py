"""The client's address, the same for sign-in lock-outs, API throttles and the internal API's guard.

Behind `TRUSTED_PROXY_COUNT` reverse proxies, each appending its peer to X-Forwarded-For, the
client is the N-th entry from the right: whatever a client writes into the header itself lands
to the left of it, so a forged prefix cannot change the address. With no trusted proxy
(the default) the header is ignored and the socket's peer, REMOTE_ADDR, is the client.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from rest_framework import throttling


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_ip(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < proxies:
        # Fewer hops than trusted proxies: the request did not come through all of them.
        return remote
    return _valid(forwarded[-proxies]) or remote


@lru_cache(maxsize=8)
def _networks(cidrs: tuple[str, ...]):
    return tuple(ipaddress.ip_network(cidr, strict=False) for cidr in cidrs)


def in_networks(address: str, cidrs) -> bool:
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return False
    if parsed.version == 6 and parsed.ipv4_mapped:
        parsed = parsed.ipv4_mapped
    return any(parsed in network for network in _networks(tuple(cidrs)) if network.version == parsed.version)


class ClientIpMixin:
    """DRF throttles keyed on the same client address as the lock-outs."""

    def get_ident(self, request):
        return client_ip(request)


class AnonRateThrottle(ClientIpMixin, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(ClientIpMixin, throttling.UserRateThrottle):
    pass


class ScopedRateThrottle(ClientIpMixin, throttling.ScopedRateThrottle):
    pass
