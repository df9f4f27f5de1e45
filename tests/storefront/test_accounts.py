import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(databases=["default", "storefront"])


def test_signing_up_creates_the_account_and_signs_in(client):
    response = client.post(
        reverse("storefront:sign_up"),
        {"username": "dewi", "email": "dewi@example.id", "password1": "batik-tulis-99", "password2": "batik-tulis-99"},
    )

    user = get_user_model().objects.get(username="dewi")
    assert response.status_code == 302 and response.url == reverse("storefront:feed")
    assert user.email == "dewi@example.id"
    assert user.check_password("batik-tulis-99")
    assert client.get(reverse("storefront:account")).status_code == 200


def test_sign_up_errors_are_shown_next_to_their_fields_and_nothing_is_written(client):
    UserFactory(username="eko")

    response = client.post(
        reverse("storefront:sign_up"),
        {"username": "eko", "email": "not-an-email", "password1": "batik-tulis-99", "password2": "other-99"},
    )

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"username", "email", "password2"}
    assert get_user_model().objects.count() == 1
    assert 'aria-invalid="true"' in response.content.decode()


def test_sign_up_goes_back_where_the_shopper_came_from_but_never_off_site(client):
    body = {"username": "fajar", "email": "f@example.id", "password1": "batik-tulis-99", "password2": "batik-tulis-99"}

    response = client.post(reverse("storefront:sign_up"), {**body, "next": "https://evil.example/"})

    assert response.url == reverse("storefront:feed")


def test_a_wrong_password_is_a_form_error_on_the_sign_in_page(client):
    UserFactory(username="gita")

    response = client.post(reverse("login"), {"username": "gita", "password": "wrong"})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()


def test_password_reset_mails_a_link_that_sets_a_new_password(client):
    UserFactory(username="hana", email="hana@example.id")

    sent = client.post(reverse("password_reset"), {"email": "hana@example.id"})
    assert sent.status_code == 302 and sent.url == reverse("password_reset_done")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["hana@example.id"]
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)

    form = client.get(link, follow=True)
    done = client.post(form.redirect_chain[-1][0], {"new_password1": "kopi-susu-42", "new_password2": "kopi-susu-42"})

    assert done.status_code == 302 and done.url == reverse("password_reset_complete")
    assert get_user_model().objects.get(username="hana").check_password("kopi-susu-42")


def test_signing_out_ends_the_session(client):
    client.force_login(UserFactory(username="indra"))

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert client.get(reverse("storefront:account")).status_code == 302
