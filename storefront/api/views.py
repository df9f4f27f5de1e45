"""The storefront's REST API: discovery from the storefront database; cart, checkout
and orders through `MarketplacePort`, exactly as the pages do."""

from dataclasses import asdict
from typing import Any

from django.http import Http404
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, generics, pagination, permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from integration import contracts
from integration.transport import marketplace

from .. import rules, selectors, services
from . import serializers as s
from .filters import ProductCardFilter

IDEMPOTENCY_HEADER = "Idempotency-Key"


class FeedPagination(pagination.CursorPagination):
    ordering = ("-published_at", "-id")
    page_size = 20


# --- Discovery -----------------------------------------------------------------------


ORDERING = OpenApiParameter(
    "ordering",
    {"type": "array", "items": {"type": "string", "enum": ProductCardFilter.ordering_params()}},
    explode=True,
    description=gettext_lazy(
        "Fields to order by, in turn; `-` before a field reverses it. Repeat the parameter "
        "(`?ordering=-sold&ordering=price`) or separate fields with commas."
    ),
)


@extend_schema_view(get=extend_schema(parameters=[ORDERING]))
class ProductListApi(generics.ListAPIView):
    """Products from the storefront's read model, filtered and ordered."""

    permission_classes = [permissions.AllowAny]
    serializer_class = s.ProductCardSerializer
    filterset_class = ProductCardFilter

    def get_queryset(self):
        return selectors.product_card_queryset()


class ProductDetailApi(APIView):
    """A product with its variants and their stock, read from the marketplace."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=s.ProductDetailSerializer)
    def get(self, request, product_id: int):
        card: Any = selectors.product_card(product_id)  # gains the marketplace's detail below
        if card is None:
            raise Http404
        detail = marketplace().get_product(product_id)
        card.description = detail.description
        card.variants = [{**asdict(v), "in_stock": v.in_stock} for v in detail.variants]
        card.stock_state = "in_stock" if any(v.in_stock for v in detail.variants) else "out_of_stock"
        card.free_shipping = detail.free_shipping
        return Response(s.ProductDetailSerializer(card).data)


class FeedListApi(generics.ListAPIView):
    """Published posts, newest first, with the products they tag."""

    permission_classes = [permissions.AllowAny]
    serializer_class = s.PostSerializer
    pagination_class = FeedPagination
    filter_backends = []

    def get_queryset(self):
        return selectors.post_queryset_for_feed()

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.PostSerializer(selectors.posts_with_cards(page), many=True).data)


class PostDetailApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=s.PostSerializer)
    def get(self, request, post_id: int):
        view = selectors.post_detail(post_id)
        if view is None:
            raise Http404
        return Response(s.PostSerializer(view).data)


class CreatorListApi(generics.ListAPIView):
    permission_classes = [permissions.AllowAny]
    serializer_class = s.CreatorSerializer
    filter_backends = []

    def get_queryset(self):
        return selectors.creator_queryset()


class CreatorDetailApi(generics.RetrieveAPIView):
    permission_classes = [permissions.AllowAny]
    serializer_class = s.CreatorSerializer
    lookup_field = "handle"

    def get_queryset(self):
        return selectors.creator_queryset()


# --- Cart ---------------------------------------------------------------------------------


class CartDetailApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=s.CartSerializer)
    def get(self, request):
        return Response(s.CartSerializer(marketplace().get_cart(request.user.id)).data)


class CartItemCreateApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=s.CartItemCreateSerializer, responses={201: s.CartSerializer})
    def post(self, request):
        given = s.CartItemCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        cart = marketplace().add_to_cart(buyer_id=request.user.id, **given.validated_data)
        return Response(s.CartSerializer(cart).data, status=status.HTTP_201_CREATED)


class CartItemUpdateApi(APIView):
    """Sets a line's quantity (PATCH takes the whole of it: `quantity` is required) or removes it."""

    permission_classes = [permissions.IsAuthenticated]
    patch_is_partial = False

    @extend_schema(request=s.CartItemUpdateSerializer, responses=s.CartSerializer)
    def patch(self, request, line_id: int):
        given = s.CartItemUpdateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        cart = marketplace().update_cart_line(buyer_id=request.user.id, line_id=line_id, **given.validated_data)
        return Response(s.CartSerializer(cart).data)

    @extend_schema(responses={204: None})
    def delete(self, request, line_id: int):
        marketplace().update_cart_line(buyer_id=request.user.id, line_id=line_id, quantity=0)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Checkout and orders -----------------------------------------------------------------


def _checkout_request(buyer_id: int, key: str, data: dict) -> services.CheckoutRequest:
    return services.CheckoutRequest(
        buyer_id=buyer_id,
        address=contracts.Address(**data["address"]),
        payment_method=data["payment_method"],
        idempotency_key=key,
        shipping=tuple(contracts.ShippingChoice(**c) for c in data["shipping"]),
        vouchers=tuple(contracts.VoucherChoice(**v) for v in data["vouchers"]),
        origins=tuple(contracts.Attribution(**a) for a in data["attributions"]),
        platform_voucher=data["platform_voucher"],
    )


