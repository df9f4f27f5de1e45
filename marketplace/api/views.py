"""The seller's REST API: a seller sees only the shops they own and what belongs to them."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, parsers, permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from integration.paths import ID_SCHEMA

from .. import rules, selectors, services
from ..models import OrderStatus, PayeeKind, ProductStatus
from . import serializers as s


class IsSeller(permissions.BasePermission):
    message = _("Only the owner of a shop may use the seller API.")

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and selectors.owner_has_shop(request.user.id))


class WholeNumberField(forms.IntegerField):
    def to_python(self, value):
        # Absent is "no filter"; present but empty is bad input.
        if value == "":
            raise forms.ValidationError(_("Enter a whole number."), code="invalid")
        return super().to_python(value)


@extend_schema_field(ID_SCHEMA)
class ShopFilter(filters.NumberFilter):
    """A shop's id: a whole number that fits every database's id column."""

    field_class = WholeNumberField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **rules.ID.field_kwargs(), **kwargs)


class SellerProductFilter(filters.FilterSet):
    shop = ShopFilter(field_name="shop_id")
    status = filters.ChoiceFilter(choices=ProductStatus.choices)


class SellerOrderFilter(filters.FilterSet):
    shop = ShopFilter(field_name="shop_id")
    status = filters.ChoiceFilter(choices=OrderStatus.choices)


class SellerView(APIView):
    permission_classes = [permissions.IsAuthenticated, IsSeller]


class ShopListApi(SellerView, generics.ListAPIView):
    serializer_class = s.ShopSerializer

    def get_queryset(self):
        return selectors.shops_for_owner(self.request.user.id)


def _product(request, product_id: int) -> dict:
    product = selectors.products_of_owner(request.user.id).get(id=product_id)
    return s.SellerProductSerializer(product).data


class ProductListApi(SellerView, generics.ListAPIView):
    """The products of the seller's shops, any status, with each variant's stock. A new
    product starts as a draft with its variants; publish it through its status."""

    serializer_class = s.SellerProductSerializer
    filterset_class = SellerProductFilter

    def get_queryset(self):
        return selectors.products_of_owner(self.request.user.id)

    @extend_schema(request=s.ProductCreateSerializer, responses={201: s.SellerProductSerializer})
    def post(self, request):
        given = s.ProductCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        product = services.product_create(
            owner_user_id=request.user.id, actor_user_id=request.user.id, **given.validated_data
        )
        return Response(_product(request, product.id), status=status.HTTP_201_CREATED)


class ProductDetailApi(SellerView, generics.RetrieveAPIView):
    serializer_class = s.SellerProductSerializer
    lookup_url_kwarg = "product_id"

    def get_queryset(self):
        return selectors.products_of_owner(self.request.user.id)

    @extend_schema(request=s.ProductUpdateSerializer, responses=s.SellerProductSerializer)
    def patch(self, request, product_id: int):
        given = s.ProductUpdateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        services.product_update(product_id=product_id, owner_user_id=request.user.id, **given.validated_data)
        return Response(_product(request, product_id))


class ProductStatusUpdateApi(SellerView, APIView):
    """Publishes (`active`), returns to draft or archives a product."""

    @extend_schema(request=s.ProductStatusSerializer, responses=s.SellerProductSerializer)
    def post(self, request, product_id: int):
        given = s.ProductStatusSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        services.product_set_status(product_id=product_id, owner_user_id=request.user.id, **given.validated_data)
        return Response(_product(request, product_id))


class ProductImageUpdateApi(SellerView, APIView):
    """Uploads the product's image as multipart form data (`image`)."""

    parser_classes = [parsers.MultiPartParser]

    @extend_schema(request={"multipart/form-data": s.ProductImageSerializer}, responses=s.SellerProductSerializer)
    def put(self, request, product_id: int):
        given = s.ProductImageSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        services.product_update(product_id=product_id, owner_user_id=request.user.id, **given.validated_data)
        return Response(_product(request, product_id))


class VariantDetailApi(SellerView, APIView):
    """Edits a variant's name, SKU, price, weight or limit; stock moves through its stock endpoint."""

    @extend_schema(request=s.VariantUpdateSerializer, responses=s.SellerVariantSerializer)
    def patch(self, request, variant_id: int):
        given = s.VariantUpdateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        variant = services.variant_update(variant_id=variant_id, owner_user_id=request.user.id, **given.validated_data)
        return Response(s.SellerVariantSerializer(variant).data)


