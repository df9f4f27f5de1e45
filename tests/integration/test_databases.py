"""Each context's tables live only in its own database, and the router keeps it so."""

import pytest
from django.apps import apps
from django.db import connections

from config.routers import ContextRouter
from tests.factories import PostFactory, ProductFactory

pytestmark = pytest.mark.django_db(databases="__all__")


def _tables(alias: str) -> set[str]:
    return set(connections[alias].introspection.table_names())


def _app_tables(app_label: str) -> set[str]:
    return {model._meta.db_table for model in apps.get_app_config(app_label).get_models()}


def test_each_database_holds_only_its_own_tables():
    storefront, marketplace = _app_tables("storefront"), _app_tables("marketplace")
    identity = _app_tables("auth") | _app_tables("sessions") | _app_tables("admin") | _app_tables("contenttypes")

    assert storefront <= _tables("storefront")
    assert marketplace <= _tables("marketplace")
    assert identity <= _tables("default")

    assert not (_tables("storefront") & (marketplace | identity))
    assert not (_tables("marketplace") & (storefront | identity))
    assert not (_tables("default") & (storefront | marketplace))


def test_storefront_database_holds_no_order_payment_cart_or_stock_of_record():
    words = ("order", "payment", "cart", "stock", "checkout", "voucher")
    offending = [t for t in _tables("storefront") if any(w in t for w in words)]
    assert offending == []


def test_router_refuses_a_relation_across_databases():
    product = ProductFactory()
    post = PostFactory()
    router = ContextRouter()

    assert router.allow_relation(product, post) is False
    assert router.allow_relation(product, product.shop) is True
    assert router.allow_relation(post, post.creator) is True


def test_router_sends_each_app_to_its_alias():
    router = ContextRouter()
    assert router.allow_migrate("storefront", "storefront") is True
    assert router.allow_migrate("marketplace", "storefront") is False
    assert router.allow_migrate("default", "marketplace") is False
    assert router.allow_migrate("default", "auth") is True
    assert router.allow_migrate("storefront", "auth") is False
