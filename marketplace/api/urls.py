from django.urls import path

import integration.paths  # noqa: F401  (registers the <id:...> converter)

from . import views

urlpatterns = [
    path("shops/", views.ShopListApi.as_view(), name="seller-shops"),
    path("products/", views.ProductListApi.as_view(), name="seller-products"),
    path("products/<id:product_id>/", views.ProductDetailApi.as_view(), name="seller-product"),
    path("products/<id:product_id>/status/", views.ProductStatusUpdateApi.as_view(), name="seller-product-status"),
    path("products/<id:product_id>/image/", views.ProductImageUpdateApi.as_view(), name="seller-product-image"),
    path("variants/<id:variant_id>/", views.VariantDetailApi.as_view(), name="seller-variant"),
    path("variants/<id:variant_id>/stock/", views.VariantStockAdjustApi.as_view(), name="seller-variant-stock"),
    path("orders/", views.OrderListApi.as_view(), name="seller-orders"),
    path("orders/<id:order_id>/", views.OrderDetailApi.as_view(), name="seller-order"),
    path("orders/<id:order_id>/pack/", views.OrderPackApi.as_view(), name="seller-order-pack"),
    path("orders/<id:order_id>/ship/", views.OrderShipApi.as_view(), name="seller-order-ship"),
    path("orders/<id:order_id>/cancel/", views.OrderCancelApi.as_view(), name="seller-order-cancel"),
    path("vouchers/", views.VoucherListApi.as_view(), name="seller-vouchers"),
    path("vouchers/<id:voucher_id>/", views.VoucherDetailApi.as_view(), name="seller-voucher"),
    path("reviews/", views.ReviewListApi.as_view(), name="seller-reviews"),
    path("reviews/<id:review_id>/reply/", views.ReviewReplyApi.as_view(), name="seller-review-reply"),
    path("attributed-sales/", views.AttributedSalesListApi.as_view(), name="seller-attributed-sales"),
    path("balance/", views.BalanceApi.as_view(), name="seller-balance"),
    path("statement/", views.StatementApi.as_view(), name="seller-statement"),
    path("bank-accounts/", views.BankAccountListApi.as_view(), name="seller-bank-accounts"),
    path("payouts/", views.PayoutListApi.as_view(), name="seller-payouts"),
]
