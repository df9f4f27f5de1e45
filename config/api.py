"""What every endpoint under /api/ shares: one error body, the token endpoint, the schema's error responses.

Errors follow RFC 9457 problem details: `type`, `title`, `status`, `detail` and,
for bad input, `errors` mapping each field to its messages. The composition root
holds this because both contexts' APIs use it and neither may import the other.
"""

import logging

from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.response import Response
from rest_framework.views import APIView, set_rollback

from config.client_ip import ScopedRateThrottle
from integration import contracts

from .problems import problem_code, problem_type_url

logger = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"
API_PREFIX = "/api/"

TITLES = {
    400: gettext_lazy("Invalid request"),
    401: gettext_lazy("Authentication required"),
    403: gettext_lazy("Forbidden"),
    404: gettext_lazy("Not found"),
    405: gettext_lazy("Method not allowed"),
    406: gettext_lazy("Not acceptable"),
    409: gettext_lazy("Conflict"),
    413: gettext_lazy("Upload too large"),
    415: gettext_lazy("Unsupported media type"),
    422: gettext_lazy("Unprocessable request"),
    429: gettext_lazy("Too many requests"),
    500: gettext_lazy("Server error"),
    503: gettext_lazy("Service unavailable"),
}
UNAVAILABLE_RETRY_AFTER = "30"


def problem(status_code: int, *, detail: str, code: str, errors: dict | None = None) -> dict:
    body = {
        "type": problem_type_url(problem_code(code, status_code)),
        "title": str(TITLES.get(status_code, gettext_lazy("Error"))),
        "status": status_code,
        "detail": str(detail),
    }
    if errors:
        body["errors"] = errors
    return body


def _flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error details as `{"address.city": ["..."]}`."""
    if isinstance(detail, dict):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            flat.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(detail, list) and any(isinstance(item, dict | list) for item in detail):
        flat = {}
        for index, value in enumerate(detail):
            flat.update(_flatten(value, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    messages = detail if isinstance(detail, list) else [detail]
    return {prefix or "non_field_errors": [str(message) for message in messages]}


def _port_error_status(error: contracts.PortError) -> int:
    if isinstance(error, contracts.NotFound):
        return status.HTTP_404_NOT_FOUND
    if isinstance(error, contracts.InvalidRequest):
        return status.HTTP_400_BAD_REQUEST
    if isinstance(error, contracts.Conflict):
        # A key reused for another request cannot succeed by waiting; one still in flight can.
        return status.HTTP_422_UNPROCESSABLE_ENTITY if error.code.endswith("_reused") else status.HTTP_409_CONFLICT
    return status.HTTP_503_SERVICE_UNAVAILABLE


def exception_handler(exc, context):
    """DRF's exception handler, answering every error as problem details."""
    headers = {}
    if isinstance(exc, contracts.PortError):
        code = _port_error_status(exc)
        if code == status.HTTP_503_SERVICE_UNAVAILABLE:
            headers["Retry-After"] = UNAVAILABLE_RETRY_AFTER
        body = problem(code, detail=exc.message, code=exc.code, errors=exc.fields)
    else:
        if isinstance(exc, Http404):
            exc = exceptions.NotFound()
        elif isinstance(exc, DjangoPermissionDenied):
            exc = exceptions.PermissionDenied()
        elif isinstance(exc, DjangoValidationError):
            # The storefront's services refuse bad input this way.
            exc = exceptions.ValidationError(
                exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
            )
        if not isinstance(exc, exceptions.APIException):
            return None
        code = exc.status_code
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if getattr(exc, "wait", None):
            headers["Retry-After"] = f"{int(exc.wait)}"
        if isinstance(exc, exceptions.ValidationError):
            body = problem(code, detail=_("Some fields are not valid."), code="invalid", errors=_flatten(exc.detail))
        else:
            detail = exc.detail if not isinstance(exc.detail, list | dict) else _flatten(exc.detail)
            body = problem(code, detail=detail, code=getattr(exc, "default_code", "error"))
    set_rollback()
    return Response(body, status=code, headers=headers, content_type=PROBLEM_MEDIA_TYPE)


def _plain_problem(request, status_code: int, code: str, detail: str):
    response = JsonResponse(problem(status_code, detail=detail, code=code), status=status_code)
    response["Content-Type"] = PROBLEM_MEDIA_TYPE
    return response


