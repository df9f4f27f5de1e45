"""Cross-cutting request handling: the request's span, the request id, the internal API's network
guard, and the answer to an unreachable marketplace."""

import logging

from django.conf import settings
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from opentelemetry.context import Context
from opentelemetry.trace import SpanKind

from config.client_ip import client_ip, in_networks
from integration import correlation, tracing
from integration.contracts import Unavailable

logger = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = "30"


INTERNAL_PREFIX = "/internal/"


class TracingMiddleware:
    """Each request is a span (integration.tracing), named by its route once resolved
    (`GET /products/<int:product_id>/`). A call to the internal API continues the caller's
    trace from its `traceparent`; anything else starts a trace of its own, whatever a client
    sends. Nothing at all happens while tracing is off."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not tracing.enabled():
            return self.get_response(request)
        internal = request.path_info.startswith(INTERNAL_PREFIX)
        parent = (tracing.extract(request.headers) if internal else None) or Context()
        attributes = {"http.request.method": request.method, "url.path": request.path, "url.scheme": request.scheme}
        with tracing.span(request.method, kind=SpanKind.SERVER, parent=parent, attributes=attributes) as span:
            response = self.get_response(request)
            match = getattr(request, "resolver_match", None)
            if match is not None and match.route:
                span.update_name(f"{request.method} /{match.route}")
                span.set_attribute("http.route", f"/{match.route}")
            span.set_attributes(
                {
                    "http.response.status_code": response.status_code,
                    "jalin.request_id": getattr(request, "request_id", ""),
                }
            )
            if response.status_code >= 500:
                tracing.fail(span, f"answered {response.status_code}")
            return response


class RequestIdMiddleware:
    """Binds a request id (the caller's X-Request-ID when well-formed) for logs and outbox rows."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = correlation.clean(request.headers.get(correlation.HEADER))
        request.request_id = request_id
        with correlation.bound(request_id):
            response = self.get_response(request)
        response[correlation.HEADER] = request_id
        return response


class InternalNetworkMiddleware:
    """The marketplace's internal API exists only for callers on INTERNAL_ALLOWED_NETWORKS: from
    anywhere else /internal/ is a 404, as if it were not there (the service token is a second lock,
    not the only one)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if f"{request.path_info}/".startswith(INTERNAL_PREFIX) and not in_networks(
            client_ip(request), settings.INTERNAL_ALLOWED_NETWORKS
        ):
            logger.warning("internal API refused to %s", client_ip(request))
            raise Http404
        return self.get_response(request)


class UnavailableMiddleware:
    """An uncaught `Unavailable` from a port is a 503 with Retry-After, never a 500:
    problem JSON (RFC 9457) under /api/, the "checkout unavailable" page elsewhere."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, Unavailable):
            return None
        logger.warning("answering 503 to %s: %s", request.path, exception)
        if request.path.startswith("/api/"):
            response = JsonResponse(
                {
                    "type": "urn:jalin:problem:unavailable",
                    "title": _("Service unavailable"),
                    "status": 503,
                    "detail": _("Checkout is briefly unavailable. Please try again shortly."),
                },
                status=503,
                content_type="application/problem+json",
            )
        else:
            response = render(request, "storefront/unavailable.html", status=503)
        response["Retry-After"] = RETRY_AFTER_SECONDS
        return response


class PrivateCacheMiddleware:
    """A signed-in visitor's page or API answer is theirs alone: `Cache-Control: private, no-store`,
    so that no shared cache (a proxy, a CDN) keeps it and no browser stores it on disk. The same for
    an API call made with credentials, even refused ones."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)  # after the API's token sign-in too: DRF sets it here
        if (user is not None and user.is_authenticated) or "HTTP_AUTHORIZATION" in request.META:
            response.headers.pop("Expires", None)
            cache_control = {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()} - {
                "public"
            }
            cache_control = {part for part in cache_control if not part.startswith(("max-age", "s-maxage"))}
            response["Cache-Control"] = ", ".join(sorted(cache_control | {"private", "no-store"}))
        return response
