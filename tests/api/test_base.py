"""What every endpoint shares: authentication, throttles, problem-details errors, schema and docs."""

import re

import pytest
from django.test import override_settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from config.api import TokenThrottle
from tests.factories import UserFactory

PROBLEM = "application/problem+json"


@pytest.mark.django_db(databases=["default"])
def test_the_token_endpoint_returns_the_users_token(api):
    # Given a user
    user = UserFactory(username="ayu")

    # When they exchange username and password
    response = api.post("/api/v1/auth/token/", {"username": "ayu", "password": "jalin-test-pw"}, format="json")

    # Then they get their token, the same on every call
    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get(user=user).key}
    again = api.post("/api/v1/auth/token/", {"username": "ayu", "password": "jalin-test-pw"}, format="json")
    assert again.json() == response.json()


@pytest.mark.django_db(databases=["default"])
def test_a_wrong_password_gets_a_problem_and_no_token(api):
    UserFactory(username="ayu")

    response = api.post("/api/v1/auth/token/", {"username": "ayu", "password": "nope"}, format="json")

    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert (body["type"], body["status"], body["title"]) == ("/api/problems/invalid/", 400, "Invalid request")
    assert list(body["errors"]) == ["non_field_errors"]
    assert Token.objects.count() == 0


@pytest.mark.django_db(databases=["default"])
def test_missing_token_fields_are_named(api):
    response = api.post("/api/v1/auth/token/", {}, format="json")

    assert response.status_code == 400
    assert sorted(response.json()["errors"]) == ["password", "username"]


@pytest.mark.django_db(databases=["default"])
def test_the_token_endpoint_is_throttled_harder(api, monkeypatch):
    # Given a token endpoint allowing two attempts a minute
    monkeypatch.setattr(TokenThrottle, "THROTTLE_RATES", {"token": "2/min"})
    UserFactory(username="ayu")
    wrong = {"username": "ayu", "password": "nope"}

    # When a caller guesses three times
    statuses = [api.post("/api/v1/auth/token/", wrong, format="json").status_code for _ in range(3)]

    # Then the third is refused with a hint when to come back
    assert statuses == [400, 400, 429]
    refused = api.post("/api/v1/auth/token/", wrong, format="json")
    assert refused.json()["status"] == 429
    assert int(refused["Retry-After"]) > 0


@pytest.mark.django_db(databases=["default", "marketplace"])
def test_a_token_authenticates_and_a_bad_one_is_refused():
    user = UserFactory()
    good, bad = APIClient(), APIClient()
    good.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    bad.credentials(HTTP_AUTHORIZATION="Token not-a-token")

    assert good.get("/api/v1/cart/").status_code == 200
    refused = bad.get("/api/v1/cart/")
    assert refused.status_code == 401
    assert refused["WWW-Authenticate"] == "Token"
    assert refused.json()["type"] == "/api/problems/authentication_failed/"


@pytest.mark.django_db(databases=["default", "marketplace"])
def test_anonymous_callers_are_told_to_authenticate(api):
    response = api.get("/api/v1/cart/")

    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM
    assert response.json()["type"] == "/api/problems/not_authenticated/"


@pytest.mark.django_db(databases="__all__")
def test_session_authentication_enforces_csrf(world):
    # Given a signed-in browser session
    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(world.shopper)
    item = {"variant_id": world.variant.id, "quantity": 1}

    # When it writes without the CSRF token, then with it
    without = browser.post("/api/v1/cart/items/", item, format="json")
    browser.get("/accounts/login/")  # sets the csrftoken cookie
    token = browser.cookies["csrftoken"].value
    with_token = browser.post("/api/v1/cart/items/", item, format="json", HTTP_X_CSRFTOKEN=token)

    # Then only the second is accepted
    assert without.status_code == 403
    assert "CSRF" in without.json()["detail"]
    assert with_token.status_code == 201
    assert with_token.json()["item_count"] == 1


@pytest.mark.django_db(databases=["default"])
def test_an_unknown_api_address_answers_problem_json_not_html(api):
    response = api.get("/api/v1/no-such-thing/")

    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM
    assert response.json()["status"] == 404


@pytest.mark.django_db(databases=["default"])
def test_an_unsupported_method_is_a_problem(api):
    response = api.delete("/api/v1/auth/token/")

    assert response.status_code == 405
    assert response.json()["type"] == "/api/problems/method_not_allowed/"


@pytest.mark.django_db(databases=["default", "marketplace"])
def test_a_body_that_is_not_json_is_a_problem(world_free_client):
    response = world_free_client.post("/api/v1/cart/items/", "variant_id=1", content_type="text/plain")

    assert response.status_code == 415
    assert response.json()["status"] == 415


@pytest.mark.django_db(databases=["default", "marketplace"])
def test_malformed_json_is_a_problem(world_free_client):
    response = world_free_client.post("/api/v1/cart/items/", "{not json", content_type="application/json")

    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM


@pytest.mark.django_db(databases="__all__")
@override_settings(MARKETPLACE_PROVIDER="tests.api.unavailable.UnreachableMarketplace")
def test_an_unreachable_marketplace_is_503_with_retry_after(world):
    response = world.client("shopper").get("/api/v1/cart/")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json() == {
        "type": "/api/problems/unavailable/",
        "title": "Service unavailable",
        "status": 503,
        "detail": "The marketplace is not answering.",
    }


@pytest.mark.django_db(databases=["default"])
def test_the_schema_and_the_docs_are_served_from_this_site(api):
    schema = api.get("/api/schema/")
    docs = api.get("/api/docs/")

    assert schema.status_code == 200
    assert b"/api/v1/checkout/" in schema.content
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    # Every script and stylesheet comes from this site: no address names another host.
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets
    assert all(asset.startswith("/") and not asset.startswith("//") for asset in assets), assets


@pytest.mark.django_db(databases="__all__")
@pytest.mark.parametrize("debug", [False, True])
def test_an_unexpected_error_is_a_problem_not_a_page(world, settings, debug):
    settings.DEBUG = debug
    settings.MARKETPLACE_PROVIDER = "tests.api.unavailable.BrokenMarketplace"

    response = world.client("shopper").get("/api/v1/cart/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 500
    assert response["Content-Type"] == PROBLEM
    assert response.json() == {
        "type": "/api/problems/server_error/",
        "title": "Server error",
        "status": 500,
        "detail": "Something went wrong on our side.",
    }


@pytest.mark.django_db(databases=["default", "storefront"])
def test_anonymous_callers_are_throttled(api, monkeypatch):
    from rest_framework.throttling import AnonRateThrottle

    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/min"})

    statuses = [api.get("/api/v1/creators/").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]


@pytest.mark.django_db(databases=["default", "storefront"])
def test_signed_in_callers_are_throttled_per_user(world_free_client, monkeypatch):
    from rest_framework.throttling import UserRateThrottle

    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "2/min"})

    statuses = [world_free_client.get("/api/v1/creators/").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
