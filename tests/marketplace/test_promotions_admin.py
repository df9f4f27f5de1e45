"""Platform promotions in the admin: platform staff write them through the service and its
rulebook; sellers cannot open them, and see their shop's participation and their orders'
funding read-only."""

import html

import pytest
from django.contrib.auth import get_user_model

from marketplace.models import FreeShippingCampaign, PlatformVoucher
from tests.admin_world import build_world
from tests.factories import FreeShippingCampaignFactory, PlatformVoucherFactory, ShopFactory

pytestmark = pytest.mark.django_db(databases="__all__")

BODY = {
    "code": "jalin20",
    "kind": "fixed",
    "value": "20000",
    "min_spend": "0",
    "starts_at_0": "2026-01-01",
    "starts_at_1": "00:00:00",
    "ends_at_0": "2099-01-01",
    "ends_at_1": "00:00:00",
    "per_buyer_limit": "1",
    "is_active": "on",
    "shop_share_bp": "0",
}


@pytest.fixture
def staff(client):
    user = get_user_model().objects.create_superuser("staf-promo", password="x")
    client.force_login(user)
    return user


def test_platform_staff_create_a_co_funded_platform_voucher(client, staff):
    shop = ShopFactory()

    response = client.post(
        "/admin/marketplace/platformvoucher/add/", {**BODY, "shop_share_bp": "3000", "shops": [shop.id]}
    )

    assert response.status_code == 302, html.unescape(response.content.decode())[:3000]
    voucher = PlatformVoucher.objects.get()
    assert (voucher.code, voucher.shop_share_bp, list(voucher.shops.all())) == ("JALIN20", 3000, [shop])


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"shop_share_bp": "3000"}, "shop_share_bp", "A shops' share needs participating shops."),
        ({"shop_share_bp": "10001"}, "shop_share_bp", "A shops' share is between 0 and 10000 basis points."),
        ({"code": "JALIN 20"}, "code", "Use 1 to 30 letters and digits."),
    ],
)
def test_a_bad_platform_voucher_is_refused_with_the_rulebooks_words_and_nothing_saved(
    client, staff, change, field, message
):
    response = client.post("/admin/marketplace/platformvoucher/add/", {**BODY, **change})

    assert response.status_code == 200
    assert message in " ".join(response.context["adminform"].form.errors.get(field, [])), response.context[
        "adminform"
    ].form.errors
    assert PlatformVoucher.objects.count() == 0


def test_a_free_shipping_campaign_needs_an_eligible_shop(client, staff):
    body = {k: v for k, v in BODY.items() if k.startswith(("starts", "ends", "is_active"))}
    response = client.post(
        "/admin/marketplace/freeshippingcampaign/add/",
        {**body, "campaign_key": "harbolnas", "name": "Bebas Ongkir", "min_spend": "0"},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["shops"] == ["Choose at least one eligible shop."]
    assert FreeShippingCampaign.objects.count() == 0


def test_sellers_cannot_open_the_platforms_promotions_but_see_their_shops_part(client):
    world = build_world()
    seller = world["seller_a"]
    shop = ShopFactory(owner_user_id=seller.pk, name="Toko Promo", slug="toko-promo")
    PlatformVoucherFactory(code="BARENG", shop_share_bp=3000).shops.set([shop])
    FreeShippingCampaignFactory(name="Bebas Ongkir Harbolnas").shops.set([shop])
    client.force_login(seller)

    assert client.get("/admin/marketplace/platformvoucher/").status_code == 403
    assert client.get("/admin/marketplace/freeshippingcampaign/").status_code == 403
    page = html.unescape(client.get(f"/admin/marketplace/shop/{shop.id}/change/").content.decode())
    assert "BARENG (30%), Bebas Ongkir Harbolnas" in page
