"""Social endpoints: follows, likes, comments, the following feed, campaigns and showcases."""

import pytest

from storefront.models import Creator, Follow, Like
from storefront.services import post_create, showcase_item_add
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db(databases=["default", "storefront", "marketplace"])


@pytest.fixture
def post(world):
    creator = Creator.objects.get(handle="ayu")
    return post_create(creator=creator, caption="Batik baru", product_ids=[world.variant.product_id])


def test_follow_and_unfollow_a_creator(world):
    client = world.client("shopper")

    followed = client.post("/api/v1/creators/ayu/follow/")
    again = client.post("/api/v1/creators/ayu/follow/")
    unfollowed = client.delete("/api/v1/creators/ayu/follow/")

    assert followed.json() == {"following": True, "follower_count": 1}
    assert again.json() == {"following": True, "follower_count": 1}
    assert (unfollowed.status_code, unfollowed.content) == (204, b"")
    assert Follow.objects.count() == 0
    assert Creator.objects.get(handle="ayu").follower_count == 0


def test_a_creator_cannot_follow_themselves(world):
    response = world.client("creator_user").post("/api/v1/creators/ayu/follow/")

    assert (response.status_code, response.json()["errors"]) == (400, {"creator": ["You cannot follow yourself."]})


def test_following_an_unknown_creator_is_not_found(world):
    assert world.client("shopper").post("/api/v1/creators/nobody/follow/").status_code == 404


def test_like_and_unlike_a_post(world, post):
    client = world.client("shopper")

    liked = client.post(f"/api/v1/posts/{post.id}/like/")
    unliked = client.delete(f"/api/v1/posts/{post.id}/like/")

    assert liked.json() == {"liked": True, "like_count": 1}
    assert (unliked.status_code, unliked.content) == (204, b"")
    assert Like.objects.count() == 0


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/api/v1/posts/999999/like/", None),
        ("delete", "/api/v1/posts/999999/like/", None),
        ("post", "/api/v1/posts/999999/comments/", {"body": "Bagus"}),
    ],
)
def test_liking_or_commenting_on_a_missing_post_is_not_found(world, method, path, body):
    response = getattr(world.client("shopper"), method)(path, body, format="json")

    assert (response.status_code, response.json()["type"]) == (404, "/api/problems/not_found/")


def test_liking_a_draft_post_is_not_found(world, post):
    post.status = "draft"
    post.save(using="storefront")

    response = world.client("shopper").post(f"/api/v1/posts/{post.id}/like/")

    assert response.status_code == 404
    assert Like.objects.count() == 0


def test_comment_on_a_post_and_read_the_comments(world, post, api):
    created = world.client("shopper").post(f"/api/v1/posts/{post.id}/comments/", {"body": " Cantik! "}, format="json")
    listed = api.get(f"/api/v1/posts/{post.id}/comments/")

    assert created.status_code == 201
    assert [(c["author_name"], c["body"]) for c in listed.json()["results"]] == [("shopper", "Cantik!")]


def test_an_empty_comment_is_refused(world, post):
    response = world.client("shopper").post(f"/api/v1/posts/{post.id}/comments/", {"body": ""}, format="json")

    assert (response.status_code, list(response.json()["errors"])) == (400, ["body"])


def test_the_following_feed_holds_followed_creators_posts_with_a_cursor(world, post):
    client = world.client("shopper")
    other = post_create(creator=Creator.objects.get(handle="ayu"), caption="Kopi", product_ids=[])
    client.post("/api/v1/creators/ayu/follow/")

    first = client.get("/api/v1/feed/following/?limit=1").json()
    second = client.get(first["next"]).json()

    assert [p["id"] for p in first["results"]] == [other.id]
    assert first["previous"] is None
    assert ([p["id"] for p in second["results"]], second["next"]) == ([post.id], None)


def test_the_following_feed_refuses_a_bad_cursor_and_limit(world):
    client = world.client("shopper")

    assert list(client.get("/api/v1/feed/following/?cursor=nonsense").json()["errors"]) == ["cursor"]
    assert list(client.get("/api/v1/feed/following/?limit=0").json()["errors"]) == ["limit"]


def test_campaigns_running_now_and_one_with_its_products(api, world):
    CampaignFactory(slug="beli-lokal", name="Beli Lokal", product_ids=[world.variant.product_id])

    listed = api.get("/api/v1/campaigns/")
    detail = api.get("/api/v1/campaigns/beli-lokal/")

    assert [c["slug"] for c in listed.json()["results"]] == ["beli-lokal"]
    assert detail.json()["name"] == "Beli Lokal"
    assert sorted(p["id"] for p in detail.json()["products"]) == sorted(
        [world.variant.product_id, world.other_variant.product_id]
    )


def test_an_unknown_campaign_is_not_found(api, world):
    assert api.get("/api/v1/campaigns/nope/").status_code == 404


def test_a_creators_showcase_in_their_order(api, world):
    creator = Creator.objects.get(handle="ayu")
    showcase_item_add(creator=creator, product_id=world.other_variant.product_id)
    showcase_item_add(creator=creator, product_id=world.variant.product_id)

    response = api.get("/api/v1/creators/ayu/showcase/")

    assert [p["id"] for p in response.json()["results"]] == [world.other_variant.product_id, world.variant.product_id]
    assert api.get("/api/v1/creators/nobody/showcase/").status_code == 404
