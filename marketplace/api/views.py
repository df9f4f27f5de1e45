"""The seller's REST API: a seller sees only the shops they own and what belongs to them."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from rest_framework import generics, permissions

from .. import selectors
from ..models import OrderStatus, ProductStatus
from . import serializers as s


class IsSeller(permissions.BasePermission):
    message = _("Only the owner of a shop may use the seller API.")

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and selectors.owner_has_shop(request.user.id))


class ShopFilter(filters.NumberFilter):
    field_class = forms.IntegerField


class SellerProductFilter(filters.FilterSet):
    shop = ShopFilter(field_name="shop_id", min_value=1)
    status = filters.ChoiceFilter(choices=ProductStatus.choices)


class SellerOrderFilter(filters.FilterSet):
    shop = ShopFilter(field_name="shop_id", min_value=1)
    status = filters.ChoiceFilter(choices=OrderStatus.choices)


class SellerView:
    permission_classes = [permissions.IsAuthenticated, IsSeller]


class ShopList(SellerView, generics.ListAPIView):
    serializer_class = s.ShopSerializer

    def get_queryset(self):
        return selectors.shops_for_owner(self.request.user.id)


class ProductList(SellerView, generics.ListAPIView):
    """The products of the seller's shops, any status, with each variant's stock."""

    serializer_class = s.SellerProductSerializer
    filterset_class = SellerProductFilter

    def get_queryset(self):
        return selectors.products_of_owner(self.request.user.id)


class ProductDetail(SellerView, generics.RetrieveAPIView):
    serializer_class = s.SellerProductSerializer
    lookup_url_kwarg = "product_id"

    def get_queryset(self):
        return selectors.products_of_owner(self.request.user.id)


class OrderList(SellerView, generics.ListAPIView):
    serializer_class = s.SellerOrderSerializer
    filterset_class = SellerOrderFilter

    def get_queryset(self):
        return selectors.orders_for_seller(self.request.user.id)


class OrderDetail(SellerView, generics.RetrieveAPIView):
    serializer_class = s.SellerOrderSerializer
    lookup_url_kwarg = "order_id"

    def get_queryset(self):
        return selectors.orders_for_seller(self.request.user.id)
