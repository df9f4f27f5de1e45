"""Answers for a signed-in visitor or an API caller with credentials are never stored by a cache."""

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(databases=["default", "storefront", "marketplace"])


def _directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


@pytest.fixture
def user(settings):
    return UserFactory()


def test_a_signed_in_page_is_private_and_not_stored(client, user):
    client.force_login(user)

    for url in (reverse("storefront:account"), reverse("storefront:feed")):
        assert {"private", "no-store"} <= _directives(client.get(url)), url


def test_an_api_answer_to_a_token_holder_is_private_and_not_stored(client, user):
    key = Token.objects.create(user=user).key

    answer = client.get("/api/v1/cart/", HTTP_AUTHORIZATION=f"Token {key}")
    refused = client.get("/api/v1/cart/", HTTP_AUTHORIZATION="Token wrong")

    assert answer.status_code == 200
    assert {"private", "no-store"} <= _directives(answer)
    assert {"private", "no-store"} <= _directives(refused)


def test_an_anonymous_public_page_may_still_be_cached(client):
    assert "no-store" not in _directives(client.get(reverse("storefront:feed")))
