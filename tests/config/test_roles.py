"""The Sellers and Creators groups: created on migrate, kept exact, given to the demo accounts."""

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command

from config.roles import CREATORS, ROLE_PERMISSIONS, SELLERS, roles_sync

pytestmark = pytest.mark.django_db(databases=["default", "storefront", "marketplace"])


def _permissions(name):
    group = Group.objects.get(name=name)
    return sorted(f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type"))


def test_migrate_creates_both_roles_with_exactly_their_permissions():
    assert _permissions(SELLERS) == sorted(ROLE_PERMISSIONS[SELLERS])
    assert _permissions(CREATORS) == sorted(ROLE_PERMISSIONS[CREATORS])
    assert "marketplace.delete_order" not in _permissions(SELLERS)


def test_syncing_again_restores_the_roles_and_adds_nothing():
    Group.objects.get(name=SELLERS).permissions.clear()

    roles_sync(apps, using="default")
    roles_sync(apps, using="default")

    assert Group.objects.filter(name__in=[SELLERS, CREATORS]).count() == 2
    assert _permissions(SELLERS) == sorted(ROLE_PERMISSIONS[SELLERS])


def test_syncing_with_the_live_registry_leaves_its_models_modules_in_place():
    # Without its models module an app gets no tables from `migrate --run-syncdb`
    # and no post_migrate handling: a second test run in the same process broke.
    roles_sync(apps, using="default")

    assert apps.get_app_config("marketplace").models_module.__name__ == "marketplace.models"
    assert apps.get_app_config("auth").models_module.__name__ == "django.contrib.auth.models"


def test_the_demo_seller_and_creator_hold_their_roles(settings):

    call_command("seed_demo", shops=2, products=2, creators=2, posts=1, verbosity=0, force=True)

    users = {u.username: u for u in get_user_model().objects.filter(username__in=["seller", "creator", "admin"])}
    assert list(users["seller"].groups.values_list("name", flat=True)) == [SELLERS]
    assert list(users["creator"].groups.values_list("name", flat=True)) == [CREATORS]
    assert users["seller"].has_perm("marketplace.add_product") and not users["seller"].has_perm("storefront.add_post")
    assert users["admin"].is_superuser
