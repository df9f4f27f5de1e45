from django.urls import path

from . import views

urlpatterns = [
    path("shops/", views.ShopList.as_view(), name="seller-shops"),
    path("products/", views.ProductList.as_view(), name="seller-products"),
    path("products/<int:product_id>/", views.ProductDetail.as_view(), name="seller-product"),
    path("orders/", views.OrderList.as_view(), name="seller-orders"),
    path("orders/<int:order_id>/", views.OrderDetail.as_view(), name="seller-order"),
]
