"""The problem types the API answers with: one page per code at `/api/problems/<code>/`,
which is the `type` link of every problem-details body (RFC 9457)."""

from dataclasses import dataclass

from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

StrOrPromise = str | Promise

PROBLEMS_PATH = "/api/problems/"


@dataclass(frozen=True)
class ProblemType:
    status: int
    title: StrOrPromise
    description: StrOrPromise


CATALOGUE: dict[str, ProblemType] = {
    "invalid": ProblemType(400, _("Invalid request"), _("Some input is not valid; `errors` names each field.")),
    "parse_error": ProblemType(400, _("Malformed request"), _("The body could not be read as the declared type.")),
    "out_of_stock": ProblemType(
        400, _("Out of stock"), _("Some items are no longer available in the quantity asked for.")
    ),
    "voucher": ProblemType(400, _("Voucher not usable"), _("A voucher cannot be used for this order.")),
    "illegal_transition": ProblemType(
        400, _("Not possible now"), _("The order is not in a state that allows this step.")
    ),
    "not_authenticated": ProblemType(
        401, _("Authentication required"), _("Send `Authorization: Token <token>` or sign in.")
    ),
    "authentication_failed": ProblemType(
        401, _("Authentication failed"), _("The token or the credentials are not valid.")
    ),
    "permission_denied": ProblemType(403, _("Forbidden"), _("You may not do this.")),
    "not_found": ProblemType(404, _("Not found"), _("Nothing exists at this address, or you may not see it.")),
    "method_not_allowed": ProblemType(405, _("Method not allowed"), _("This address does not take this method.")),
    "not_acceptable": ProblemType(406, _("Not acceptable"), _("The API answers JSON only.")),
    "conflict": ProblemType(409, _("Conflict"), _("The request clashes with another one.")),
    "already_reviewed": ProblemType(409, _("Already reviewed"), _("This order line has a review already.")),
    "idempotency_key_in_flight": ProblemType(
        409, _("Still in progress"), _("A request with this Idempotency-Key is still running; try again shortly.")
    ),
    "unsupported_media_type": ProblemType(
        415, _("Unsupported media type"), _("Send the body as one of the documented media types.")
    ),
    "idempotency_key_reused": ProblemType(
        422, _("Idempotency-Key reused"), _("This Idempotency-Key was used for a different request.")
    ),
    "throttled": ProblemType(429, _("Too many requests"), _("Wait for the seconds in `Retry-After`.")),
    "server_error": ProblemType(500, _("Server error"), _("Something went wrong on our side.")),
    "unavailable": ProblemType(
        503, _("Service unavailable"), _("Part of the service is briefly unavailable; retry after `Retry-After`.")
    ),
}

# A code without a page of its own links to the page of its status.
BY_STATUS = {
    400: "invalid",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    415: "unsupported_media_type",
    422: "idempotency_key_reused",
    429: "throttled",
    503: "unavailable",
}


def problem_code(code: str, status_code: int) -> str:
    """`code` when it has a page, else the page of its status, so every `type` link resolves."""
    if code in CATALOGUE:
        return code
    return BY_STATUS.get(status_code, "server_error")


def problem_type_url(code: str) -> str:
    return f"{PROBLEMS_PATH}{code}/"


def problem_type_view(request, code: str):
    """What a problem type means: a page for people, JSON for `Accept: application/json`."""
    found = CATALOGUE.get(code)
    if found is None:
        raise Http404
    answer = {"type": problem_type_url(code), "title": str(found.title), "status": found.status}
    answer["description"] = str(found.description)
    if "json" in request.headers.get("Accept", ""):
        return JsonResponse(answer)
    return render(request, "api/problem_type.html", {"problem": answer, "code": code})
