"""The benchmark's instruments: the query-count header and the two reference views."""

import pytest
from django.contrib.auth import get_user_model
from django.http import Http404, HttpResponse
from django.test import RequestFactory

from config.bench import QueryCountMiddleware, reference_read, reference_template
from storefront.models import Post, ProductCard
from tests.factories import VariantFactory


@pytest.mark.django_db(databases=["default", "storefront"])
def test_the_header_counts_the_queries_of_every_database():
    def view(request):
        get_user_model().objects.count()
        Post.objects.count()
        ProductCard.objects.count()
        return HttpResponse("ok")

    response = QueryCountMiddleware(view)(RequestFactory().get("/"))

    assert response["X-Queries"] == "3"


def test_the_template_reference_renders_without_a_query():
    response = reference_template(RequestFactory().get("/bench/template/"))

    assert response.status_code == 200
    assert b"<h1>Jalin</h1>" in response.content


@pytest.mark.django_db(databases=["storefront", "marketplace"])
def test_the_read_reference_shows_one_card_and_refuses_an_unknown_one(rebuild_cards):
    variant = VariantFactory(product__title="Madu Hutan")
    rebuild_cards()

    response = reference_read(RequestFactory().get("/"), product_id=variant.product_id)

    assert b"<h1>Madu Hutan</h1>" in response.content
    with pytest.raises(Http404):
        reference_read(RequestFactory().get("/"), product_id=variant.product_id + 1)
