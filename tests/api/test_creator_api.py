"""The creator's own API: posts with uploads, tags, showcase order, statistics."""

import pytest

from storefront.models import Creator, Post, ShowcaseItem
from storefront.services import post_create, showcase_item_add
from tests.api.conftest import png_upload

pytestmark = pytest.mark.django_db(databases=["default", "storefront", "marketplace"])


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_a_creator_posts_an_image_tagging_products(world):
    client = world.client("creator_user")
    body = {"caption": "Batik Parang", "product_ids": [world.variant.product_id], "image": png_upload()}

    response = client.post("/api/v1/creator/posts/", body, format="multipart")

    assert response.status_code == 201
    created = response.json()
    assert (created["caption"], created["status"], created["product_ids"]) == (
        "Batik Parang",
        "published",
        [world.variant.product_id],
    )
    assert Post.objects.get(id=created["id"]).image.name.startswith("posts/")
    listed = client.get("/api/v1/creator/posts/").json()["results"]
    assert [p["id"] for p in listed] == [created["id"]]


def test_a_post_tagging_an_unknown_product_is_refused_and_nothing_is_written(world):
    response = world.client("creator_user").post(
        "/api/v1/creator/posts/", {"caption": "x", "product_ids": [999_999]}, format="multipart"
    )

    assert (response.status_code, list(response.json()["errors"])) == (400, ["product_ids"])
    assert Post.objects.count() == 0


def test_a_file_that_is_not_an_image_is_refused(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("photo.png", b"not an image", content_type="image/png")
    response = world.client("creator_user").post(
        "/api/v1/creator/posts/", {"caption": "x", "product_ids": [], "image": fake}, format="multipart"
    )

    assert (response.status_code, list(response.json()["errors"])) == (400, ["image"])


def test_a_creator_replaces_a_posts_tags(world):
    post = post_create(creator=Creator.objects.get(handle="ayu"), caption="x", product_ids=[world.variant.product_id])
    ids = [world.other_variant.product_id, world.variant.product_id]

    response = world.client("creator_user").put(
        f"/api/v1/creator/posts/{post.id}/tags/", {"product_ids": ids}, format="json"
    )

    assert (response.status_code, response.json()["product_ids"]) == (200, ids)


def test_tagging_unknown_products_is_refused(world):
    post = post_create(creator=Creator.objects.get(handle="ayu"), caption="x", product_ids=[world.variant.product_id])

    response = world.client("creator_user").put(
        f"/api/v1/creator/posts/{post.id}/tags/", {"product_ids": [999_999]}, format="json"
    )

    assert (response.status_code, list(response.json()["errors"])) == (400, ["product_ids"])
    assert [t.product_id for t in post.tags.all()] == [world.variant.product_id]


def test_a_creator_adds_reorders_and_removes_showcase_products(world):
    client = world.client("creator_user")
    first, second = world.variant.product_id, world.other_variant.product_id

    client.post("/api/v1/creator/showcase/", {"product_id": first}, format="json")
    added = client.post("/api/v1/creator/showcase/", {"product_id": second}, format="json")
    reordered = client.put("/api/v1/creator/showcase/", {"product_ids": [second, first]}, format="json")
    removed = client.delete(f"/api/v1/creator/showcase/{second}/")

    assert (added.status_code, [p["id"] for p in added.json()]) == (201, [first, second])
    assert [p["id"] for p in reordered.json()] == [second, first]
    assert removed.status_code == 204
    assert [p["id"] for p in client.get("/api/v1/creator/showcase/").json()] == [first]


def test_a_reorder_that_does_not_name_every_item_once_is_refused(world):
    creator = Creator.objects.get(handle="ayu")
    showcase_item_add(creator=creator, product_id=world.variant.product_id)
    showcase_item_add(creator=creator, product_id=world.other_variant.product_id)

    response = world.client("creator_user").put(
        "/api/v1/creator/showcase/", {"product_ids": [world.variant.product_id]}, format="json"
    )

    assert (response.status_code, list(response.json()["errors"])) == (400, ["product_ids"])
    assert list(ShowcaseItem.objects.order_by("position").values_list("product_id", flat=True)) == [
        world.variant.product_id,
        world.other_variant.product_id,
    ]


def test_a_creator_reads_their_statistics(world):
    Creator.objects.filter(handle="ayu").update(attributed_orders=2, attributed_sales=250_000, commission_earned=12_500)
    post_create(creator=Creator.objects.get(handle="ayu"), caption="x", product_ids=[])

    response = world.client("creator_user").get("/api/v1/creator/stats/")

    assert {k: v for k, v in response.json().items() if k != "id"} == {
        "handle": "ayu",
        "follower_count": 0,
        "post_count": 1,
        "attributed_orders": 2,
        "attributed_sales": 250_000,
        "commission_earned": 12_500,
    }


def test_someone_who_is_not_a_creator_is_refused(world):
    assert world.client("shopper").get("/api/v1/creator/stats/").status_code == 403
