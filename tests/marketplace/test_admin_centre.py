"""The seller centre's vouchers and review replies: written through the services, refused in plain words."""

import pytest
from django.urls import reverse

from marketplace.models import Review, Shop, Voucher
from tests.admin_world import build_world

pytestmark = pytest.mark.django_db(databases=["default", "storefront", "marketplace"])


@pytest.fixture
def world(settings):
    settings.LANGUAGE_CODE = "en"  # messages are asserted by their English msgids
    return build_world()


def _voucher(shop, **changes):
    return {
        "shop": shop.pk,
        "code": "gajian25",
        "kind": "percent",
        "value": 25,
        "min_spend": 100_000,
        "max_discount": 50_000,
        "starts_at_0": "2026-12-01",
        "starts_at_1": "00:00:00",
        "ends_at_0": "2026-12-31",
        "ends_at_1": "23:59:00",
        "usage_limit": 100,
        "per_buyer_limit": 1,
        "is_active": "on",
        **changes,
    }


def test_a_seller_creates_a_voucher_through_the_voucher_service(client, world):
    seller = world["seller_a"]
    shop = Shop.objects.get(owner_user_id=seller.pk)
    client.force_login(seller)

    response = client.post(reverse("admin:marketplace_voucher_add"), _voucher(shop))

    assert response.status_code == 302
    voucher = Voucher.objects.get(shop=shop, code="GAJIAN25")  # the service keeps codes upper-case
    assert (voucher.value, voucher.min_spend, voucher.usage_limit) == (25, 100_000, 100)
    assert voucher.starts_at.isoformat() == "2026-11-30T17:00:00+00:00"  # midnight in Jakarta


def test_a_voucher_the_service_refuses_comes_back_as_the_form_and_writes_nothing(client, world):
    # Given seller A and a code with a space, which only the voucher service checks
    seller = world["seller_a"]
    shop = Shop.objects.get(owner_user_id=seller.pk)
    client.force_login(seller)
    before = Voucher.objects.count()

    response = client.post(reverse("admin:marketplace_voucher_add"), _voucher(shop, code="GAJI AN"))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["code"] == ["Use 1 to 30 letters and digits."]
    assert Voucher.objects.count() == before


def test_a_seller_changes_a_voucher_of_their_shop(client, world):
    seller = world["seller_a"]
    voucher = Voucher.objects.get(shop__owner_user_id=seller.pk)
    client.force_login(seller)

    response = client.post(
        reverse("admin:marketplace_voucher_change", args=[voucher.pk]),
        _voucher(voucher.shop, code=voucher.code, value=15, is_active=""),
    )

    assert response.status_code == 302
    voucher.refresh_from_db()
    assert (voucher.value, voucher.is_active, voucher.shop.owner_user_id) == (15, False, seller.pk)


def test_a_seller_replies_to_a_review_and_an_empty_reply_is_refused(client, world):
    seller = world["seller_a"]
    review = Review.objects.get(shop__owner_user_id=seller.pk)
    client.force_login(seller)
    url = reverse("admin:marketplace_review_change", args=[review.pk])

    empty = client.post(url, {"seller_reply": "   "})
    replied = client.post(url, {"seller_reply": "Terima kasih, Kak!", "stars": 1, "text": "diubah"})

    assert empty.status_code == 200
    assert empty.context["adminform"].form.errors["seller_reply"] == ["Write a reply of at most 2000 characters."]
    assert replied.status_code == 302
    review.refresh_from_db()
    assert (review.seller_reply, review.stars, review.text) == ("Terima kasih, Kak!", 4, "Ulasan")
