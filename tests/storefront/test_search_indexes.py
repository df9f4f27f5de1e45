"""The search page's full-text queries are served by their GIN indexes on PostgreSQL."""

import pytest
from django.db import connections

from storefront import selectors
from storefront.models import Post, ProductCard
from tests.conftest import on_postgres
from tests.postgres import postgres_unavailable

pytestmark = pytest.mark.django_db(databases=["storefront"])


@pytest.mark.parametrize(
    ("queryset", "fields", "index"),
    [
        (
            lambda: ProductCard.objects.using("storefront"),
            ["title", "category_name", "shop_name"],
            "storefront_card_search",
        ),
        (lambda: Post.objects.using("storefront"), ["caption"], "storefront_post_caption_search"),
    ],
)
def test_a_text_search_is_planned_on_its_gin_index(queryset, fields, index):
    if not on_postgres():
        postgres_unavailable("GIN indexes and full-text search are PostgreSQL's (the CI's PostgreSQL run)")
    # Given a planner that would rather not scan whole tables (they are tiny in a test)
    with connections["storefront"].cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")

    # When the search's query is planned
    plan = selectors._text_search(queryset(), fields, "kopi gayo").explain()

    # Then it reads the index built for exactly that expression
    assert index in plan