class VariantStockAdjustApi(SellerView, APIView):
    """Adds or removes units on hand, with the reason kept in the audit trail."""

    @extend_schema(request=s.StockAdjustSerializer, responses={201: s.StockAdjustmentSerializer})
    def post(self, request, variant_id: int):
        given = s.StockAdjustSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        adjustment = services.stock_adjust(
            variant_id=variant_id, actor_user_id=request.user.id, owner_user_id=request.user.id, **given.validated_data
        )
        return Response(s.StockAdjustmentSerializer(adjustment).data, status=status.HTTP_201_CREATED)


class OrderListApi(SellerView, generics.ListAPIView):
    serializer_class = s.SellerOrderSerializer
    filterset_class = SellerOrderFilter

    def get_queryset(self):
        return selectors.orders_for_seller(self.request.user.id)


class OrderDetailApi(SellerView, generics.RetrieveAPIView):
    serializer_class = s.SellerOrderSerializer
    lookup_url_kwarg = "order_id"

    def get_queryset(self):
        return selectors.orders_for_seller(self.request.user.id)


def _order(request, order_id: int) -> dict:
    return s.SellerOrderSerializer(selectors.orders_for_seller(request.user.id).get(id=order_id)).data


class OrderPackApi(SellerView, APIView):
    @extend_schema(request=None, responses=s.SellerOrderSerializer)
    def post(self, request, order_id: int):
        services.order_pack(order_id=order_id, owner_user_id=request.user.id)
        return Response(_order(request, order_id))


class OrderShipApi(SellerView, APIView):
    """Hands a packed order to a courier, with its tracking number."""

    @extend_schema(request=s.OrderShipSerializer, responses=s.SellerOrderSerializer)
    def post(self, request, order_id: int):
        given = s.OrderShipSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        services.order_ship(order_id=order_id, owner_user_id=request.user.id, **given.validated_data)
        return Response(_order(request, order_id))


class OrderCancelApi(SellerView, APIView):
    """Cancels an order before it ships; a paid one is refunded."""

    @extend_schema(request=s.ReasonSerializer, responses=s.SellerOrderSerializer)
    def post(self, request, order_id: int):
        given = s.ReasonSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        services.order_cancel(order_id=order_id, owner_user_id=request.user.id, **given.validated_data)
        return Response(_order(request, order_id))


class VoucherListApi(SellerView, generics.ListAPIView):
    serializer_class = s.VoucherSerializer
    filter_backends = []

    def get_queryset(self):
        return selectors.vouchers_of_owner(self.request.user.id)

    @extend_schema(request=s.VoucherCreateSerializer, responses={201: s.VoucherSerializer})
    def post(self, request):
        given = s.VoucherCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        voucher = services.voucher_create(owner_user_id=request.user.id, **given.validated_data)
        return Response(s.VoucherSerializer(voucher).data, status=status.HTTP_201_CREATED)


class VoucherDetailApi(SellerView, generics.RetrieveAPIView):
    """A voucher of the seller's. Deleting one deactivates it: orders keep pointing at it."""

    serializer_class = s.VoucherSerializer
    lookup_url_kwarg = "voucher_id"

    def get_queryset(self):
        return selectors.vouchers_of_owner(self.request.user.id)

    @extend_schema(request=s.VoucherWriteSerializer(partial=True), responses=s.VoucherSerializer)
    def patch(self, request, voucher_id: int):
        given = s.VoucherWriteSerializer(data=request.data, partial=True)
        given.is_valid(raise_exception=True)
        voucher = services.voucher_update(voucher_id=voucher_id, owner_user_id=request.user.id, **given.validated_data)
        return Response(s.VoucherSerializer(voucher).data)

    @extend_schema(responses={204: None})
    def delete(self, request, voucher_id: int):
        services.voucher_update(voucher_id=voucher_id, owner_user_id=request.user.id, is_active=False)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ReviewListApi(SellerView, generics.ListAPIView):
    """Reviews of the seller's products, newest first."""

    serializer_class = s.SellerReviewSerializer
    filter_backends = []

    def get_queryset(self):
        return selectors.reviews_of_owner(self.request.user.id)


class ReviewReplyApi(SellerView, APIView):
    @extend_schema(request=s.ReviewReplySerializer, responses=s.SellerReviewSerializer)
    def post(self, request, review_id: int):
        given = s.ReviewReplySerializer(data=request.data)
        given.is_valid(raise_exception=True)
        review = services.review_reply(review_id=review_id, owner_user_id=request.user.id, **given.validated_data)
        return Response(s.SellerReviewSerializer(review).data)


