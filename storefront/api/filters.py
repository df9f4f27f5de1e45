from django import forms
from django.db.models import Q
from django.forms.utils import pretty_name
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from django_filters.widgets import BaseCSVWidget
from drf_spectacular.utils import extend_schema_field

from integration.paths import ID_SCHEMA

from .. import rules, selectors
from ..models import ProductCard


class WholeNumberField(forms.IntegerField):
    def to_python(self, value):
        # Absent is "no filter"; present but empty is bad input.
        if value == "":
            raise forms.ValidationError(_("Enter a whole number."), code="invalid")
        return super().to_python(value)


class IdOrAmountFilter(filters.NumberFilter):
    """Ids and rupiah are whole numbers: `0.5` is bad input, not a filter."""

    field_class = WholeNumberField


@extend_schema_field(ID_SCHEMA)
class IdFilter(IdOrAmountFilter):
    """An id: a whole number that fits every database's id column."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **rules.ID_FIELD, **kwargs)


class TrueFalseField(forms.Field):
    def to_python(self, value):
        if value in (None, ""):
            return None
        if str(value).lower() not in ("true", "false"):
            raise forms.ValidationError(_("Use true or false."), code="invalid")
        return str(value).lower() == "true"


class TrueFalseFilter(filters.BooleanFilter):
    """`true` or `false`; anything else is bad input, not "no filter"."""

    field_class = TrueFalseField

    def __init__(self, *args, **kwargs):
        # django-filter's widget turns unknown values into None before the field sees them.
        kwargs.setdefault("widget", forms.TextInput)
        super().__init__(*args, **kwargs)


class RepeatedCSVWidget(BaseCSVWidget, forms.TextInput):
    """`?ordering=-sold&ordering=price` (how generated clients send a list) and
    `?ordering=-sold,price` alike: every value, in the order given."""

    def value_from_datadict(self, data, files, name):
        if not hasattr(data, "getlist"):
            return super().value_from_datadict(data, files, name)
        given = data.getlist(name)
        if not given:
            return None
        return [part for value in given for part in value.split(",")]


class LazyOrderingFilter(filters.OrderingFilter):
    """Its labels are translated when shown (schema, forms), not once at import time. Takes
    several fields, repeated or comma-separated, and orders by all of them in turn."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", RepeatedCSVWidget)
        super().__init__(*args, **kwargs)

    def build_choices(self, fields, labels):
        def descending(label):
            return lazy(lambda: self.descending_fmt % label, str)()

        ascending = [(param, labels.get(field, gettext_lazy(pretty_name(param)))) for field, param in fields.items()]
        return [
            choice
            for param, label in ascending
            for choice in ((param, label), (f"-{param}", labels.get(f"-{param}", descending(label))))
        ]


class ProductCardFilter(filters.FilterSet):
    q = filters.CharFilter(method="search", max_length=100, label=_("Words in the title or the shop's name"))
    category = IdFilter(field_name="category_id")
    min_price = IdOrAmountFilter(field_name="price_min", lookup_expr="gte", min_value=0, label=_("Lowest price"))
    max_price = IdOrAmountFilter(field_name="price_min", lookup_expr="lte", min_value=0, label=_("Highest price"))
    shop = IdFilter(field_name="shop_id")
    location = filters.CharFilter(method="near", max_length=80, label=_("City or province"))
    local = TrueFalseFilter(field_name="is_local_business", label=_("Local small businesses only"))
    in_stock = TrueFalseFilter(field_name="in_stock")
    ordering = LazyOrderingFilter(
        fields=(("price_min", "price"), ("sold_count", "sold"), ("rating", "rating"), ("product_id", "newest")),
    )

    class Meta:
        model = ProductCard
        fields: list[str] = []

    @classmethod
    def ordering_params(cls) -> list[str]:
        return [value for value, _label in cls.base_filters["ordering"].extra["choices"]]

    def search(self, queryset, name, value):
        for word in value.split():
            queryset = queryset.filter(Q(title__icontains=word) | Q(shop_name__icontains=word))
        return queryset

    def near(self, queryset, name, value):
        return queryset.filter(Q(shop_city__icontains=value) | Q(shop_province__icontains=value))


class ShopProductFilter(filters.FilterSet):
    """A shop's products: the shop page's sort orders and category filter."""

    sort = filters.ChoiceFilter(
        method="sorted",
        choices=[(key, key) for key in selectors.SHOP_SORTS],
        label=_("Newest, best-selling, or by price (ascending or descending); newest when not given."),
    )
    category = IdFilter(field_name="category_id")

    class Meta:
        model = ProductCard
        fields: list[str] = []

    def sorted(self, queryset, name, value):
        return queryset.order_by(*selectors.SHOP_SORTS[value])
