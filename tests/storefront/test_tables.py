"""The storefront database holds no order, payment, cart or stock of record."""

import pytest
from django.db import connections

pytestmark = pytest.mark.django_db(databases=["default", "storefront", "marketplace"])

FORBIDDEN = ("order", "payment", "cart", "stock", "invoice", "refund")


def test_the_storefront_database_holds_only_social_and_display_tables():
    connection = connections["storefront"]
    tables = {t for t in connection.introspection.table_names() if not t.startswith("sqlite_")}

    assert tables == {
        "django_migrations",
        "storefront_address",  # the shopper's address book, copied into each checkout command
        "storefront_apiidempotencyrecord",
        "storefront_campaign",
        "storefront_comment",
        "storefront_creator",
        "storefront_emailverification",  # a shopper's confirmed address, needed before the first checkout
        "storefront_follow",
        "storefront_inboxevent",
        "storefront_like",
        "storefront_post",
        "storefront_postproduct",
        "storefront_productcard",
        "storefront_shopcard",  # a shop page's header, fed by the shop events
        "storefront_shopfollow",
        "storefront_showcaseitem",
        "storefront_wishlistitem",
    }
    assert [t for t in tables if any(word in t for word in FORBIDDEN)] == []


def test_no_storefront_column_is_a_stock_level_or_an_order_amount():
    connection = connections["storefront"]
    with connection.cursor() as cursor:
        columns = {
            (table, column.name)
            for table in connection.introspection.table_names(cursor)
            if table.startswith("storefront_")
            for column in connection.introspection.get_table_description(cursor, table)
        }

    suspicious = {(t, c) for t, c in columns if any(word in c for word in FORBIDDEN)}
    # Only the card's display flag and counts of attributed orders (statistics), both fed
    # by marketplace events; no quantity, amount or status of record.
    assert suspicious == {
        ("storefront_productcard", "in_stock"),
        ("storefront_creator", "attributed_orders"),
        ("storefront_campaign", "attributed_orders"),
    }
