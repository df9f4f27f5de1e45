"""Post, creator and campaign pages, and the plain POST forms for likes, comments and follows."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from storefront.models import Comment, Follow, Like, PostProduct
from storefront.selectors import campaign_products
from storefront.services import comment_create
from tests.factories import (
    CampaignFactory,
    CreatorFactory,
    PostFactory,
    ProductCardFactory,
    ShowcaseItemFactory,
    UserFactory,
)
from tests.queries import count_queries

pytestmark = pytest.mark.django_db(databases=["default", "storefront", "marketplace"])


def test_liking_commenting_and_following_are_plain_forms(client):
    # Given a signed-in shopper and a post
    user = UserFactory(username="ayu")
    post = PostFactory()
    client.force_login(user)
    page = reverse("storefront:post_detail", args=[post.id])

    # When they like it, comment on it and follow its creator
    liked = client.post(reverse("storefront:post_like", args=[post.id]), {"action": "like", "next": page})
    commented = client.post(reverse("storefront:comment_create", args=[post.id]), {"body": "Mantap!", "next": page})
    followed = client.post(reverse("storefront:creator_follow", args=[post.creator.handle]), {"action": "follow"})

    # Then each redirects back and is recorded once
    assert (liked.status_code, liked.url) == (302, page)
    assert (commented.status_code, commented.url) == (302, page)
    assert followed.url == reverse("storefront:creator_detail", args=[post.creator.handle])
    assert list(Like.objects.values_list("user_id", "post_id")) == [(user.id, post.id)]
    assert list(Comment.objects.values_list("author_name", "body")) == [("ayu", "Mantap!")]
    assert list(Follow.objects.values_list("user_id", "creator_id")) == [(user.id, post.creator_id)]
    body = client.get(page).content.decode()
    assert "Mantap!" in body and 'value="unlike"' in body


def test_a_bad_comment_is_a_message_and_writes_nothing(client):
    post = PostFactory()
    client.force_login(UserFactory())

    response = client.post(reverse("storefront:comment_create", args=[post.id]), {"body": "x" * 501}, follow=True)

    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert Comment.objects.count() == 0


def test_an_offsite_next_is_ignored(client):
    post = PostFactory()
    client.force_login(UserFactory())

    response = client.post(reverse("storefront:post_like", args=[post.id]), {"next": "https://evil.example/"})

    assert response.url == reverse("storefront:post_detail", args=[post.id])


def test_adding_to_the_cart_never_redirects_off_site(client):
    client.force_login(UserFactory())

    response = client.post(
        reverse("storefront:cart_add"), {"variant_id": "x", "quantity": 1, "next": "https://evil.example/phish"}
    )

    assert response.status_code == 302
    assert not response.url.startswith("https://evil.example")


@pytest.mark.parametrize("ref", ["²", "٣", "-1"])
def test_an_odd_origin_on_a_product_link_is_ignored(client, ref):
    card = ProductCardFactory()

    response = client.get(reverse("storefront:product_detail", args=[card.product_id]), {"post": ref})

    assert response.status_code != 500
    assert "attribution" not in client.session


def test_only_the_creator_sees_hide_buttons_and_others_cannot_hide(client):
    post = PostFactory()
    comment = comment_create(post_id=post.id, user_id=1, author_name="budi", body="Spam")
    stranger = UserFactory()
    client.force_login(stranger)

    assert "Hide" not in client.get(reverse("storefront:post_detail", args=[post.id])).content.decode()
    response = client.post(reverse("storefront:comment_hide", args=[comment.id]), follow=True)

    assert "Only the post&#x27;s creator or a moderator may hide a comment." in response.content.decode()
    assert Comment.objects.get().is_hidden is False


def test_anonymous_visitors_are_asked_to_sign_in_before_writing(client):
    post = PostFactory()

    response = client.post(reverse("storefront:post_like", args=[post.id]))

    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert Like.objects.count() == 0


@pytest.mark.parametrize("size", [5, 50])
def test_the_creator_page_shows_showcase_and_posts_in_constant_queries(client, size):
    creator = CreatorFactory()
    for _ in range(size):
        card = ProductCardFactory()
        ShowcaseItemFactory(creator=creator, product_id=card.product_id)
        PostProduct.objects.create(post=PostFactory(creator=creator), product_id=card.product_id)

    with count_queries() as queries:
        response = client.get(reverse("storefront:creator_detail", args=[creator.handle]))

    assert response.status_code == 200
    assert len(response.context["page"].showcase) == size
    assert f"?showcase={creator.id}" in response.content.decode()
    # creator, posts, tags, tag cards, showcase items, showcase cards
    assert len(queries) == 6


def test_a_creator_sees_their_own_statistics_and_no_follow_button(client):
    creator = CreatorFactory(attributed_orders=3, attributed_sales=1_250_000, commission_earned=62_500)
    owner = UserFactory(id=creator.user_id)
    client.force_login(owner)

    body = client.get(reverse("storefront:creator_detail", args=[creator.handle])).content.decode()

    assert "Rp 1.250.000" in body and "Rp 62.500" in body
    assert 'value="follow"' not in body
    client.force_login(UserFactory())
    other = client.get(reverse("storefront:creator_detail", args=[creator.handle])).content.decode()
    assert "Rp 1.250.000" not in other and 'value="follow"' in other


def test_campaign_rules_select_the_explicit_list_plus_matching_cards():
    local_kopi = ProductCardFactory(is_local_business=True, category_id=1)
    ProductCardFactory(is_local_business=True, category_id=2)
    chain_kopi = ProductCardFactory(is_local_business=False, category_id=1)
    picked = ProductCardFactory(is_local_business=False, category_id=9)

    campaign = CampaignFactory(local_business_only=True, category_ids=[1], product_ids=[picked.product_id])

    assert sorted(campaign_products(campaign).values_list("product_id", flat=True)) == [
        local_kopi.product_id,
        picked.product_id,
    ]
    only_category = CampaignFactory(local_business_only=False, category_ids=[1])
    assert sorted(campaign_products(only_category).values_list("product_id", flat=True)) == [
        local_kopi.product_id,
        chain_kopi.product_id,
    ]


@pytest.mark.parametrize("size", [5, 45])
def test_a_live_campaign_lists_its_products_in_constant_queries(client, size):
    campaign = CampaignFactory(local_business_only=True)
    for _ in range(size):
        ProductCardFactory(is_local_business=True)
    ProductCardFactory(is_local_business=False)

    with count_queries() as queries:
        response = client.get(reverse("storefront:campaign_detail", args=[campaign.slug]))

    assert response.status_code == 200
    assert len(response.context["cards"]) == size
    assert len(queries) == 2


def test_a_campaign_shows_its_schedule_before_and_after_it_runs(client):
    now = timezone.now()
    ProductCardFactory(is_local_business=True)
    upcoming = CampaignFactory(starts_at=now + timedelta(days=1), ends_at=now + timedelta(days=2))
    ended = CampaignFactory(starts_at=now - timedelta(days=2), ends_at=now - timedelta(days=1))

    before = client.get(reverse("storefront:campaign_detail", args=[upcoming.slug]))
    after = client.get(reverse("storefront:campaign_detail", args=[ended.slug]))

    assert (before.context["cards"], after.context["cards"]) == ([], [])
    assert "This campaign has not started yet." in before.content.decode()
    assert "This campaign has ended." in after.content.decode()


def test_unknown_creators_campaigns_and_posts_are_404(client):
    assert client.get(reverse("storefront:creator_detail", args=["nobody"])).status_code == 404
    assert client.get(reverse("storefront:campaign_detail", args=["nothing"])).status_code == 404
    assert client.get(reverse("storefront:post_detail", args=[404])).status_code == 404
