from django.urls import path

from . import views

urlpatterns = [
    path("shops/", views.ShopList.as_view(), name="seller-shops"),
    path("products/", views.ProductList.as_view(), name="seller-products"),
    path("products/<int:product_id>/", views.ProductDetail.as_view(), name="seller-product"),
    path("products/<int:product_id>/status/", views.ProductStatus.as_view(), name="seller-product-status"),
    path("products/<int:product_id>/image/", views.ProductImage.as_view(), name="seller-product-image"),
    path("variants/<int:variant_id>/", views.VariantDetail.as_view(), name="seller-variant"),
    path("variants/<int:variant_id>/stock/", views.VariantStock.as_view(), name="seller-variant-stock"),
    path("orders/", views.OrderList.as_view(), name="seller-orders"),
    path("orders/<int:order_id>/", views.OrderDetail.as_view(), name="seller-order"),
    path("orders/<int:order_id>/pack/", views.OrderPack.as_view(), name="seller-order-pack"),
    path("orders/<int:order_id>/ship/", views.OrderShip.as_view(), name="seller-order-ship"),
    path("orders/<int:order_id>/cancel/", views.OrderCancel.as_view(), name="seller-order-cancel"),
    path("vouchers/", views.VoucherList.as_view(), name="seller-vouchers"),
    path("vouchers/<int:voucher_id>/", views.VoucherDetail.as_view(), name="seller-voucher"),
    path("reviews/", views.ReviewList.as_view(), name="seller-reviews"),
    path("reviews/<int:review_id>/reply/", views.ReviewReply.as_view(), name="seller-review-reply"),
    path("attributed-sales/", views.AttributedSales.as_view(), name="seller-attributed-sales"),
]
