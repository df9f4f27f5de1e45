"""Social endpoints: the following feed, likes, comments, follows, campaigns and showcases."""

from typing import Any

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, permissions, status
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from .. import rules, selectors, services
from . import serializers as s

CURSOR = OpenApiParameter("cursor", OpenApiTypes.STR, description="Set by the `next` link of the previous page.")
LIMIT = OpenApiParameter(
    "limit",
    {"type": "integer", "minimum": 1, "maximum": rules.FEED_PAGE_MAX, "default": 20},
    description="Posts per page.",
)


def _limit(request) -> int:
    given = request.query_params.get("limit", "20")
    if not given.isdigit() or not 1 <= int(given) <= rules.FEED_PAGE_MAX:
        raise exceptions.ValidationError({"limit": [str(rules.FEED_LIMIT_INVALID)]})
    return int(given)


def _creator(handle: str):
    creator = selectors.creator_queryset().filter(handle=handle).first()
    if creator is None:
        raise Http404
    return creator


class FollowingFeedListApi(APIView):
    """Posts of the creators the caller follows, newest first."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(parameters=[CURSOR, LIMIT], responses=s.FeedPageSerializer)
    def get(self, request):
        page = selectors.post_feed_following(
            user_id=request.user.id, cursor=request.query_params.get("cursor") or None, limit=_limit(request)
        )
        following = None
        if page.next_cursor:
            following = replace_query_param(request.build_absolute_uri(), "cursor", page.next_cursor)
        return Response(s.FeedPageSerializer({"next": following, "previous": None, "results": page.items}).data)


def _visible_post(post_id: int) -> int:
    """A post nobody may see (missing, draft, hidden) is not found, for likes and comments alike."""
    if not selectors.post_is_visible(post_id):
        raise Http404
    return post_id


class PostLikeApi(APIView):
    """Likes a post (answering the new count), or takes the like back (answering nothing)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=None, responses=s.LikeSerializer)
    def post(self, request, post_id: int):
        services.post_like(post_id=_visible_post(post_id), user_id=request.user.id)
        view = selectors.post_detail(post_id)
        return Response(s.LikeSerializer({"liked": True, "like_count": view.post.like_count if view else 0}).data)

    @extend_schema(responses={204: None})
    def delete(self, request, post_id: int):
        if not selectors.post_exists(post_id):
            raise Http404
        services.post_unlike(post_id=post_id, user_id=request.user.id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PostCommentListApi(generics.ListAPIView):
    """Visible comments of a post, oldest first; signed-in callers may add one."""

    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    serializer_class = s.CommentSerializer
    filter_backends = []

    def get_queryset(self):
        # A post nobody may see (draft, hidden, moderated) has no readable comments either.
        if not selectors.post_is_visible(self.kwargs["post_id"]):
            raise Http404
        return selectors.comment_queryset(self.kwargs["post_id"])

    @extend_schema(request=s.CommentCreateSerializer, responses={201: s.CommentSerializer})
    def post(self, request, post_id: int):
        _visible_post(post_id)
        given = s.CommentCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        comment = services.comment_create(
            post_id=post_id,
            user_id=request.user.id,
            author_name=request.user.get_username(),
            body=given.validated_data["body"],
        )
        return Response(s.CommentSerializer(comment).data, status=status.HTTP_201_CREATED)


class CreatorFollowApi(APIView):
    """Follows a creator (answering the new count), or unfollows (answering nothing)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=None, responses=s.FollowSerializer)
    def post(self, request, handle: str):
        services.creator_follow(creator_id=_creator(handle).id, user_id=request.user.id)
        creator = _creator(handle)
        return Response(s.FollowSerializer({"following": True, "follower_count": creator.follower_count}).data)

    @extend_schema(responses={204: None})
    def delete(self, request, handle: str):
        services.creator_unfollow(creator_id=_creator(handle).id, user_id=request.user.id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CreatorShowcaseListApi(generics.ListAPIView):
    """The products a creator promotes, in the creator's order."""

    permission_classes = [permissions.AllowAny]
    serializer_class = s.ProductCardSerializer
    filter_backends = []

    def get_queryset(self):
        return selectors.showcase_cards(creator_id=_creator(self.kwargs["handle"]).id)


class CampaignListApi(generics.ListAPIView):
    """Campaigns running now, ending soonest first."""

    permission_classes = [permissions.AllowAny]
    serializer_class = s.CampaignSerializer
    filter_backends = []

    def get_queryset(self):
        return selectors.campaign_list_live()


class CampaignDetailApi(APIView):
    """A campaign and, while it runs, the products it promotes."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=s.CampaignDetailSerializer)
    def get(self, request, slug: str):
        campaign: Any = selectors.campaign_by_slug(slug)  # gains its products below
        if campaign is None:
            raise Http404
        campaign.products = selectors.campaign_landing(campaign)
        return Response(s.CampaignDetailSerializer(campaign).data)


class WishlistApi(generics.ListAPIView):
    """The caller's wishlist, the latest saved first (GET); saves a product to it (POST:
    201 when saved now, 200 when it was saved already)."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = s.ProductCardSerializer
    filter_backends = []

    def get_queryset(self):
        return selectors.wishlist_cards(user_id=self.request.user.id)

    @extend_schema(
        request=s.WishlistAddSerializer, responses={201: s.WishlistAddSerializer, 200: s.WishlistAddSerializer}
    )
    def post(self, request):
        body = s.WishlistAddSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        saved = services.wishlist_add(user_id=request.user.id, product_id=body.validated_data["product_id"])
        return Response(body.data, status=status.HTTP_201_CREATED if saved else status.HTTP_200_OK)


class WishlistItemApi(APIView):
    """Removes a product from the caller's wishlist (204 whether or not it was there)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={204: None})
    def delete(self, request, product_id: int):
        services.wishlist_remove(user_id=request.user.id, product_id=product_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
