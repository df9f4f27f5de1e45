from django.urls import path

from . import views

urlpatterns = [
    path("products/", views.ProductList.as_view(), name="products"),
    path("products/<int:product_id>/", views.ProductDetail.as_view(), name="product"),
    path("feed/", views.Feed.as_view(), name="feed"),
    path("posts/<int:post_id>/", views.PostDetail.as_view(), name="post"),
    path("creators/", views.CreatorList.as_view(), name="creators"),
    path("creators/<slug:handle>/", views.CreatorDetail.as_view(), name="creator"),
    path("cart/", views.Cart.as_view(), name="cart"),
    path("cart/items/", views.CartItems.as_view(), name="cart-items"),
    path("cart/items/<int:line_id>/", views.CartItem.as_view(), name="cart-item"),
    path("checkout/", views.Checkout.as_view(), name="checkout"),
    path("orders/", views.OrderList.as_view(), name="orders"),
    path("orders/<int:order_id>/", views.OrderDetail.as_view(), name="order"),
]