class AttributedSalesListApi(SellerView, generics.ListAPIView):
    """Per shop: sales that came through creators, and the commission owed on them."""

    serializer_class = s.AttributedSalesSerializer
    filter_backends = []

    def get_queryset(self):
        return selectors.attributed_sales(self.request.user.id)


# --- Money: a shop's balance, statement, bank accounts and withdrawals ----------------------

IDEMPOTENCY_HEADER = "Idempotency-Key"
SHOP = PayeeKind.SHOP


def _shop_id(request, data: dict) -> int:
    return selectors.shop_of_owner(request.user.id, data.get("shop")).id


def _query(serializer_class, request) -> dict:
    given = serializer_class(data=request.query_params)
    given.is_valid(raise_exception=True)
    return given.validated_data


class BalanceApi(SellerView, APIView):
    """A shop's money: pending (orders not completed), available (may be withdrawn) and in flight."""

    @extend_schema(parameters=[s.ShopQuerySerializer], responses=s.SellerBalanceSerializer)
    def get(self, request):
        shop_id = _shop_id(request, _query(s.ShopQuerySerializer, request))
        return Response(s.SellerBalanceSerializer(selectors.payee_balance(SHOP, shop_id)).data)


class StatementApi(SellerView, APIView):
    """Every movement of a shop's money between two days (Asia/Jakarta, both included), from the
    opening to the closing balance (pending, available and in flight together)."""

    @extend_schema(parameters=[s.StatementQuerySerializer], responses=s.SellerStatementSerializer)
    def get(self, request):
        query = _query(s.StatementQuerySerializer, request)
        shop_id = _shop_id(request, query)
        statement = selectors.payee_statement(SHOP, shop_id, date_from=query["from"], date_to=query["to"])
        return Response(s.SellerStatementSerializer(statement).data)


class BankAccountListApi(SellerView, generics.ListAPIView):
    """The seller's bank accounts. Registering one asks the bank who holds it: only an account
    the bank knows is kept, under the holder's name the bank gives."""

    serializer_class = s.SellerBankAccountSerializer
    filter_backends = []

    def get_queryset(self):
        return selectors.bank_accounts_of(SHOP, [shop.id for shop in selectors.shops_for_owner(self.request.user.id)])

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(
            self.get_serializer([selectors.bank_account_dto(a) for a in page or []], many=True).data
        )

    @extend_schema(request=s.BankAccountCreateSerializer, responses={201: s.SellerBankAccountSerializer})
    def post(self, request):
        given = s.BankAccountCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        account = services.bank_account_add(
            payee_kind=SHOP,
            payee_id=_shop_id(request, data),
            bank_code=data["bank_code"],
            number=data["number"],
            owner_user_id=request.user.id,
        )
        dto = selectors.bank_account_dto(account)
        return Response(s.SellerBankAccountSerializer(dto).data, status=status.HTTP_201_CREATED)


class PayoutListApi(SellerView, generics.ListAPIView):
    """The seller's withdrawals, newest first. Withdrawing needs an `Idempotency-Key`: the same key
    and body answer the same payout again; the same key with another body is refused."""

    serializer_class = s.SellerPayoutSerializer
    filter_backends = []

    def get_queryset(self):
        return selectors.payouts_of(SHOP, [shop.id for shop in selectors.shops_for_owner(self.request.user.id)])

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(
            self.get_serializer([selectors.payout_dto(p) for p in page or []], many=True).data
        )

    @extend_schema(
        request=s.PayoutCreateSerializer,
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_HEADER,
                {"type": "string", "minLength": 1, "maxLength": rules.PAYOUT_KEY_MAX_LENGTH},
                OpenApiParameter.HEADER,
                required=True,
                description=_("A unique key per withdrawal, e.g. a UUID."),
            )
        ],
        responses={201: s.SellerPayoutSerializer},
    )
    def post(self, request):
        given = s.PayoutCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        payout = services.payout_request(
            payee_kind=SHOP,
            payee_id=_shop_id(request, data),
            bank_account_id=data["bank_account_id"],
            amount=data["amount"],
            idempotency_key=request.headers.get(IDEMPOTENCY_HEADER, ""),
            owner_user_id=request.user.id,
        )
        return Response(s.SellerPayoutSerializer(selectors.payout_dto(payout)).data, status=status.HTTP_201_CREATED)