class CheckoutPlaceApi(APIView):
    """Places the cart as one order per shop. Repeat a call with the same `Idempotency-Key`
    and body to get the same answer; nothing is ordered twice.

    Unless the payment method is cash on delivery (`payment` is then null), the orders await
    one payment: open its `pay_url` (the gateway's hosted page) in a browser or a web view for
    the shopper to pay there. The orders turn `paid` when the gateway's signed callback reaches
    the marketplace; poll `GET /api/v1/orders/{order_id}/` until `status` leaves
    `pending_payment` (before `pay_before`, or the order expires)."""

    permission_classes = [permissions.IsAuthenticated]
    problem_statuses = (409, 422)  # key still in flight; key reused with another body

    @extend_schema(
        request=s.CheckoutRequestSerializer,
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_HEADER,
                {"type": "string", "minLength": 1, "maxLength": rules.IDEMPOTENCY_KEY_MAX_LENGTH},
                OpenApiParameter.HEADER,
                required=True,
                description=gettext_lazy("A unique key per checkout, e.g. a UUID."),
            )
        ],
        responses={201: s.CheckoutResultSerializer},
    )
    def post(self, request):
        key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
        if not key or len(key) > rules.IDEMPOTENCY_KEY_MAX_LENGTH:
            raise exceptions.ValidationError({IDEMPOTENCY_HEADER: [str(rules.IDEMPOTENCY_KEY_INVALID)]})
        given = s.CheckoutRequestSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        answer_status, body = services.checkout_place_once(
            request=_checkout_request(request.user.id, key, given.validated_data),
            port=marketplace(),
            answer=lambda result: s.CheckoutResultSerializer(result).data,
        )
        return Response(body, status=answer_status)


class OrderListApi(generics.ListAPIView):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = s.OrderSerializer
    filter_backends = []

    def get_queryset(self):
        return marketplace().list_orders(self.request.user.id)


class OrderDetailApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=s.OrderSerializer)
    def get(self, request, order_id: int):
        return Response(s.OrderSerializer(marketplace().get_order(buyer_id=request.user.id, order_id=order_id)).data)


class OrderPayApi(APIView):
    """Opens (or reopens) the payment of an order awaiting it, e.g. after the shopper left the
    gateway's page unpaid. Open the answer's `pay_url` (the gateway's hosted page) in a browser
    or a web view; the order turns `paid` when the gateway's signed callback reaches the
    marketplace, so poll `GET /api/v1/orders/{order_id}/` for its `status`."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=None, responses=s.PaymentSerializer)
    def post(self, request, order_id: int):
        payment = marketplace().start_payment(buyer_id=request.user.id, order_id=order_id)
        return Response(s.PaymentSerializer(payment).data)


class OrderConfirmDeliveryApi(APIView):
    """The buyer confirms the parcel arrived."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=None, responses=s.OrderSerializer)
    def post(self, request, order_id: int):
        order = marketplace().confirm_delivery(buyer_id=request.user.id, order_id=order_id)
        return Response(s.OrderSerializer(order).data)


class ReviewCreateApi(APIView):
    """Reviews a delivered order line, once."""

    permission_classes = [permissions.IsAuthenticated]
    problem_statuses = (409,)  # already reviewed

    @extend_schema(request=s.ReviewCreateSerializer, responses={201: s.ReviewSerializer})
    def post(self, request):
        given = s.ReviewCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        review = marketplace().submit_review(buyer_id=request.user.id, **given.validated_data)
        return Response(s.ReviewSerializer(review).data, status=status.HTTP_201_CREATED)


class CheckoutPreviewApi(APIView):
    """What checking out the cart would cost now: couriers per shop, vouchers, totals and problems.
    Nothing is reserved or placed."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=s.CheckoutPreviewRequestSerializer, responses=s.CheckoutPreviewSerializer)
    def post(self, request):
        given = s.CheckoutPreviewRequestSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        preview = marketplace().preview_checkout(
            buyer_id=request.user.id,
            province=data["province"],
            shipping=tuple(contracts.ShippingChoice(**c) for c in data["shipping"]),
            vouchers=tuple(contracts.VoucherChoice(**v) for v in data["vouchers"]),
            platform_voucher=data["platform_voucher"].strip().upper(),
        )
        return Response(s.CheckoutPreviewSerializer(preview).data)


class ProductReviewListApi(generics.ListAPIView):
    """The latest reviews of a product (at most 50), with the seller's replies."""

    permission_classes = [permissions.AllowAny]
    serializer_class = s.ReviewSerializer
    filter_backends = []

    def get_queryset(self):
        if selectors.product_card(self.kwargs["product_id"]) is None:
            raise Http404
        return marketplace().list_reviews(product_id=self.kwargs["product_id"], limit=50)


class CourierListApi(generics.ListAPIView):
    """The couriers a checkout may choose per shop (`shipping[].courier`), from the marketplace."""

    permission_classes = [permissions.AllowAny]
    serializer_class = s.CourierSerializer
    filter_backends = []

    def get_queryset(self):
        return marketplace().list_couriers()


class CategoryListApi(generics.ListAPIView):
    permission_classes = [permissions.AllowAny]
    serializer_class = s.CategorySerializer
    filter_backends = []

    def get_queryset(self):
        return marketplace().list_categories()
