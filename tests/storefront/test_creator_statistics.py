"""A creator's statistics come from events only: no form or API call changes them."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from config.roles import CREATORS
from storefront.models import Creator
from tests.factories import CreatorFactory, UserFactory

pytestmark = pytest.mark.django_db(databases=["default", "storefront"])
STATISTICS = {"attributed_orders": 3, "attributed_sales": 450_000, "commission_earned": 22_500}


@pytest.fixture
def creator(settings):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=CREATORS))
    return CreatorFactory(user_id=user.pk, handle="ayu", display_name="Ayu", follower_count=7, **STATISTICS), user


@pytest.mark.parametrize("superuser", [False, True])
def test_nobody_types_statistics_into_the_creator_form(client, creator, superuser):
    profile, user = creator
    actor = UserFactory(is_staff=True, is_superuser=True) if superuser else user
    client.force_login(actor)
    form = {"user_id": profile.user_id, "handle": "ayu", "display_name": "Ayu Baru", "bio": ""}

    response = client.post(
        reverse("admin:storefront_creator_change", args=[profile.pk]),
        {
            **form,
            "follower_count": 9999,
            "attributed_orders": 999,
            "attributed_sales": 99_999_999,
            "commission_earned": 9_999_999,
        },
    )

    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.display_name == "Ayu Baru"
    assert (profile.follower_count, profile.attributed_orders, profile.attributed_sales, profile.commission_earned) == (
        7,
        3,
        450_000,
        22_500,
    )


def test_the_statistics_api_only_reads(creator):
    profile, user = creator
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")

    read = api.get("/api/v1/creator/stats/")
    writes = [
        getattr(api, method)("/api/v1/creator/stats/", {"attributed_sales": 1}, format="json").status_code
        for method in ("put", "patch", "post")
    ]

    assert read.json()["attributed_sales"] == 450_000
    assert writes == [405, 405, 405]
    assert Creator.objects.get(pk=profile.pk).attributed_sales == 450_000
