from django.urls import path

from . import views

urlpatterns = [
    path("shops/", views.ShopListApi.as_view(), name="seller-shops"),
    path("products/", views.ProductListApi.as_view(), name="seller-products"),
    path("products/<int:product_id>/", views.ProductDetailApi.as_view(), name="seller-product"),
    path("products/<int:product_id>/status/", views.ProductStatusUpdateApi.as_view(), name="seller-product-status"),
    path("products/<int:product_id>/image/", views.ProductImageUpdateApi.as_view(), name="seller-product-image"),
    path("variants/<int:variant_id>/", views.VariantDetailApi.as_view(), name="seller-variant"),
    path("variants/<int:variant_id>/stock/", views.VariantStockAdjustApi.as_view(), name="seller-variant-stock"),
    path("orders/", views.OrderListApi.as_view(), name="seller-orders"),
    path("orders/<int:order_id>/", views.OrderDetailApi.as_view(), name="seller-order"),
    path("orders/<int:order_id>/pack/", views.OrderPackApi.as_view(), name="seller-order-pack"),
    path("orders/<int:order_id>/ship/", views.OrderShipApi.as_view(), name="seller-order-ship"),
    path("orders/<int:order_id>/cancel/", views.OrderCancelApi.as_view(), name="seller-order-cancel"),
    path("vouchers/", views.VoucherListApi.as_view(), name="seller-vouchers"),
    path("vouchers/<int:voucher_id>/", views.VoucherDetailApi.as_view(), name="seller-voucher"),
    path("reviews/", views.ReviewListApi.as_view(), name="seller-reviews"),
    path("reviews/<int:review_id>/reply/", views.ReviewReplyApi.as_view(), name="seller-review-reply"),
    path("attributed-sales/", views.AttributedSalesListApi.as_view(), name="seller-attributed-sales"),
]
