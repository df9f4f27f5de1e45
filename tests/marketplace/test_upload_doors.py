"""The marketplace's upload doors read the same limits: a seller's product image over the API,
and an import file in the seller centre, refused with the limit named and nothing written."""

import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from marketplace.models import Product
from tests.admin_world import build_world
from tests.config.test_uploads import _oversized_png

pytestmark = pytest.mark.django_db(databases=["default", "storefront", "marketplace"])
TOO_BIG = "This file is larger than the 1 MB limit."


@pytest.fixture(autouse=True)
def _small_limits(settings):
    settings.UPLOAD_MAX_IMAGE_MB = 1
    settings.UPLOAD_MAX_IMPORT_MB = 1


def test_an_oversized_product_image_is_refused_over_the_api(settings, tmp_path):
    from tests.api.conftest import client_for
    from tests.factories import ShopFactory, UserFactory, VariantFactory

    settings.MEDIA_ROOT = tmp_path
    seller = UserFactory(username="seller")
    variant = VariantFactory(product__shop=ShopFactory(owner_user_id=seller.id))

    response = client_for(seller).put(
        f"/api/v1/seller/products/{variant.product_id}/image/", {"image": _oversized_png()}, format="multipart"
    )

    assert response.status_code == 400 and response.json()["errors"]["image"] == [TOO_BIG]
    assert not Product.objects.get(id=variant.product_id).image
    assert not list(tmp_path.rglob("*.png"))


def test_an_oversized_import_file_is_refused_before_it_is_read(client, settings):
    world = build_world()
    client.force_login(world["seller_a"])
    before = Product.objects.count()
    content = b"id,title,shop\n" + b",Batik,penjual-a\n" * (MB_ROWS := 70_000)

    response = client.post(
        reverse("admin:marketplace_product_import"),
        {"import_file": SimpleUploadedFile("besar.csv", content), "format": 0, "resource": 0},
    )

    assert len(content) > 1024 * 1024, MB_ROWS
    assert response.status_code == 200 and TOO_BIG in html.unescape(response.content.decode())
    assert Product.objects.count() == before
