"""GIN indexes for the search page's full-text queries (PostgreSQL only).

Each indexed expression is exactly the one `storefront.selectors._text_search`
builds with `SearchVector(..., config="simple")`, so the planner uses the index
instead of computing every row's tsvector. Built CONCURRENTLY: the tables stay
writable while a live database builds them.
"""

from django.db import migrations

INDEXES = {
    "storefront_card_search": (
        "storefront_productcard",
        "to_tsvector('simple'::regconfig, COALESCE(title, '') || ' ' || COALESCE(category_name, '') "
        "|| ' ' || COALESCE(shop_name, ''))",
    ),
    "storefront_post_caption_search": ("storefront_post", "to_tsvector('simple'::regconfig, COALESCE(caption, ''))"),
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, (table, expression) in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {table} USING gin (({expression}))")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("storefront", "0004_merge_address_and_card_revision")]

    operations = [migrations.RunPython(create, drop)]
