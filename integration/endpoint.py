"""The provider side of `integration.http`: one view serving every method of a port,
under a versioned path (`v1/<method>/`).

A method or a version this provider does not serve answers a version-mismatch
problem (501), never "not found": the caller is newer or older than this
provider, and the thing it asked about may well exist.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, path, re_path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import codec, correlation, event_http, relay, tracing, wire
from .contracts import MalformedRequest, PortError, VersionMismatch
from .guard import Guarded

logger = logging.getLogger(__name__)
PROBLEM = "application/problem+json"
API_VERSION = "v1"

View = Callable[..., HttpResponse]


def _problem(error: PortError) -> JsonResponse:
    body = wire.problem(error)
    return JsonResponse(body, status=body["status"], content_type=PROBLEM)


def _authorised(request: HttpRequest, expected: str | None = None) -> bool:
    expected = settings.MARKETPLACE_SERVICE_TOKEN if expected is None else expected
    given = request.headers.get("Authorization", "").removeprefix("Bearer ")
    # No token configured means the endpoints are closed, never open.
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


def _unauthorised() -> JsonResponse:
    return JsonResponse(
        {"type": "about:blank", "title": "Unauthorized", "status": 401, "detail": "Bad service token."},
        status=401,
        content_type=PROBLEM,
    )


def ping_view(request: HttpRequest) -> JsonResponse:
    """Lets a caller's readiness check confirm the endpoint answers and accepts its token."""
    return JsonResponse({"status": "ok", "version": API_VERSION}) if _authorised(request) else _unauthorised()


@csrf_exempt
def version_mismatch_view(request: HttpRequest, **_path: str) -> JsonResponse:
    """Any path under the endpoint that no version of it serves."""
    if not _authorised(request):
        return _unauthorised()
    return _problem(VersionMismatch(f"{request.path} is not served by API {API_VERSION}."))


def port_view(protocol: type, provider_factory: Callable[[], Any]) -> View:
    """A view for `<method>/` URLs that calls `provider_factory()`'s method of that name."""
    methods = wire.port_methods(protocol)

    @csrf_exempt
    @require_POST
    def view(request: HttpRequest, method: str) -> HttpResponse:
        if not _authorised(request):
            return _unauthorised()
        if method not in methods:
            return _problem(VersionMismatch(f"Method {method!r} is not served by API {API_VERSION}."))
        # The request's span continues the caller's trace (config.middleware.TracingMiddleware).
        tracing.annotate_current(tracing.port_attributes(protocol.__name__, method, "http"))
        with correlation.bound(correlation.clean(request.headers.get(correlation.HEADER))):
            try:
                data = codec.decode(request.body or b"{}")
                kwargs = wire.decode_arguments(protocol, method, data)
            except codec.CodecError as exc:
                return _problem(MalformedRequest(f"Malformed JSON: {exc}"))
            except PortError as error:
                return _problem(error)
            try:
                result = getattr(Guarded(provider_factory(), transport="served"), method)(**kwargs)
            except PortError as error:
                return _problem(error)
            return HttpResponse(codec.encode(result), content_type="application/json")

    return view


def events_view(side: str) -> View:
    """The subscriber's end of `integration.event_http`: runs `side`'s own handlers (and inbox)
    on a batch the publisher's relay hands over, and answers the events it failed on."""

    @csrf_exempt
    @require_POST
    def view(request: HttpRequest) -> HttpResponse:
        if not _authorised(request, settings.INTEGRATION_SERVICE_TOKENS.get(side, "")):
            return _unauthorised()
        try:
            batch = codec.decode(request.body or b"{}", event_http.Batch)
        except codec.CodecError as exc:
            return _problem(MalformedRequest(f"Malformed event batch: {exc}"))
        tracing.annotate_current({"messaging.batch.message_count": len(batch.events), "jalin.side": side})
        with correlation.bound(correlation.clean(request.headers.get(correlation.HEADER))):
            failures = relay.deliver_many([(d.envelope, d.request_id) for d in batch.events], side=side)
        outcome = event_http.Outcome({str(event_id): error for event_id, error in failures.items()})
        return HttpResponse(codec.encode(outcome), content_type="application/json")

    return view


def events_urlpatterns(side: str) -> list[URLPattern]:
    """The events endpoint of a subscribing side (`v1/events/`)."""
    return [path(f"{API_VERSION}/events/", events_view(side), name="events")]


def port_urlpatterns(protocol: type, provider_factory: Callable[[], Any]) -> list[URLPattern]:
    """The endpoint's URLs: the ping at the root and at the version, the methods under the
    version, and a version mismatch for everything else."""
    return [
        path("", ping_view, name="ping"),
        path(f"{API_VERSION}/", ping_view, name="ping-version"),
        path(f"{API_VERSION}/<str:method>/", port_view(protocol, provider_factory), name="port"),
        re_path(r"^.+$", version_mismatch_view, name="version-mismatch"),
    ]
