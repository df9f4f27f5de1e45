"""The provider side of `integration.http`: one view serving every method of a port."""

import hmac
import json
import logging

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import correlation, wire
from .contracts import InvalidRequest, NotFound, PortError
from .guard import Guarded

logger = logging.getLogger(__name__)
PROBLEM = "application/problem+json"


def _problem(error: PortError) -> JsonResponse:
    body = wire.problem(error)
    return JsonResponse(body, status=body["status"], content_type=PROBLEM)


def _authorised(request: HttpRequest) -> bool:
    expected = settings.MARKETPLACE_SERVICE_TOKEN
    given = request.headers.get("Authorization", "").removeprefix("Bearer ")
    # No token configured means the endpoints are closed, never open.
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


def _unauthorised() -> JsonResponse:
    return JsonResponse(
        {"type": "about:blank", "title": "Unauthorized", "status": 401, "detail": "Bad service token."},
        status=401,
        content_type=PROBLEM,
    )


def ping_view(request: HttpRequest):
    """Lets a caller's readiness check confirm the endpoint answers and accepts its token."""
    return JsonResponse({"status": "ok"}) if _authorised(request) else _unauthorised()


def port_view(protocol: type, provider_factory):
    """A view for `<method>/` URLs that calls `provider_factory()`'s method of that name."""
    methods = wire.port_methods(protocol)

    @csrf_exempt
    @require_POST
    def view(request: HttpRequest, method: str):
        if not _authorised(request):
            return _unauthorised()
        if method not in methods:
            return _problem(NotFound(f"Unknown method {method!r}."))
        with correlation.bound(correlation.clean(request.headers.get(correlation.HEADER))):
            try:
                data = json.loads(request.body or b"{}")
                if not isinstance(data, dict):
                    raise ValueError("arguments must be an object")
                kwargs = wire.decode_arguments(protocol, method, data)
            except PortError as error:
                return _problem(error)
            except (ValueError, TypeError, KeyError) as exc:
                return _problem(InvalidRequest(f"Malformed arguments: {exc}"))
            try:
                result = getattr(Guarded(provider_factory()), method)(**kwargs)
            except PortError as error:
                return _problem(error)
            return JsonResponse(wire.encode(result), safe=False)

    return view
