from django.urls import path

from . import creator, social, views

urlpatterns = [
    path("products/", views.ProductList.as_view(), name="products"),
    path("products/<int:product_id>/", views.ProductDetail.as_view(), name="product"),
    path("products/<int:product_id>/reviews/", views.ProductReviews.as_view(), name="product-reviews"),
    path("categories/", views.Categories.as_view(), name="categories"),
    path("feed/", views.Feed.as_view(), name="feed"),
    path("feed/following/", social.FollowingFeed.as_view(), name="feed-following"),
    path("posts/<int:post_id>/", views.PostDetail.as_view(), name="post"),
    path("posts/<int:post_id>/like/", social.PostLike.as_view(), name="post-like"),
    path("posts/<int:post_id>/comments/", social.PostComments.as_view(), name="post-comments"),
    path("creators/", views.CreatorList.as_view(), name="creators"),
    path("creators/<slug:handle>/", views.CreatorDetail.as_view(), name="creator"),
    path("creators/<slug:handle>/follow/", social.CreatorFollow.as_view(), name="creator-follow"),
    path("creators/<slug:handle>/showcase/", social.CreatorShowcase.as_view(), name="creator-showcase"),
    path("campaigns/", social.CampaignList.as_view(), name="campaigns"),
    path("campaigns/<slug:slug>/", social.CampaignDetail.as_view(), name="campaign"),
    path("cart/", views.Cart.as_view(), name="cart"),
    path("cart/items/", views.CartItems.as_view(), name="cart-items"),
    path("cart/items/<int:line_id>/", views.CartItem.as_view(), name="cart-item"),
    path("checkout/", views.Checkout.as_view(), name="checkout"),
    path("checkout/preview/", views.CheckoutPreview.as_view(), name="checkout-preview"),
    path("orders/", views.OrderList.as_view(), name="orders"),
    path("orders/<int:order_id>/", views.OrderDetail.as_view(), name="order"),
    path("orders/<int:order_id>/pay/", views.OrderPay.as_view(), name="order-pay"),
    path(
        "orders/<int:order_id>/confirm-delivery/", views.OrderConfirmDelivery.as_view(), name="order-confirm-delivery"
    ),
    path("reviews/", views.Reviews.as_view(), name="reviews"),
    path("creator/posts/", creator.Posts.as_view(), name="creator-posts"),
    path("creator/posts/<int:post_id>/tags/", creator.PostTags.as_view(), name="creator-post-tags"),
    path("creator/showcase/", creator.Showcase.as_view(), name="creator-showcase-own"),
    path("creator/showcase/<int:product_id>/", creator.ShowcaseItem.as_view(), name="creator-showcase-item"),
    path("creator/stats/", creator.Stats.as_view(), name="creator-stats"),
]
