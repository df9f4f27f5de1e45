import pytest
from django.urls import reverse

from storefront.models import Address
from storefront.selectors import address_list_for_user
from storefront.services import address_create, address_delete
from tests.factories import ADDRESS_VALUES, UserFactory

HOME = ADDRESS_VALUES
OFFICE = {**HOME, "street": "Jl. Sudirman 1", "city": "Jakarta", "province": "DKI Jakarta", "postal_code": "10220"}


@pytest.mark.django_db(databases=["storefront"])
def test_the_first_address_becomes_the_default_and_a_new_default_replaces_it():
    home = address_create(user_id=7, values=HOME, label="Rumah")
    office = address_create(user_id=7, values=OFFICE, label="Kantor")
    assert [(a.id, a.is_default) for a in address_list_for_user(7)] == [(home.id, True), (office.id, False)]

    other = address_create(user_id=7, values=OFFICE, label="Gudang", make_default=True)

    assert [(a.id, a.is_default) for a in address_list_for_user(7)] == [
        (other.id, True),
        (home.id, False),
        (office.id, False),
    ]


@pytest.mark.django_db(databases=["storefront"])
def test_removing_the_default_address_promotes_the_oldest_remaining_one():
    home = address_create(user_id=7, values=HOME)
    office = address_create(user_id=7, values=OFFICE)

    assert address_delete(user_id=7, address_id=home.id) is True

    assert [(a.id, a.is_default) for a in address_list_for_user(7)] == [(office.id, True)]


@pytest.mark.django_db(databases=["storefront"])
def test_a_shopper_cannot_remove_someone_elses_address():
    theirs = address_create(user_id=8, values=HOME)

    assert address_delete(user_id=7, address_id=theirs.id) is False
    assert Address.objects.filter(id=theirs.id).exists()


@pytest.mark.django_db(databases=["default", "storefront"])
def test_the_account_page_saves_an_address(client):
    user = UserFactory(username="joko")
    client.force_login(user)

    response = client.post(reverse("storefront:address_add"), {**HOME, "label": "Rumah"})

    assert response.status_code == 302 and response.url == reverse("storefront:account")
    saved = Address.objects.get(user_id=user.id)
    assert (saved.label, saved.street, saved.postal_code, saved.is_default) == (
        "Rumah",
        "Jl. Malioboro 52",
        "55271",
        True,
    )
    assert "Jl. Malioboro 52" in client.get(reverse("storefront:account")).content.decode()


@pytest.mark.django_db(databases=["default", "storefront"])
def test_a_bad_address_is_refused_with_errors_next_to_the_fields(client):
    client.force_login(UserFactory(username="kartika"))

    response = client.post(reverse("storefront:address_add"), {**HOME, "postal_code": "55", "phone": "abc"})

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"postal_code", "phone"}
    assert Address.objects.count() == 0


@pytest.mark.django_db(databases=["default", "storefront"])
def test_the_account_page_removes_an_address(client):
    user = UserFactory(username="lina")
    address = address_create(user_id=user.id, values=HOME)
    client.force_login(user)

    response = client.post(reverse("storefront:address_delete", args=[address.id]))

    assert response.status_code == 302
    assert Address.objects.count() == 0
