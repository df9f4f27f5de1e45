"""The request id follows a request into its outbox rows; an uncaught Unavailable is a 503."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from config.middleware import RequestIdMiddleware, UnavailableMiddleware
from integration import contracts
from marketplace.models import OutboxEvent
from tests.factories import UserFactory, VariantFactory
from tests.integration.test_purchase_flow import ADDRESS


def test_a_well_formed_request_id_is_kept_and_echoed(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="edge-123")

    assert response["X-Request-ID"] == "edge-123"


def test_a_malformed_request_id_is_replaced(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="bad id\nwith newline")

    assert len(response["X-Request-ID"]) == 32
    assert response["X-Request-ID"] != "bad id\nwith newline"


@pytest.mark.django_db(databases="__all__")
def test_the_checkout_request_id_is_written_on_its_events(client):
    variant = VariantFactory(stock_on_hand=2)
    client.force_login(UserFactory(username="eka"))
    client.post(reverse("storefront:cart_add"), {"variant_id": variant.id, "quantity": 1})

    client.post(
        reverse("storefront:checkout"),
        {**ADDRESS, "payment_method": "cod", "idempotency_key": "rid-1"},
        HTTP_X_REQUEST_ID="checkout-req-7",
    )

    assert list(OutboxEvent.objects.filter(type="marketplace.order.placed").values_list("request_id", flat=True)) == [
        "checkout-req-7"
    ]


def _raise_unavailable(request):
    raise contracts.Unavailable("down")


@pytest.mark.parametrize(
    ("path", "content_type"),
    [("/api/v1/checkout/", "application/problem+json"), ("/checkout/", "text/html; charset=utf-8")],
)
def test_an_uncaught_unavailable_is_a_503_with_retry_after(path, content_type):
    request = RequestFactory().get(path)
    middleware = UnavailableMiddleware(HttpResponse)

    response = middleware.process_exception(request, contracts.Unavailable("down"))

    assert (response.status_code, response["Retry-After"], response["Content-Type"]) == (503, "30", content_type)


def test_the_problem_json_follows_rfc_9457():
    request = RequestFactory().get("/api/v1/cart/")

    response = UnavailableMiddleware(HttpResponse).process_exception(request, contracts.Unavailable("down"))

    import json

    assert json.loads(response.content) == {
        "type": "urn:jalin:problem:unavailable",
        "title": "Service unavailable",
        "status": 503,
        "detail": "Checkout is briefly unavailable. Please try again shortly.",
    }


def test_other_exceptions_are_left_alone():
    request = RequestFactory().get("/checkout/")

    assert UnavailableMiddleware(HttpResponse).process_exception(request, ValueError("x")) is None


def test_request_id_middleware_binds_the_id_while_the_view_runs():
    from integration import correlation

    seen = []
    middleware = RequestIdMiddleware(lambda request: seen.append(correlation.current()) or HttpResponse())

    middleware(RequestFactory().get("/", HTTP_X_REQUEST_ID="abc"))

    assert seen == ["abc"]
    assert correlation.current() == ""
