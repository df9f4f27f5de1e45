"""API pagination, apart from `config.api` because DRF imports it while loading its generic views."""

from django.utils.translation import gettext as _
from rest_framework import exceptions, pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """DRF's page numbers, but a page that is not a positive whole number is bad input, not page one.
    `page_size` asks for up to 100 rows a page."""

    page_size_query_param = "page_size"
    max_page_size = 100

    def paginate_queryset(self, queryset, request, view=None):
        given = request.query_params.getlist(self.page_query_param)
        if given and (len(given) > 1 or not given[0].isdigit() or int(given[0]) < 1):
            raise exceptions.ValidationError({self.page_query_param: [_("A page is a whole number from 1.")]})
        size = request.query_params.getlist(self.page_size_query_param)
        if size and (len(size) > 1 or not size[0].isdigit() or not 1 <= int(size[0]) <= self.max_page_size):
            raise exceptions.ValidationError(
                {self.page_size_query_param: [_("A page size is a whole number from 1 to 100.")]}
            )
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
            elif parameter["name"] == self.page_query_param:
                parameter["schema"].update(minimum=1)
        return parameters
