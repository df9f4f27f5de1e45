"""Sign-up: one account per e-mail address whatever its case, no look-alike usernames, and a
confirmed address before the first checkout, through the page and the API alike."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail, signing
from django.db import IntegrityError, transaction
from django.urls import reverse

from storefront import services
from storefront.models import EmailVerification
from tests.factories import UserFactory, VariantFactory
from tests.integration.test_purchase_flow import ADDRESS

pytestmark = pytest.mark.django_db(databases=["default", "storefront"])
PASSWORD = "batik-tulis-99"


def _sign_up(client, username: str, email: str):
    return client.post(
        reverse("storefront:sign_up"),
        {"username": username, "email": email, "password1": PASSWORD, "password2": PASSWORD},
    )


def test_the_address_is_stored_in_lower_case(client):
    _sign_up(client, "dewi", "Dewi.Lestari@Example.ID")

    assert get_user_model().objects.get(username="dewi").email == "dewi.lestari@example.id"


def test_an_address_taken_in_another_case_is_refused_and_nothing_is_written(client):
    UserFactory(username="eko", email="eko@example.id")

    response = _sign_up(client, "eko2", "EKO@Example.id")

    assert response.status_code == 200
    assert response.context["form"].errors["email"] == ["An account with this e-mail address already exists."]
    assert get_user_model().objects.count() == 1
    assert mail.outbox == []


def test_the_database_refuses_a_second_account_with_the_same_address_in_any_case():
    UserFactory(username="fajar", email="fajar@example.id")

    with pytest.raises(IntegrityError), transaction.atomic():
        get_user_model().objects.create(username="fajar2", email="FAJAR@example.id")


def test_accounts_without_an_address_are_not_one_address():
    UserFactory(username="a1", email="")
    UserFactory(username="a2", email="")

    assert get_user_model().objects.filter(email="").count() == 2


def test_a_cyrillic_look_alike_of_an_existing_username_is_refused(client):
    UserFactory(username="admin")

    response = _sign_up(client, "\u0430dmin", "mallory@example.id")  # Cyrillic "а"

    assert response.context["form"].errors["username"] == [
        "This username looks too much like an existing one. Please choose another."
    ]
    assert not get_user_model().objects.filter(email="mallory@example.id").exists()


def test_a_name_mixing_alphabets_is_refused_even_without_a_twin(client):
    response = _sign_up(client, "p\u0430ypal", "m@example.id")

    assert "username" in response.context["form"].errors


def test_usernames_are_nfkc_normalised_and_then_compared(client):
    UserFactory(username="budi")

    response = _sign_up(client, "\uff42\uff55\uff44\uff49", "budi2@example.id")  # full-width "ｂｕｄｉ"

    assert "username" in response.context["form"].errors
    assert get_user_model().objects.count() == 1


def test_the_service_refuses_the_same_as_the_page():
    UserFactory(username="admin", email="root@example.id")

    with pytest.raises(Exception) as refused:
        services.user_sign_up(
            username="\u0430dmin", email="ROOT@example.id", password=PASSWORD, verify_url=lambda token: token
        )

    assert set(refused.value.message_dict) == {"username", "email"}


# --- E-mail verification -----------------------------------------------------------------


def _link(message) -> str:
    return re.search(r"http://testserver(/accounts/verify/\S+/)", message.body).group(1)


def test_sign_up_mails_a_link_that_confirms_the_address(client):
    _sign_up(client, "gita", "gita@example.id")
    user = get_user_model().objects.get(username="gita")
    assert not services.email_is_verified(user_id=user.id)
    assert mail.outbox[0].to == ["gita@example.id"]

    response = client.get(_link(mail.outbox[0]))

    assert response.status_code == 302 and response.url == reverse("storefront:account")
    assert services.email_is_verified(user_id=user.id)


def test_a_forged_or_expired_link_confirms_nothing(client, settings):
    _sign_up(client, "hana", "hana@example.id")
    user = get_user_model().objects.get(username="hana")
    forged = signing.dumps({"user": user.id, "email": "hana@example.id"}, salt="another-salt")
    settings.EMAIL_VERIFICATION_MAX_AGE_HOURS = -1  # every link is already too old

    client.get(reverse("storefront:email_verify", args=[forged]))
    client.get(_link(mail.outbox[0]))

    assert not services.email_is_verified(user_id=user.id)


def test_the_link_can_be_sent_again_from_the_account_page(client):
    user = UserFactory(username="indra", email="indra@example.id", verified=False)
    client.force_login(user)
    assert "Send the confirmation link again" in client.get(reverse("storefront:account")).content.decode()

    client.post(reverse("storefront:email_verification_resend"))
    client.get(_link(mail.outbox[-1]))

    assert EmailVerification.objects.get(user_id=user.id).verified_at is not None


@pytest.mark.django_db(databases="__all__")
def test_an_unconfirmed_buyer_cannot_check_out_through_the_page_or_the_api(client):
    from marketplace.models import Order

    variant = VariantFactory(stock_on_hand=3)
    buyer = UserFactory(username="joko", email="joko@example.id", verified=False)
    client.force_login(buyer)
    client.post(reverse("storefront:cart_add"), {"variant_id": variant.id, "quantity": 1})
    message = "Please confirm your e-mail address before your first order"

    page = client.post(reverse("storefront:checkout"), {**ADDRESS, "payment_method": "cod", "idempotency_key": "k1"})
    api = client.post(
        "/api/v1/checkout/",
        {"address": ADDRESS, "payment_method": "cod"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k2",
    )

    assert page.status_code == 200 and message in page.content.decode()
    assert api.status_code == 400 and message in api.json()["detail"]
    assert not Order.objects.filter(buyer_id=buyer.id).exists()
