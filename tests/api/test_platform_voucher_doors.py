"""Door parity of the platform voucher at checkout: the same bad code through the checkout page
and the API (preview and place) is refused by the same rule, in the same words, and places nothing;
a good code is split per order, shown through every door alike."""

import html
import re

import pytest
from django.urls import reverse

from marketplace.models import Order, PlatformVoucherUse, PromotionFunding
from tests.api.conftest import ADDRESS
from tests.factories import FreeShippingCampaignFactory, PlatformVoucherFactory

pytestmark = pytest.mark.django_db(databases=["default", "storefront", "marketplace"])

BAD = {
    "unknown": ({}, "NOPE", "This platform voucher does not exist."),
    "fully used": ({"usage_limit": 0}, "JALIN", "This voucher has been fully used."),
    "minimum spend": (
        {"min_spend": 205_001},
        "jalin",
        "Spend at least Rp 205.001 in this checkout to use this voucher.",
    ),
}


def _cart(world):
    client = world.client("shopper")
    for variant in (world.variant, world.other_variant):
        client.post("/api/v1/cart/items/", {"variant_id": variant.id, "quantity": 1}, format="json")
    return client


def _nothing_written():
    return (Order.objects.count(), PromotionFunding.objects.count(), PlatformVoucherUse.objects.count()) == (0, 0, 0)


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_platform_voucher_is_refused_alike_by_the_page_and_the_api(world, client, case):
    voucher, code, message = BAD[case]
    PlatformVoucherFactory(code="JALIN", **voucher)
    api = _cart(world)

    preview = api.post(
        "/api/v1/checkout/preview/", {"province": ADDRESS["province"], "platform_voucher": code}, format="json"
    )
    placed = api.post(
        "/api/v1/checkout/",
        {"address": ADDRESS, "payment_method": "cod", "platform_voucher": code},
        format="json",
        HTTP_IDEMPOTENCY_KEY=f"k-{case}",
    )
    client.force_login(world.shopper)
    page = client.post(
        reverse("storefront:checkout"),
        {**ADDRESS, "payment_method": "cod", "idempotency_key": f"p-{case}", "platform_voucher": code},
    )

    assert preview.json()["problems"] == {"platform_voucher": [message]}
    assert placed.status_code == 400, placed.content
    assert placed.json()["errors"]["platform_voucher"] == [message]
    assert page.status_code == 200
    assert page.context["form"].errors["platform_voucher"] == [message]
    assert message in html.unescape(page.content.decode())
    assert _nothing_written()


def test_the_api_and_the_page_show_each_orders_share(world, client):
    # Rp 20.000 over Rp 125.000 and Rp 80.000: 12.195,12 and 7.804,88 -> the rupiah to the second
    PlatformVoucherFactory(code="JALIN", value=20_000)
    FreeShippingCampaignFactory(max_per_order=10_000).shops.set([world.shop])
    api = _cart(world)

    preview = api.post(
        "/api/v1/checkout/preview/", {"province": ADDRESS["province"], "platform_voucher": "jalin"}, format="json"
    ).json()
    client.force_login(world.shopper)
    page = client.post(
        reverse("storefront:checkout"), {**ADDRESS, "recalculate": "1", "platform_voucher": "jalin"}
    ).content.decode()

    assert preview["problems"] == {}
    assert preview["promotions"] == [
        {"shop_id": world.shop.id, "platform_discount": 12_195, "shop_funded": 0, "shipping_subsidy": 10_000},
        {
            "shop_id": world.other_variant.product.shop_id,
            "platform_discount": 7_805,
            "shop_funded": 0,
            "shipping_subsidy": 0,
        },
    ]
    shown = re.sub(r"\s+", " ", html.unescape(page))
    assert "Rp 12.195" in shown and "Rp 7.805" in shown and "-Rp 10.000" in shown


def test_a_product_of_a_free_shipping_shop_shows_the_badge_on_its_page_and_in_the_api(world, client):
    FreeShippingCampaignFactory().shops.set([world.shop])
    eligible, other = world.variant.product_id, world.other_variant.product_id

    page = client.get(reverse("storefront:product_detail", args=[eligible])).content.decode()
    other_page = client.get(reverse("storefront:product_detail", args=[other])).content.decode()
    api = world.client("anonymous")

    assert 'class="badge free-shipping"' in page and 'class="badge free-shipping"' not in other_page
    assert api.get(f"/api/v1/products/{eligible}/").json()["free_shipping"] is True
    assert api.get(f"/api/v1/products/{other}/").json()["free_shipping"] is False
