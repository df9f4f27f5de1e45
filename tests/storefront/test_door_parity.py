"""Door parity: the same bad post, tag, showcase or comment, through the pages, the API and the
admin, is refused by the same rule, in the same words, and writes nothing."""

import base64
import html

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from config.roles import CREATORS
from storefront.models import Comment, Post, PostProduct, PostStatus, ShowcaseItem
from tests.api.conftest import client_for, png_upload
from tests.factories import CreatorFactory, PostFactory, ProductCardFactory, UserFactory

pytestmark = pytest.mark.django_db(databases=["default", "storefront"])
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
UNKNOWN = 999_999


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.STOREFRONT_MAX_TAGS_PER_POST = 6
    user = UserFactory(username="kreator", is_staff=True)
    user.groups.add(Group.objects.get(name=CREATORS))
    creator = CreatorFactory(user_id=user.pk, handle="kreator")
    post = PostFactory(creator=creator, caption="Pagi", image_url="/static/img/post-0.svg", status=PostStatus.PUBLISHED)
    cards = [ProductCardFactory().product_id for _ in range(7)]
    return {"user": user, "creator": creator, "post": post, "cards": cards, "reader": UserFactory(username="pembaca")}


def _written():
    tags = list(PostProduct.objects.order_by("id").values_list("post_id", "product_id"))
    counts = tuple(model.objects.count() for model in (Post, PostProduct, ShowcaseItem, Comment))
    return counts, tags, list(Post.objects.order_by("id").values_list("caption", "comment_count"))


def _api(user, method, path, body, fmt="json"):
    response = getattr(client_for(user), method)(f"/api/v1/{path}", body, format=fmt)
    assert response.status_code == 400, response.content
    return " ".join(message for messages in response.json()["errors"].values() for message in messages)


def _admin(client, world, url, data):
    client.force_login(world["user"])
    response = client.post(url, data)
    assert response.status_code == 200, "the form is shown again, not saved"
    return html.unescape(response.content.decode())


def _tag_rows(product_ids):
    data = {"tags-TOTAL_FORMS": len(product_ids), "tags-INITIAL_FORMS": 0}
    for index, product_id in enumerate(product_ids):
        data |= {f"tags-{index}-product_id": product_id, f"tags-{index}-position": index}
    return data


def _refused_alike(door, client, world, bad, expected):
    before = _written()

    shown = door(client, world, bad)

    assert expected in shown
    assert _written() == before


# --- A new post -------------------------------------------------------------------------------

POST_RULES = {
    "caption too long": ({"caption": "k" * 2201}, "A caption has at most 2200 characters."),
    "seven tags": ({"tags": "all"}, "A post tags at most 6 products."),
    "unknown product": ({"tags": [UNKNOWN]}, f"Unknown product(s): {UNKNOWN}."),
}


def _post_tags(world, bad):
    tags = bad.get("tags", [])
    return world["cards"] if tags == "all" else tags


def _post_api(client, world, bad):
    body = {"caption": bad.get("caption", "Baru"), "product_ids": _post_tags(world, bad), "image": png_upload()}
    return _api(world["user"], "post", "creator/posts/", body, fmt="multipart")


def _post_admin(client, world, bad):
    data = {
        "caption": bad.get("caption", "Baru"),
        "image": SimpleUploadedFile("pagi.gif", PIXEL, content_type="image/gif"),
        "status": PostStatus.PUBLISHED,
        **_tag_rows(_post_tags(world, bad)),
    }
    return _admin(client, world, reverse("admin:storefront_post_add"), data)


@pytest.mark.parametrize("door", [_post_api, _post_admin], ids=["api", "admin"])
@pytest.mark.parametrize("rule", POST_RULES)
def test_a_bad_post_is_refused_alike_by_every_door(client, world, door, rule):
    _refused_alike(door, client, world, *POST_RULES[rule])


# --- Tags of an existing post ---------------------------------------------------------------------

TAG_RULES = {key: POST_RULES[key] for key in ("seven tags", "unknown product")}


def _tags_api(client, world, bad):
    body = {"product_ids": _post_tags(world, bad)}
    return _api(world["user"], "put", f"creator/posts/{world['post'].pk}/tags/", body)


def _tags_admin(client, world, bad):
    post = world["post"]
    data = {"caption": post.caption, "status": post.status, **_tag_rows(_post_tags(world, bad))}
    return _admin(client, world, reverse("admin:storefront_post_change", args=[post.pk]), data)


@pytest.mark.parametrize("door", [_tags_api, _tags_admin], ids=["api", "admin"])
@pytest.mark.parametrize("rule", TAG_RULES)
def test_bad_tags_are_refused_alike_by_every_door(client, world, door, rule):
    _refused_alike(door, client, world, *TAG_RULES[rule])


# --- The showcase ---------------------------------------------------------------------------------


def _showcase_api(client, world, bad):
    return _api(world["user"], "post", "creator/showcase/", bad)


def _showcase_admin(client, world, bad):
    return _admin(client, world, reverse("admin:storefront_showcaseitem_add"), bad)


@pytest.mark.parametrize("door", [_showcase_api, _showcase_admin], ids=["api", "admin"])
def test_an_unknown_product_is_kept_out_of_the_showcase_by_every_door(client, world, door):
    _refused_alike(door, client, world, {"product_id": UNKNOWN}, f"Unknown product: {UNKNOWN}.")


# --- Comments -----------------------------------------------------------------------------------

COMMENT_RULES = {
    "empty": ({"body": "   "}, "Write something first."),
    "too long": ({"body": "k" * 501}, "A comment has at most 500 characters."),
}


def _comment_page(client, world, bad):
    client.force_login(world["reader"])
    response = client.post(reverse("storefront:comment_create", args=[world["post"].pk]), bad)
    assert response.status_code == 302  # back to the post, with the message
    return " ".join(str(message) for message in get_messages(response.wsgi_request))


def _comment_api(client, world, bad):
    return _api(world["reader"], "post", f"posts/{world['post'].pk}/comments/", bad)


@pytest.mark.parametrize("door", [_comment_page, _comment_api], ids=["page", "api"])
@pytest.mark.parametrize("rule", COMMENT_RULES)
def test_a_bad_comment_is_refused_alike_by_every_door(client, world, door, rule):
    _refused_alike(door, client, world, *COMMENT_RULES[rule])
