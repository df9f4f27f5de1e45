"""Benchmark instruments, active only with the BENCH setting (never in production).

`QueryCountMiddleware` reports how many SQL queries a request ran, across every
database, in the `X-Queries` response header. The two reference views give the
ceiling a page is measured against: Django rendering a small template, and the
same with one indexed read.
"""

from contextlib import ExitStack

from django.db import connections
from django.http import Http404
from django.shortcuts import render
from django.urls import path

from storefront.models import ProductCard


class QueryCountMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with ExitStack() as stack:
            for connection in connections.all():
                stack.enter_context(connection.execute_wrapper(counter))
            response = self.get_response(request)
        response["X-Queries"] = str(count)
        return response


def reference_template(request):
    return render(request, "bench/reference.html", {"title": "Jalin"})


def reference_read(request, product_id: int):
    title = (
        ProductCard.objects.using("storefront").filter(product_id=product_id).values_list("title", flat=True).first()
    )
    if title is None:
        raise Http404
    return render(request, "bench/reference.html", {"title": title})


urlpatterns = [
    path("template/", reference_template),
    path("read/<int:product_id>/", reference_read),
]
