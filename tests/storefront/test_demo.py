"""The demo seed: showcases, follows, likes and the Beli Lokal campaign, idempotently."""

import pytest
from django.core.management import call_command

from storefront.models import Campaign, Creator, Follow, Like, Post, ShowcaseItem
from storefront.selectors import campaign_is_live, campaign_landing

pytestmark = pytest.mark.django_db(databases=["default", "storefront", "marketplace"])


def _seed():
    call_command("seed_demo", shops=3, products=12, creators=3, posts=9, verbosity=0)


def test_seeding_twice_creates_the_social_data_once():
    _seed()
    counts = (Creator.objects.count(), Post.objects.count(), ShowcaseItem.objects.count(), Follow.objects.count())
    likes = Like.objects.count()
    _seed()

    assert counts == (3, 9, 18, 7)
    assert (Creator.objects.count(), Post.objects.count(), ShowcaseItem.objects.count(), Follow.objects.count()) == (
        counts
    )
    assert Like.objects.count() == likes == 9
    # Counters agree with the rows they count
    for creator in Creator.objects.all():
        assert creator.follower_count == Follow.objects.filter(creator=creator).count()


def test_beli_lokal_runs_now_and_features_only_local_businesses():
    _seed()

    campaign = Campaign.objects.get(slug="beli-lokal")
    cards = campaign_landing(campaign)

    assert campaign.name == "Beli Lokal" and campaign_is_live(campaign)
    assert cards and all(card.is_local_business for card in cards)
