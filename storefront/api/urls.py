from django.urls import path

import integration.paths  # noqa: F401  (registers the <id:...> converter)

from . import creator, social, views

urlpatterns = [
    path("products/", views.ProductListApi.as_view(), name="products"),
    path("products/<id:product_id>/", views.ProductDetailApi.as_view(), name="product"),
    path("products/<id:product_id>/reviews/", views.ProductReviewListApi.as_view(), name="product-reviews"),
    path("categories/", views.CategoryListApi.as_view(), name="categories"),
    path("couriers/", views.CourierListApi.as_view(), name="couriers"),
    path("feed/", views.FeedListApi.as_view(), name="feed"),
    path("feed/following/", social.FollowingFeedListApi.as_view(), name="feed-following"),
    path("posts/<id:post_id>/", views.PostDetailApi.as_view(), name="post"),
    path("posts/<id:post_id>/like/", social.PostLikeApi.as_view(), name="post-like"),
    path("posts/<id:post_id>/comments/", social.PostCommentListApi.as_view(), name="post-comments"),
    path("creators/", views.CreatorListApi.as_view(), name="creators"),
    path("creators/<slug:handle>/", views.CreatorDetailApi.as_view(), name="creator"),
    path("creators/<slug:handle>/follow/", social.CreatorFollowApi.as_view(), name="creator-follow"),
    path("creators/<slug:handle>/showcase/", social.CreatorShowcaseListApi.as_view(), name="creator-showcase"),
    path("campaigns/", social.CampaignListApi.as_view(), name="campaigns"),
    path("campaigns/<slug:slug>/", social.CampaignDetailApi.as_view(), name="campaign"),
    path("wishlist/", social.WishlistApi.as_view(), name="wishlist"),
    path("wishlist/<id:product_id>/", social.WishlistItemApi.as_view(), name="wishlist-item"),
    path("cart/", views.CartDetailApi.as_view(), name="cart"),
    path("cart/items/", views.CartItemCreateApi.as_view(), name="cart-items"),
    path("cart/items/<id:line_id>/", views.CartItemUpdateApi.as_view(), name="cart-item"),
    path("checkout/", views.CheckoutPlaceApi.as_view(), name="checkout"),
    path("checkout/preview/", views.CheckoutPreviewApi.as_view(), name="checkout-preview"),
    path("orders/", views.OrderListApi.as_view(), name="orders"),
    path("orders/<id:order_id>/", views.OrderDetailApi.as_view(), name="order"),
    path("orders/<id:order_id>/pay/", views.OrderPayApi.as_view(), name="order-pay"),
    path(
        "orders/<id:order_id>/confirm-delivery/",
        views.OrderConfirmDeliveryApi.as_view(),
        name="order-confirm-delivery",
    ),
    path("reviews/", views.ReviewCreateApi.as_view(), name="reviews"),
    path("creator/posts/", creator.CreatorPostListApi.as_view(), name="creator-posts"),
    path("creator/posts/<id:post_id>/tags/", creator.PostTagsUpdateApi.as_view(), name="creator-post-tags"),
    path("creator/showcase/", creator.ShowcaseListApi.as_view(), name="creator-showcase-own"),
    path("creator/showcase/<id:product_id>/", creator.ShowcaseItemUpdateApi.as_view(), name="creator-showcase-item"),
    path("creator/stats/", creator.CreatorStatsApi.as_view(), name="creator-stats"),
    path("creator/balance/", creator.CreatorBalanceApi.as_view(), name="creator-balance"),
    path("creator/statement/", creator.CreatorStatementApi.as_view(), name="creator-statement"),
    path("creator/bank-accounts/", creator.CreatorBankAccountListApi.as_view(), name="creator-bank-accounts"),
    path("creator/payouts/", creator.CreatorPayoutListApi.as_view(), name="creator-payouts"),
]
