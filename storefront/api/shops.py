"""Shops and onboarding: a shop's page (header, vouchers, products), following a shop,
opening a shop (Buka Toko) and becoming a creator (Jadi Kreator), as the pages do."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from integration.transport import marketplace

from .. import selectors, services
from ..models import ProductCard, ShopCard
from . import serializers as s
from .filters import ShopProductFilter


def _shop(slug: str) -> ShopCard:
    shop = selectors.shop_card_by_slug(slug)
    if shop is None:
        raise Http404
    return shop


class ShopDetailApi(APIView):
    """A shop's header (name, place, local mark, rating, units sold, followers) and its
    vouchers open now."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=s.ShopPageSerializer)
    def get(self, request, shop_slug: str):
        shop = _shop(shop_slug)
        viewer = request.user.id if request.user.is_authenticated else None
        shop.following = selectors.shop_followed(shop_id=shop.shop_id, viewer_id=viewer)  # type: ignore[attr-defined]
        shop.vouchers = selectors.shop_vouchers(shop_id=shop.shop_id, port=marketplace())  # type: ignore[attr-defined]
        return Response(s.ShopPageSerializer(shop).data)


class ShopProductListApi(generics.ListAPIView):
    """The shop's products, newest first unless `sort` says otherwise, of one category if given."""

    permission_classes = [permissions.AllowAny]
    serializer_class = s.ProductCardSerializer
    filterset_class = ShopProductFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator, with no shop
            return ProductCard.objects.none()
        return selectors.shop_products(shop_id=_shop(self.kwargs["shop_slug"]).shop_id)


class ShopFollowApi(APIView):
    """Follows a shop (answering the new count), or unfollows (answering nothing)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=None, responses=s.FollowSerializer)
    def post(self, request, shop_slug: str):
        services.shop_follow(shop_id=_shop(shop_slug).shop_id, user_id=request.user.id)
        shop = _shop(shop_slug)
        return Response(s.FollowSerializer({"following": True, "follower_count": shop.follower_count}).data)

    @extend_schema(responses={204: None})
    def delete(self, request, shop_slug: str):
        services.shop_unfollow(shop_id=_shop(shop_slug).shop_id, user_id=request.user.id)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _attempted(command):
    """Runs an onboarding command; too many attempts is a 429 with `Retry-After`."""
    try:
        return command()
    except services.TooManyAttempts as error:
        raise exceptions.Throttled(wait=error.wait, detail=str(error)) from None


class ShopOpenApi(APIView):
    """Opens a shop for you (Buka Toko): usable at once, verified later by the platform. You
    reach the seller centre (`/admin/`) and the seller API at once. Refusals name the field."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=s.ShopOpenRequestSerializer, responses={201: s.OpenedShopSerializer})
    def post(self, request):
        given = s.ShopOpenRequestSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        shop = _attempted(lambda: services.shop_open(user=request.user, port=marketplace(), **given.validated_data))
        return Response(s.OpenedShopSerializer(shop).data, status=status.HTTP_201_CREATED)


class CreatorJoinApi(APIView):
    """Makes you a creator (Jadi Kreator) with a public profile; you reach the creator
    centre (`/admin/`) and the creator API at once. Refusals name the field."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=s.CreatorJoinRequestSerializer, responses={201: s.CreatorSerializer})
    def post(self, request):
        given = s.CreatorJoinRequestSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        creator = _attempted(lambda: services.creator_join(user=request.user, **given.validated_data))
        return Response(s.CreatorSerializer(creator).data, status=status.HTTP_201_CREATED)
