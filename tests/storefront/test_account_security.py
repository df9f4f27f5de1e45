"""API tokens die with the password that made them, whichever door changed it; the shopper
can sign out every other device at once."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.admin_world import FAST_HASHERS
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(databases=["default", "storefront"])
OLD, NEW = "batik-tulis-99", "tenun-ikat-77"


@pytest.fixture
def user(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    return UserFactory(username="dewi", email="dewi@example.id", password=OLD)


def _token_works(key: str) -> bool:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api.get("/api/v1/orders/").status_code != 401


def test_changing_the_password_revokes_the_api_tokens(client, user):
    key = Token.objects.create(user=user).key
    assert _token_works(key)
    client.force_login(user)

    response = client.post(
        reverse("password_change"), {"old_password": OLD, "new_password1": NEW, "new_password2": NEW}
    )

    assert response.status_code == 302
    assert not Token.objects.filter(user=user).exists()
    assert not _token_works(key)


def test_resetting_the_password_revokes_the_api_tokens(client, user):
    key = Token.objects.create(user=user).key
    client.post(reverse("password_reset"), {"email": "dewi@example.id"})
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)

    form = client.get(link, follow=True)
    done = client.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})

    assert done.status_code == 302
    assert get_user_model().objects.get(pk=user.pk).check_password(NEW)
    assert not _token_works(key)


def test_the_admins_set_password_form_revokes_the_api_tokens(client, user):
    key = Token.objects.create(user=user).key
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))

    response = client.post(
        reverse("admin:auth_user_password_change", args=[user.pk]),
        {"password1": NEW, "password2": NEW, "usable_password": "true"},
    )

    assert response.status_code == 302
    assert not _token_works(key)


def test_a_save_that_keeps_the_password_keeps_the_tokens(user):
    key = Token.objects.create(user=user).key

    user.first_name = "Dewi"
    user.save()
    user.set_password(OLD)  # the same password hashed anew, as a hasher upgrade does on sign-in
    user.save()

    assert _token_works(key)


def test_signing_out_everywhere_ends_the_other_sessions_and_revokes_the_tokens(user):
    key = Token.objects.create(user=user).key
    phone, laptop = Client(), Client()
    for device in (phone, laptop):
        device.force_login(user)
    account = reverse("storefront:account")
    assert phone.get(account).status_code == laptop.get(account).status_code == 200

    response = laptop.post(reverse("storefront:sign_out_everywhere"), follow=True)

    assert "Signed out of 1 other session; every API token is revoked." in response.content.decode()
    assert laptop.get(account).status_code == 200
    assert phone.get(account).status_code == 302  # back to the sign-in page
    assert not _token_works(key)
