"""The creator centre: own posts with an uploaded image or video, tagged through the product search."""

import base64

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from storefront.models import Creator, Post, PostStatus
from tests.admin_world import build_world
from tests.factories import ProductCardFactory

pytestmark = pytest.mark.django_db(databases=["default", "storefront", "marketplace"])  # the world has shops too

# The smallest valid GIF: one transparent pixel.
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return build_world()


def _tags(rows):
    data = {"tags-TOTAL_FORMS": len(rows), "tags-INITIAL_FORMS": 0}
    for i, product_id in enumerate(rows):
        data.update({f"tags-{i}-product_id": product_id, f"tags-{i}-position": i})
    return data


def test_a_creator_uploads_a_post_and_tags_a_product(client, world):
    # Given creator A and a product in the storefront's read model
    creator = Creator.objects.get(user_id=world["creator_a"].pk)
    card = ProductCardFactory(title="Kopi Gayo Wine")
    client.force_login(world["creator_a"])

    # When A finds it through the search and posts a photo tagging it
    found = client.get(reverse("admin:storefront_post_product_search"), {"term": "gayo wine"})
    assert found.json()["results"] == [{"id": str(card.product_id), "text": "Kopi Gayo Wine — Toko Lokal"}]
    response = client.post(
        reverse("admin:storefront_post_add"),
        {
            "caption": "Seduh pagi #belilokal",
            "image": SimpleUploadedFile("pagi.gif", PIXEL, content_type="image/gif"),
            "status": PostStatus.PUBLISHED,
            **_tags([card.product_id]),
        },
    )

    # Then the post is A's, published now, with the tag
    assert response.status_code == 302
    post = Post.objects.get(caption="Seduh pagi #belilokal")
    assert post.creator == creator
    assert post.published_at is not None
    assert post.image.name.startswith("posts/pagi")
    assert list(post.tags.values_list("product_id", flat=True)) == [card.product_id]


def test_a_post_needs_an_image_or_a_video(client, world):
    client.force_login(world["creator_a"])

    response = client.post(
        reverse("admin:storefront_post_add"), {"caption": "Tanpa foto", "status": PostStatus.DRAFT, **_tags([])}
    )

    assert response.status_code == 200
    assert "Upload an image or a video." in response.content.decode()
    assert not Post.objects.filter(caption="Tanpa foto").exists()


def test_a_tag_must_name_a_visible_product(client, world):
    hidden = ProductCardFactory(is_visible=False)
    client.force_login(world["creator_a"])

    response = client.post(
        reverse("admin:storefront_post_add"),
        {
            "caption": "Produk hilang",
            "video": SimpleUploadedFile("klip.mp4", b"\x00\x00\x00\x18ftypmp42", content_type="video/mp4"),
            "status": PostStatus.DRAFT,
            **_tags([hidden.product_id]),
        },
    )

    assert response.status_code == 200
    assert "Choose a product from the list." in response.content.decode()
    assert not Post.objects.filter(caption="Produk hilang").exists()


def test_the_product_search_is_for_creators_and_lists_visible_cards_only(client, world):
    ProductCardFactory(title="Madu Hutan Sumbawa")
    ProductCardFactory(title="Madu Hutan Lama", is_visible=False)

    client.force_login(world["seller_a"])
    assert client.get(reverse("admin:storefront_post_product_search"), {"term": "madu"}).status_code == 403

    client.force_login(world["creator_a"])
    results = client.get(reverse("admin:storefront_post_product_search"), {"term": "madu"}).json()["results"]
    assert [item["text"] for item in results] == ["Madu Hutan Sumbawa — Toko Lokal"]
