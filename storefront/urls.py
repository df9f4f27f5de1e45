from django.urls import path

from . import account_views, views

app_name = "storefront"

urlpatterns = [
    path("", views.feed, name="feed"),
    path("search/", views.search, name="search"),
    path("posts/<int:post_id>/", views.post_detail, name="post_detail"),
    path("posts/<int:post_id>/like/", views.post_like, name="post_like"),
    path("posts/<int:post_id>/comments/", views.comment_create, name="comment_create"),
    path("comments/<int:comment_id>/hide/", views.comment_hide, name="comment_hide"),
    path("creators/join/", views.creator_join, name="creator_join"),
    path("creators/<slug:handle>/", views.creator_detail, name="creator_detail"),
    path("creators/<slug:handle>/follow/", views.creator_follow, name="creator_follow"),
    path("shops/open/", views.shop_open, name="shop_open"),
    path("shops/<slug:slug>/", views.shop_detail, name="shop_detail"),
    path("shops/<slug:slug>/follow/", views.shop_follow, name="shop_follow"),
    path("campaigns/<slug:slug>/", views.campaign_detail, name="campaign_detail"),
    path("products/<int:product_id>/", views.product_detail, name="product_detail"),
    path("wishlist/", views.wishlist, name="wishlist"),
    path("wishlist/<int:product_id>/", views.wishlist_toggle, name="wishlist_toggle"),
    path("cart/", views.cart, name="cart"),
    path("cart/add/", views.cart_add, name="cart_add"),
    path("cart/lines/<int:line_id>/", views.cart_update, name="cart_update"),
    path("checkout/", views.checkout, name="checkout"),
    path("orders/", views.order_list, name="order_list"),
    path("orders/<int:order_id>/", views.order_detail, name="order_detail"),
    path("orders/<int:order_id>/pay/", views.order_pay, name="order_pay"),
    path("orders/<int:order_id>/delivered/", views.order_confirm_delivery, name="order_confirm_delivery"),
    path("orders/<int:order_id>/lines/<int:line_id>/review/", views.review_create, name="review_create"),
    path("accounts/sign-up/", account_views.sign_up, name="sign_up"),
    path("accounts/verify/<str:token>/", account_views.email_verify, name="email_verify"),
    path("account/", account_views.account, name="account"),
    path("account/verify/resend/", account_views.email_verification_resend, name="email_verification_resend"),
    path("account/sign-out-everywhere/", account_views.sign_out_everywhere, name="sign_out_everywhere"),
    path("account/addresses/", account_views.address_add, name="address_add"),
    path("account/addresses/<int:address_id>/delete/", account_views.address_delete, name="address_delete"),
]
