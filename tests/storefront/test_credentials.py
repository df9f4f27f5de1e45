"""A password change, a reset, staff setting a password and "sign out every device" all revoke
the user's API tokens; other browsers are signed out, the current one stays."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(databases=["default", "storefront"])
OLD, NEW = "jalin-test-pw", "kopi-susu-42-baru"
API = "/api/v1/feed/following/"


def _token_works(key: str) -> bool:
    return Client().get(API, HTTP_AUTHORIZATION=f"Token {key}").status_code == 200


def _signed_in(client) -> bool:
    return client.get(reverse("storefront:account")).status_code == 200


@pytest.fixture
def user():
    return UserFactory(username="hana", email="hana@example.id")


@pytest.fixture
def token(user):
    key = Token.objects.create(user=user).key
    assert _token_works(key)
    return key


def _browser(user) -> Client:
    browser = Client()
    browser.force_login(user)
    assert _signed_in(browser)
    return browser


def test_a_password_change_revokes_tokens_and_other_sessions_but_keeps_this_one(user, token):
    here, elsewhere = _browser(user), _browser(user)

    response = here.post(reverse("password_change"), {"old_password": OLD, "new_password1": NEW, "new_password2": NEW})

    assert response.status_code == 302
    assert not _token_works(token)
    assert not Token.objects.filter(user=user).exists()
    assert _signed_in(here)
    assert not _signed_in(elsewhere)


def test_a_password_reset_revokes_tokens(client, user, token):
    elsewhere = _browser(user)
    client.post(reverse("password_reset"), {"email": "hana@example.id"})
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)

    done = client.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})

    assert done.status_code == 302 and done.url == reverse("password_reset_complete")
    assert not _token_works(token)
    assert not _signed_in(elsewhere)


def test_staff_setting_a_password_in_the_admin_revokes_tokens(client, user, token):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))

    response = client.post(
        reverse("admin:auth_user_password_change", args=[user.pk]),
        {"password1": NEW, "password2": NEW, "usable_password": "true"},
    )

    assert response.status_code == 302
    assert not _token_works(token)


def test_a_wrong_old_password_changes_nothing(user, token):
    here = _browser(user)

    response = here.post(
        reverse("password_change"), {"old_password": "wrong", "new_password1": NEW, "new_password2": NEW}
    )

    assert response.status_code == 200 and "old_password" in response.context["form"].errors
    assert _token_works(token)


def test_sign_out_every_device_ends_other_sessions_and_tokens_and_keeps_this_browser(user, token):
    other_user_browser = _browser(UserFactory(username="indra"))
    here, elsewhere = _browser(user), _browser(user)

    response = here.post(reverse("storefront:sign_out_everywhere"))

    assert response.status_code == 302 and response.url == reverse("storefront:account")
    assert not _token_works(token)
    assert not _signed_in(elsewhere)
    assert _signed_in(here)
    assert _signed_in(other_user_browser)


def test_sign_out_every_device_needs_post_and_csrf(user, token):
    here = Client(enforce_csrf_checks=True)
    here.force_login(user)

    assert here.get(reverse("storefront:sign_out_everywhere")).status_code == 405
    assert here.post(reverse("storefront:sign_out_everywhere")).status_code == 403
    assert _token_works(token)


def test_the_account_page_offers_sign_out_every_device(user):
    page = _browser(user).get(reverse("storefront:account")).content.decode()

    assert f'action="{reverse("storefront:sign_out_everywhere")}"' in page
    assert "Sign out every device" in page
