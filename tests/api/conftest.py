"""Who calls the API in these tests, and a small catalogue for them to call it about."""

import io
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import CreatorFactory, ShopFactory, UserFactory, VariantFactory
from tests.integration.test_purchase_flow import ADDRESS

__all__ = ["ADDRESS", "client_for", "png_upload"]


def png_upload(name: str = "photo.png") -> SimpleUploadedFile:
    """A real, tiny PNG: uploads are checked to be images."""
    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), "red").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture(autouse=True)
def _fresh_throttles():
    # Throttle counters live in the cache; each test starts with none.
    cache.clear()
    yield
    cache.clear()


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


@pytest.fixture
def api():
    return APIClient()


@dataclass
class World:
    shopper: object
    other_shopper: object
    seller: object
    other_seller: object
    creator_user: object
    other_creator_user: object
    staff: object
    shop: object
    other_shop: object
    variant: object
    other_variant: object

    def client(self, role: str) -> APIClient:
        return client_for(None if role == "anonymous" else getattr(self, role))


@pytest.fixture
def world(rebuild_cards):
    seller, other_seller = UserFactory(username="seller"), UserFactory(username="other_seller")
    shop = ShopFactory(owner_user_id=seller.id, name="Toko Ayu", city="Yogyakarta")
    other_shop = ShopFactory(owner_user_id=other_seller.id, name="Toko Budi", city="Bandung", province="Jawa Barat")
    variant = VariantFactory(product__shop=shop, product__title="Batik Tulis Parang", price=125_000, stock_on_hand=5)
    other_variant = VariantFactory(
        product__shop=other_shop, product__title="Kopi Aceh Gayo", price=80_000, stock_on_hand=3
    )
    creator_user, other_creator_user = UserFactory(username="creator"), UserFactory(username="other_creator")
    CreatorFactory(user_id=creator_user.id, handle="ayu")
    CreatorFactory(user_id=other_creator_user.id, handle="budi")
    rebuild_cards()
    return World(
        shopper=UserFactory(username="shopper"),
        other_shopper=UserFactory(username="other_shopper"),
        seller=seller,
        other_seller=other_seller,
        creator_user=creator_user,
        other_creator_user=other_creator_user,
        staff=UserFactory(username="staff", is_staff=True, is_superuser=True),
        shop=shop,
        other_shop=other_shop,
        variant=variant,
        other_variant=other_variant,
    )


@pytest.fixture
def world_free_client():
    """A signed-in caller when no catalogue is needed."""
    return client_for(UserFactory(username="caller"))
