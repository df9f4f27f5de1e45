"""Upload limits: refused at the edge by Content-Length (413, body unread), stopped while streaming
by the upload handler, and per field by every door with the same words, writing nothing."""

import html
import io

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse

from config.uploads import SizeLimitUploadHandler, UploadSizeMiddleware, UploadTooLarge
from integration.uploads import Kind
from marketplace.models import Product
from storefront.models import Campaign, Post
from tests.admin_world import build_world
from tests.api.conftest import client_for, png_upload
from tests.storefront.test_admin_community import _campaign
from tests.storefront.test_door_parity import world  # noqa: F401 - the creator's world

MB = 1024 * 1024
TOO_BIG = "This file is larger than the 1 MB limit."


@pytest.fixture(autouse=True)
def _small_limits(settings):
    settings.UPLOAD_MAX_IMAGE_MB = 1
    settings.UPLOAD_MAX_VIDEO_MB = 2
    settings.UPLOAD_MAX_IMPORT_MB = 1


class UnreadableBody(io.RawIOBase):
    def read(self, *args):
        raise AssertionError("the body was read")


def _never_called(request):
    raise AssertionError("the view was reached")


@pytest.mark.parametrize(
    ("path", "content_type"),
    [("/api/v1/creator/posts/", "application/problem+json"), ("/admin/storefront/post/add/", "text/html")],
)
def test_a_body_over_the_largest_limit_is_refused_by_its_length_before_it_is_read(path, content_type):
    request = RequestFactory().post(path, content_type=MULTIPART_CONTENT, CONTENT_LENGTH=str(3 * MB))
    request.META["wsgi.input"] = UnreadableBody()
    request._stream = UnreadableBody()

    response = UploadSizeMiddleware(_never_called)(request)

    assert response.status_code == 413
    assert response["Content-Type"].startswith(content_type)
    assert "The upload is larger than the 2 MB limit." in response.content.decode()


def test_a_small_body_goes_through():
    request = RequestFactory().post("/x/", {"caption": "hai"})

    response = UploadSizeMiddleware(lambda request: HttpResponse("ok"))(request)

    assert response.status_code == 200


class CountingStream(io.BytesIO):
    def __init__(self, data: bytes):
        super().__init__(data)
        self.consumed = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.consumed += len(chunk)
        return chunk


def test_a_streamed_file_over_the_limit_is_stopped_without_reading_it_all():
    body = encode_multipart(BOUNDARY, {"video": SimpleUploadedFile("klip.mp4", b"\x00" * (8 * MB))})
    request = RequestFactory().post(
        "/api/v1/creator/posts/", body, content_type=f"multipart/form-data; boundary={BOUNDARY}"
    )
    stream = CountingStream(body)
    request._stream = stream
    request.upload_handlers = [SizeLimitUploadHandler(request), *request.upload_handlers]

    with pytest.raises(UploadTooLarge):
        request.FILES  # noqa: B018

    assert stream.consumed < 3 * MB  # the 2 MB limit and a chunk or so, of 8 MB sent


# --- Door parity: the same oversized image through each door ---------------------------------


def _oversized_png(name="besar.png") -> SimpleUploadedFile:
    """A real PNG (every door's image check passes it) padded past 1 MB."""
    return SimpleUploadedFile(name, png_upload().read() + b"\x00" * MB, content_type="image/png")


@pytest.mark.django_db(databases=["default", "storefront"])
def test_an_oversized_post_image_is_refused_alike_by_the_api_and_the_admin(client, world):  # noqa: F811
    before = Post.objects.count()

    api = client_for(world["user"]).post(
        "/api/v1/creator/posts/", {"caption": "Besar", "product_ids": [], "image": _oversized_png()}, format="multipart"
    )
    client.force_login(world["user"])
    admin = client.post(
        reverse("admin:storefront_post_add"),
        {
            "caption": "Besar",
            "image": _oversized_png(),
            "status": "published",
            "tags-TOTAL_FORMS": 0,
            "tags-INITIAL_FORMS": 0,
        },
    )

    assert api.status_code == 400 and api.json()["errors"]["image"] == [TOO_BIG]
    assert admin.status_code == 200 and TOO_BIG in html.unescape(admin.content.decode())
    assert Post.objects.count() == before