def handler404(request, exception=None):
    """Django's 404 page, except under /api/ where it is problem details."""
    if request.path.startswith(API_PREFIX):
        return _plain_problem(request, 404, "not_found", _("Not found."))
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def handler500(request):
    if request.path.startswith(API_PREFIX):
        return _plain_problem(request, 500, "server_error", _("Something went wrong on our side."))
    from django.views.defaults import server_error

    return server_error(request)


class ApiProblemMiddleware:
    """An unexpected exception under /api/ is logged and answered as problem details,
    never as Django's HTML error page (nor, with DEBUG on, its stack trace)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # With DEBUG on, Django answers an unknown URL with its HTML debug page, not handler404.
        if (
            response.status_code == 404
            and request.path.startswith(API_PREFIX)
            and not response.get("Content-Type", "").startswith((PROBLEM_MEDIA_TYPE, "application/json"))
        ):
            return _plain_problem(request, 404, "not_found", _("Not found."))
        return response

    def process_exception(self, request, exception):
        if not request.path.startswith(API_PREFIX):
            return None
        if isinstance(exception, Http404):
            return _plain_problem(request, 404, "not_found", _("Not found."))
        logger.exception("Unhandled error on %s %s", request.method, request.path)
        return _plain_problem(request, 500, "server_error", _("Something went wrong on our side."))


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details."""

    type = serializers.CharField(
        help_text=gettext_lazy("A link to the page describing this problem type: `/api/problems/<code>/`.")
    )
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    errors = serializers.DictField(  # type: ignore[assignment]  # a field, not Serializer.errors
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text=gettext_lazy("Messages per field, for bad input."),
    )


class ProblemAutoSchema(AutoSchema):
    """Documents the problem-details responses every operation can give, so clients and fuzzers know them."""

    ERROR_CODES = ("400", "401", "403", "404", "429", "503")

    def _get_request_for_media_type(self, serializer, direction="request"):
        # drf-spectacular documents every PATCH body as partial; a view that takes the
        # whole body on PATCH says so with `patch_is_partial = False`.
        if self.method == "PATCH" and not getattr(self.view, "patch_is_partial", True):
            self.method = "PUT"
            try:
                return super()._get_request_for_media_type(serializer, direction)
            finally:
                self.method = "PATCH"
        return super()._get_request_for_media_type(serializer, direction)

    def _get_serializer_name(self, serializer, direction, bypass_extensions=False):
        # COMPONENT_SPLIT_REQUEST adds "Request" to what is sent; a serializer already named
        # for a request (`CheckoutRequestSerializer`) keeps one: `CheckoutRequest`.
        name = super()._get_serializer_name(serializer, direction, bypass_extensions)
        doubled = "Request" * 2
        return name[: -len("Request")] if name.endswith(doubled) else name

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        codes = [*self.ERROR_CODES, *(str(code) for code in getattr(self.view, "problem_statuses", ()))]
        if self.method in ("POST", "PUT", "PATCH"):
            codes.append("415")
        for code in codes:
            responses.setdefault(code, self._get_response_for_code(ProblemSerializer, code, [PROBLEM_MEDIA_TYPE]))
        return responses


def normalise_database_integer_bounds(result, generator, request, public):
    """Schema post-processing: a model integer column's upper bound depends on the database
    (2^31 - 1 on PostgreSQL, 2^63 - 1 on SQLite); the published schema must not. Answers drop
    it; what a client sends keeps the bound every database holds, `contracts.ID_MAX`."""
    database_bounds = {2**31 - 1, 2**63 - 1}

    def walk(node, sent: bool):
        if isinstance(node, dict):
            if node.get("type") == "integer" and node.get("maximum") in database_bounds:
                node.pop("format", None)
                if sent:
                    node["maximum"] = contracts.ID_MAX
                else:
                    node.pop("maximum")
            for value in node.values():
                walk(value, sent)
        elif isinstance(node, list):
            for value in node:
                walk(value, sent)

    for name, component in result.get("components", {}).get("schemas", {}).items():
        walk(component, sent=name.endswith("Request"))
    return result


# --- Token authentication -------------------------------------------------------------


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class TokenThrottle(ScopedRateThrottle):
    scope_attr = "throttle_scope"


class ObtainTokenView(APIView):
    """Exchanges a username and password for the token to send as `Authorization: Token <token>`."""

    authentication_classes = []
    permission_classes = []
    throttle_classes = [TokenThrottle]
    throttle_scope = "token"

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenSerializer}, operation_id="auth_token_create")
    def post(self, request):
        given = TokenRequestSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        user = authenticate(request, **given.validated_data)
        if user is None or not user.is_active:
            raise exceptions.ValidationError({"non_field_errors": [_("Wrong username or password.")]})
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
