"""The creator centre's comments and showcase, and the platform's campaigns, through the storefront services."""

import base64

import pytest
from django.contrib.admin import helpers
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from storefront.models import Campaign, Comment, Creator, Post, ShowcaseItem
from tests.admin_world import build_world
from tests.factories import CommentFactory, ProductCardFactory

pytestmark = pytest.mark.django_db(databases=["default", "storefront", "marketplace"])  # the world has shops too
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return build_world()


def test_a_creator_hides_a_comment_on_their_post_and_the_count_follows(client, world):
    # Given creator A's post with the world's comment and one more
    post = Post.objects.get(creator__user_id=world["creator_a"].pk)
    extra = CommentFactory(post=post, body="Spam spam")
    Post.objects.filter(pk=post.pk).update(comment_count=2)
    client.force_login(world["creator_a"])

    # When A hides the extra one from the comment list
    response = client.post(
        reverse("admin:storefront_comment_changelist"),
        {"action": "hide", helpers.ACTION_CHECKBOX_NAME: [extra.pk], "index": 0},
    )

    # Then it is hidden and the post counts one visible comment
    assert response.status_code == 302
    assert list(Comment.objects.filter(post=post).order_by("id").values_list("is_hidden", flat=True)) == [False, True]
    assert Post.objects.get(pk=post.pk).comment_count == 1


def test_a_creator_adds_to_and_reorders_their_showcase(client, world):
    # Given creator A's showcase of one product (from the world), and two more visible products
    creator = Creator.objects.get(user_id=world["creator_a"].pk)
    first = ShowcaseItem.objects.get(creator=creator).product_id
    second, third = ProductCardFactory().product_id, ProductCardFactory().product_id
    client.force_login(world["creator_a"])

    # When A adds two products, then moves the last one to the top
    for product_id in (second, third):
        added = client.post(reverse("admin:storefront_showcaseitem_add"), {"product_id": product_id})
        assert added.status_code == 302
    last = ShowcaseItem.objects.get(creator=creator, product_id=third)
    moved = client.post(reverse("admin:storefront_showcaseitem_change", args=[last.pk]), {"position": 0})

    # Then the showcase reads third, first, second, numbered from 0
    assert moved.status_code == 302
    order = ShowcaseItem.objects.filter(creator=creator).order_by("position").values_list("product_id", "position")
    assert list(order) == [(third, 0), (first, 1), (second, 2)]


def test_a_showcase_takes_only_visible_products(client, world):
    client.force_login(world["creator_a"])
    hidden = ProductCardFactory(is_visible=False)

    response = client.post(reverse("admin:storefront_showcaseitem_add"), {"product_id": hidden.product_id})

    assert response.status_code == 200
    assert [e.code for e in response.context["adminform"].form.errors.as_data()["product_id"]] == ["unknown_product"]
    assert not ShowcaseItem.objects.filter(product_id=hidden.product_id).exists()


def _campaign(**changes):
    return {
        "slug": "harbolnas",
        "name": "Harbolnas 12.12",
        "headline": "Belanja lokal",
        "starts_at_0": "2026-12-12",
        "starts_at_1": "00:00:00",
        "ends_at_0": "2026-12-12",
        "ends_at_1": "23:59:00",
        "local_business_only": "on",
        "product_ids": "",
        **changes,
    }


def test_platform_staff_schedule_a_campaign_in_jakarta_time_with_a_banner(client, world):
    staff = get_user_model().objects.create_superuser("staf", password="x")
    card = ProductCardFactory()
    client.force_login(staff)

    response = client.post(
        reverse("admin:storefront_campaign_add"),
        _campaign(product_ids=f"{card.product_id}", banner=SimpleUploadedFile("b.gif", PIXEL, "image/gif")),
    )

    assert response.status_code == 302
    campaign = Campaign.objects.get(slug="harbolnas")
    assert campaign.starts_at.isoformat() == "2026-12-11T17:00:00+00:00"  # midnight WIB
    assert (campaign.product_ids, campaign.local_business_only) == ([card.product_id], True)
    assert campaign.banner.name.startswith("campaigns/")


def test_a_campaign_the_service_refuses_is_the_form_again(client, world):
    staff = get_user_model().objects.create_superuser("staf", password="x")
    client.force_login(staff)

    response = client.post(reverse("admin:storefront_campaign_add"), _campaign(local_business_only="", slug="x"))

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [
        "Choose at least one rule: local businesses, categories or products."
    ]
    assert not Campaign.objects.filter(slug="x").exists()


def test_sellers_and_creators_cannot_open_campaigns(client, world):
    for actor in ("seller_a", "creator_a"):
        client.force_login(world[actor])
        assert client.get(reverse("admin:storefront_campaign_add")).status_code == 403


def test_a_creator_hides_their_post_and_it_keeps_its_first_publication_time(client, world):
    # Given creator A's published post
    post = Post.objects.get(creator__user_id=world["creator_a"].pk)
    published_at = post.published_at
    client.force_login(world["creator_a"])

    # When A sets it to hidden in its form
    response = client.post(
        reverse("admin:storefront_post_change", args=[post.pk]),
        {
            "caption": post.caption,
            "status": "hidden",
            "tags-TOTAL_FORMS": 0,
            "tags-INITIAL_FORMS": 0,
        },
    )

    # Then the status service hid it, and it keeps the time it was first published
    assert response.status_code == 302
    post.refresh_from_db()
    assert (post.status, post.published_at) == ("hidden", published_at)


def test_a_creator_reorders_the_showcase_from_its_list(client, world):
    # Given creator A's showcase of the world's product and one more, in that order
    creator = Creator.objects.get(user_id=world["creator_a"].pk)
    first = ShowcaseItem.objects.get(creator=creator)
    second = ShowcaseItem.objects.create(creator=creator, product_id=ProductCardFactory().product_id, position=1)
    client.force_login(world["creator_a"])

    # When A types position 0 for the second one in the list and saves
    response = client.post(
        reverse("admin:storefront_showcaseitem_changelist"),
        {
            "form-TOTAL_FORMS": 2,
            "form-INITIAL_FORMS": 2,
            "form-0-id": second.pk,
            "form-0-position": 0,
            "form-1-id": first.pk,
            "form-1-position": first.position,
            "_save": "Save",
        },
    )

    # Then the showcase service moved it to the top
    assert response.status_code == 302
    order = ShowcaseItem.objects.filter(creator=creator).order_by("position").values_list("id", "position")
    assert list(order) == [(second.pk, 0), (first.pk, 1)]
