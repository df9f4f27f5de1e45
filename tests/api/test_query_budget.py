"""Query budget of the product list: at most 4 queries on all databases together, whatever the page size."""

from contextlib import ExitStack

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from tests.api.conftest import client_for
from tests.factories import ProductCardFactory, UserFactory

ALIASES = ["default", "storefront", "marketplace"]


@pytest.mark.django_db(databases=ALIASES)
@pytest.mark.parametrize("page_size", [2, 25])
def test_the_product_list_stays_within_four_queries(page_size):
    # Given 30 products and a signed-in caller (the token costs a query too)
    ProductCardFactory.create_batch(30)
    client = client_for(UserFactory())

    # When a page is asked for
    with ExitStack() as stack:
        captured = [stack.enter_context(CaptureQueriesContext(connections[alias])) for alias in ALIASES]
        response = client.get(f"/api/v1/products/?page_size={page_size}")

    # Then it holds the page, in at most 4 queries
    assert (response.status_code, len(response.json()["results"]), response.json()["count"]) == (200, page_size, 30)
    assert sum(len(c.captured_queries) for c in captured) <= 4