@pytest.mark.django_db(databases=["default", "storefront"])
def test_a_file_that_only_claims_to_be_an_image_is_refused(world):  # noqa: F811
    fake = SimpleUploadedFile("foto.png", b"GIF89a but not really", content_type="image/png")

    api = client_for(world["user"]).post(
        "/api/v1/creator/posts/", {"caption": "x", "product_ids": [], "image": fake}, format="multipart"
    )

    assert api.status_code == 400 and "image" in api.json()["errors"]


# --- Every door of every uploaded file ---------------------------------------------------------

# Each file field of the models, with its kind of upload and the tests of its doors: the creator
# centre (admin) and the creator API for posts, the seller API and seller centre for products,
# the staff admin for campaigns. Import files are not stored (tests/marketplace/test_upload_doors.py).
FILE_FIELDS = {
    "marketplace.Product.image": Kind.PRODUCT_IMAGE,
    "storefront.Creator.avatar": Kind.AVATAR,
    "storefront.Post.image": Kind.POST_IMAGE,
    "storefront.Post.video": Kind.VIDEO,
    "storefront.Campaign.banner": Kind.BANNER,
}


def test_every_file_field_of_the_models_is_one_whose_doors_are_tested_here():
    found = {
        f"{model._meta.app_label}.{model.__name__}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField)
    }

    assert found == set(FILE_FIELDS), "a new upload field: give it a kind in integration/uploads.py and door tests"


def _page(response) -> str:
    return html.unescape(response.content.decode())


@pytest.mark.django_db(databases=["default", "storefront"])
def test_an_oversized_avatar_is_refused_in_the_creator_centre_and_a_small_one_saved(client, world, tmp_path):  # noqa: F811
    creator = world["creator"]
    client.force_login(world["user"])
    url = reverse("admin:storefront_creator_change", args=[creator.pk])
    profile = {"display_name": creator.display_name, "bio": ""}

    refused = client.post(url, {**profile, "avatar": _oversized_png("wajah.png")})

    assert refused.status_code == 200 and TOO_BIG in _page(refused)
    creator.refresh_from_db()
    assert not creator.avatar
    assert not list(tmp_path.rglob("*.png"))

    saved = client.post(url, {**profile, "avatar": png_upload("wajah.png")})

    assert saved.status_code == 302
    creator.refresh_from_db()
    assert creator.avatar.name.startswith("avatars/")


@pytest.mark.django_db(databases=["default", "storefront"])
def test_an_oversized_campaign_banner_is_refused_in_the_admin(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(get_user_model().objects.create_superuser("staf", password="x"))

    response = client.post(reverse("admin:storefront_campaign_add"), _campaign(banner=_oversized_png("spanduk.png")))

    assert response.status_code == 200 and TOO_BIG in _page(response)
    assert not Campaign.objects.exists()
    assert not list(tmp_path.rglob("*.png"))


@pytest.mark.django_db(databases=["default", "storefront", "marketplace"])
def test_an_oversized_product_image_is_refused_in_the_seller_centre(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    seller = build_world()["seller_a"]
    product = Product.objects.get(shop__owner_user_id=seller.pk)
    client.force_login(seller)

    response = client.post(
        reverse("admin:marketplace_product_change", args=[product.pk]),
        {
            "title": product.title,
            "status": product.status,
            "commission_bp": product.commission_bp,
            "image": _oversized_png("produk.png"),
            "variants-TOTAL_FORMS": 0,
            "variants-INITIAL_FORMS": 0,
        },
    )

    assert response.status_code == 200 and TOO_BIG in _page(response)
    product.refresh_from_db()
    assert not product.image
    assert not list(tmp_path.rglob("*.png"))


@pytest.mark.django_db(databases=["default", "storefront"])
def test_a_video_over_its_own_limit_is_refused_by_the_creator_api(world, settings, tmp_path):  # noqa: F811
    # The video limit below the largest one, so that the request passes the edge and meets the field's check.
    settings.UPLOAD_MAX_IMPORT_MB = 4
    before = Post.objects.count()
    video = SimpleUploadedFile("klip.mp4", b"\x00" * (2 * MB + 1), content_type="video/mp4")

    response = client_for(world["user"]).post(
        "/api/v1/creator/posts/", {"caption": "Klip", "product_ids": [], "video": video}, format="multipart"
    )

    assert response.status_code == 400
    assert response.json()["errors"]["video"] == ["This file is larger than the 2 MB limit."]
    assert Post.objects.count() == before
    assert not list(tmp_path.rglob("*.mp4"))
