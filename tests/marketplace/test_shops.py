"""Opening a shop, its seller's edits and the platform's verification: the marketplace's rules."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from integration import contracts
from marketplace import rules, services
from marketplace.models import OutboxEvent, Shop
from tests.factories import ShopFactory, UserFactory

pytestmark = pytest.mark.django_db(databases=["default", "marketplace"])

OWNER = 7_001
GOOD = {
    "name": "  Toko Batik Sekar ",
    "slug": " Batik-Sekar ",
    "city": "Yogyakarta",
    "province": "DI Yogyakarta",
    "pickup_address": "Jl. Prawirotaman 12",
    "phone": "+62 812-3456-7890",
}


def _open(**changes):
    return services.shop_open(owner_user_id=OWNER, **{**GOOD, **changes})


def _refusal(**changes) -> dict[str, list[str]]:
    before = (Shop.objects.count(), OutboxEvent.objects.count())
    with pytest.raises(contracts.InvalidRequest) as refused:
        _open(**changes)
    assert (Shop.objects.count(), OutboxEvent.objects.count()) == before, "a refused shop writes nothing"
    return refused.value.fields


def _shop_events() -> list[dict]:
    return [e.payload["shop"] for e in OutboxEvent.objects.filter(type="marketplace.shop.changed").order_by("id")]


def test_an_opened_shop_is_usable_at_once_unverified_and_announced():
    shop = _open(declares_local_business=True, nib="1234567890123")

    shop.refresh_from_db()
    assert (shop.owner_user_id, shop.name, shop.slug, shop.phone) == (
        OWNER,
        "Toko Batik Sekar",
        "batik-sekar",
        "+62 812-3456-7890",
    )
    assert (shop.is_local_business, shop.verified_at, shop.nib) == (True, None, "1234567890123")
    assert _shop_events() == [
        {
            "shop_id": shop.id,
            "name": "Toko Batik Sekar",
            "slug": "batik-sekar",
            "city": "Yogyakarta",
            "province": "DI Yogyakarta",
            "is_local_business": True,
            "is_verified": False,
            "rating": 0,
            "review_count": 0,
            "sold_count": 0,
            "revision": 1,
        }
    ]


def test_every_missing_field_is_named():
    fields = _refusal(name=" ", slug="", city="", province="", pickup_address="", phone="")

    assert fields == {
        "name": ["Enter the shop's name."],
        "slug": ["Use 3 to 50 lower-case letters, digits and single hyphens, e.g. batik-sekar."],
        "city": ["Enter the shop's city."],
        "province": ["Enter the shop's province."],
        "pickup_address": ["Enter the address couriers collect parcels from."],
        "phone": ["Enter a phone number of 8 to 15 digits, e.g. 0812 3456 7890."],
    }


def test_texts_longer_than_their_columns_are_refused():
    fields = _refusal(name="n" * 121, city="c" * 81, province="p" * 81, pickup_address="a" * 256)

    assert fields == {
        "name": ["Enter a shop name of at most 120 characters."],
        "city": ["Enter a city of at most 80 characters."],
        "province": ["Enter a province of at most 80 characters."],
        "pickup_address": ["Enter a pickup address of at most 255 characters."],
    }


def test_a_taken_or_reserved_address_is_refused_on_the_slug():
    ShopFactory(slug="batik-sekar")

    assert _refusal(slug="BATIK-SEKAR") == {"slug": ["Another shop already uses this address."]}
    assert _refusal(slug="open") == {"slug": ["Another shop already uses this address."]}


@pytest.mark.parametrize("slug", ["ab", "a" * 51, "batik--sekar", "-batik", "batik_sekar", "bátik"])
def test_a_malformed_address_is_refused(slug):
    assert list(_refusal(slug=slug)) == ["slug"]


@pytest.mark.parametrize("slug", ["abc", "a" * 50, "toko-2"])
def test_addresses_at_the_bounds_are_taken(slug):
    assert _open(slug=slug).slug == slug


@pytest.mark.parametrize(
    ("phone", "ok"),
    [
        ("0812345", False),
        ("08123456", True),
        ("081234567890123", True),
        ("0812345678901234", False),
        ("0812abc4567", False),
    ],
)
def test_a_phone_has_8_to_15_digits(phone, ok):
    if ok:
        assert _open(phone=phone).phone == phone
    else:
        assert list(_refusal(phone=phone)) == ["phone"]


@pytest.mark.parametrize(
    ("nib", "ok"),
    [("", True), ("1234567890123", True), ("123456789012", False), ("12345678901234", False), ("12345678901x3", False)],
)
def test_a_nib_is_optional_but_has_13_digits(nib, ok):
    if ok:
        assert _open(nib=nib).nib == nib
    else:
        assert _refusal(nib=nib) == {"nib": ["A business identification number (NIB) has 13 digits."]}


def test_a_user_opens_at_most_the_configured_number_of_shops(settings):
    settings.SHOPS_PER_USER_MAX = 2
    ShopFactory(owner_user_id=OWNER)
    _open(slug="toko-kedua")
    ShopFactory(owner_user_id=OWNER + 1)  # someone else's shops do not count

    assert _refusal(slug="toko-ketiga") == {
        "non_field_errors": ["You already have 2 shops, the most one account may open."]
    }


def test_verifying_shows_the_local_mark_once():
    shop = _open(declares_local_business=True)

    assert services.shop_verify(shop_id=shop.id) is True
    assert services.shop_verify(shop_id=shop.id) is False

    shop.refresh_from_db()
    assert shop.verified_at is not None and shop.shows_local_badge
    assert [(e["is_verified"], e["revision"]) for e in _shop_events()] == [(False, 1), (True, 2)]


def test_a_sellers_edit_keeps_the_contact_details_it_had():
    shop = _open()

    with pytest.raises(contracts.InvalidRequest) as refused:
        services.shop_update(shop_id=shop.id, owner_user_id=OWNER, phone="")
    services.shop_update(shop_id=shop.id, owner_user_id=OWNER, name="Batik Sekar Jaya")

    assert refused.value.fields == {"phone": ["Enter a phone number of 8 to 15 digits, e.g. 0812 3456 7890."]}
    assert [e["name"] for e in _shop_events()] == ["Toko Batik Sekar", "Batik Sekar Jaya"]


def test_a_seller_cannot_edit_another_sellers_shop():
    shop = _open()

    with pytest.raises(contracts.NotFound):
        services.shop_update(shop_id=shop.id, owner_user_id=OWNER + 1, name="Punya Saya")


def test_platform_staff_verify_from_the_shop_list(client):
    waiting = ShopFactory(verified_at=None, name="Toko Menunggu")
    client.force_login(UserFactory(username="platform", is_staff=True, is_superuser=True))

    response = client.post(
        reverse("admin:marketplace_shop_changelist"), {"action": "verify", "_selected_action": [waiting.pk]}
    )

    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.is_verified
    assert [e["shop_id"] for e in _shop_events()] == [waiting.pk]


def test_a_seller_has_no_verify_action_on_their_own_shop(client):
    seller = UserFactory(is_staff=True)
    seller.groups.add(Group.objects.get(name="Sellers"))
    own = ShopFactory(owner_user_id=seller.pk, verified_at=None)
    client.force_login(seller)

    listing = client.get(reverse("admin:marketplace_shop_changelist"))
    client.post(reverse("admin:marketplace_shop_changelist"), {"action": "verify", "_selected_action": [own.pk]})

    assert listing.status_code == 200
    assert 'value="verify"' not in listing.content.decode()
    own.refresh_from_db()
    assert own.verified_at is None


def test_an_address_taken_meanwhile_is_refused_on_the_slug_too(monkeypatch):
    # Given another shop that took the address after this one's check (as a concurrent open would)
    ShopFactory(slug="batik-sekar")
    monkeypatch.setattr(rules, "shop_errors", lambda shop, **kwargs: {})

    # Then the unique index's refusal comes back as the field's message, with nothing written
    assert _refusal(slug="batik-sekar") == {"slug": ["Another shop already uses this address."]}
