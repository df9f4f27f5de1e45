"""A creator's own corner: posts (with uploads), their tags, the showcase and statistics."""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, parsers, permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from integration.transport import marketplace

from .. import selectors, services
from ..models import Creator
from . import serializers as s


class IsCreator(permissions.BasePermission):
    message = _("Only creators may use the creator API.")

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        view.creator = selectors.creator_by_user(request.user.id)
        return view.creator is not None


class CreatorView(APIView):
    permission_classes = [permissions.IsAuthenticated, IsCreator]
    creator: Creator  # set by IsCreator


class CreatorPostListApi(CreatorView, generics.ListAPIView):
    """The creator's posts, any status, newest first. Create one as multipart form data
    (`image` and `video` are files; repeat `product_ids` once per tagged product)."""

    serializer_class = s.CreatorPostSerializer
    filter_backends = []
    parser_classes = [parsers.MultiPartParser, parsers.FormParser]

    def get_queryset(self):
        return selectors.posts_of_creator(self.creator.id)

    @extend_schema(
        request={"multipart/form-data": s.CreatorPostCreateSerializer}, responses={201: s.CreatorPostSerializer}
    )
    def post(self, request):
        given = s.CreatorPostCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        post = services.post_create(creator=self.creator, **given.validated_data)
        return Response(
            s.CreatorPostSerializer(selectors.posts_of_creator(self.creator.id).get(id=post.id)).data,
            status=status.HTTP_201_CREATED,
        )


class PostTagsUpdateApi(CreatorView, APIView):
    """Replaces the products one of the creator's posts tags."""

    @extend_schema(request=s.PostTagsSerializer, responses=s.CreatorPostSerializer)
    def put(self, request, post_id: int):
        if not selectors.posts_of_creator(self.creator.id).filter(id=post_id).exists():
            raise Http404
        given = s.PostTagsSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        services.post_tags_set(creator=self.creator, post_id=post_id, **given.validated_data)
        return Response(s.CreatorPostSerializer(selectors.posts_of_creator(self.creator.id).get(id=post_id)).data)


class ShowcaseListApi(CreatorView, APIView):
    """The creator's showcase: add a product, or put the products in a new order."""

    def _answer(self, code=status.HTTP_200_OK):
        cards = selectors.showcase_cards(creator_id=self.creator.id)
        return Response(s.ProductCardSerializer(cards, many=True).data, status=code)

    @extend_schema(responses=s.ProductCardSerializer(many=True))
    def get(self, request):
        # The whole showcase, as the writes answer it: one list a creator reorders at once.
        return self._answer()

    @extend_schema(request=s.ShowcaseItemCreateSerializer, responses={201: s.ProductCardSerializer(many=True)})
    def post(self, request):
        given = s.ShowcaseItemCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        services.showcase_item_add(creator=self.creator, **given.validated_data)
        return self._answer(status.HTTP_201_CREATED)

    @extend_schema(request=s.ShowcaseOrderSerializer, responses=s.ProductCardSerializer(many=True))
    def put(self, request):
        given = s.ShowcaseOrderSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        services.showcase_reorder(creator=self.creator, **given.validated_data)
        return self._answer()


class ShowcaseItemUpdateApi(CreatorView, APIView):
    @extend_schema(responses={204: None})
    def delete(self, request, product_id: int):
        if not services.showcase_item_remove(creator=self.creator, product_id=product_id):
            raise Http404
        return Response(status=status.HTTP_204_NO_CONTENT)


class CreatorStatsApi(CreatorView, APIView):
    """Followers, posts, and the sales and commission the creator's links brought."""

    @extend_schema(responses=s.CreatorStatsSerializer)
    def get(self, request):
        return Response(s.CreatorStatsSerializer(selectors.creator_stats(self.creator.id)).data)


# --- The creator's money, kept by the marketplace and reached through the port --------------------

IDEMPOTENCY_HEADER = "Idempotency-Key"


class CreatorBalanceApi(CreatorView, APIView):
    """The creator's commission: pending (orders not completed), available (may be withdrawn), in flight."""

    @extend_schema(responses=s.CreatorBalanceSerializer)
    def get(self, request):
        return Response(s.CreatorBalanceSerializer(marketplace().get_creator_balance(creator_id=self.creator.id)).data)


class CreatorStatementApi(CreatorView, APIView):
    """Every movement of the creator's money between two days (Asia/Jakarta, both included), from
    the opening to the closing balance (pending, available and in flight together)."""

    @extend_schema(parameters=[s.CreatorStatementQuerySerializer], responses=s.CreatorStatementSerializer)
    def get(self, request):
        given = s.CreatorStatementQuerySerializer(data=request.query_params)
        given.is_valid(raise_exception=True)
        statement = marketplace().get_creator_statement(
            creator_id=self.creator.id, date_from=given.validated_data["from"], date_to=given.validated_data["to"]
        )
        return Response(s.CreatorStatementSerializer(statement).data)


class CreatorBankAccountListApi(CreatorView, generics.ListAPIView):
    """The creator's bank accounts. Registering one asks the bank who holds it: only an account
    the bank knows is kept, under the holder's name the bank gives."""

    serializer_class = s.CreatorBankAccountSerializer
    filter_backends = []

    def get_queryset(self):
        return marketplace().list_creator_bank_accounts(creator_id=self.creator.id)

    @extend_schema(request=s.CreatorBankAccountCreateSerializer, responses={201: s.CreatorBankAccountSerializer})
    def post(self, request):
        given = s.CreatorBankAccountCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        account = marketplace().add_creator_bank_account(creator_id=self.creator.id, **given.validated_data)
        return Response(s.CreatorBankAccountSerializer(account).data, status=status.HTTP_201_CREATED)


class CreatorPayoutListApi(CreatorView, generics.ListAPIView):
    """The creator's withdrawals, newest first. Withdrawing needs an `Idempotency-Key`: the same key
    and body answer the same payout again; the same key with another body is refused."""

    serializer_class = s.CreatorPayoutSerializer
    filter_backends = []

    def get_queryset(self):
        return marketplace().list_creator_payouts(creator_id=self.creator.id)

    @extend_schema(
        request=s.CreatorPayoutCreateSerializer,
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_HEADER,
                {"type": "string", "minLength": 1, "maxLength": 100},
                OpenApiParameter.HEADER,
                required=True,
                description=_("A unique key per withdrawal, e.g. a UUID."),
            )
        ],
        responses={201: s.CreatorPayoutSerializer},
    )
    def post(self, request):
        given = s.CreatorPayoutCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        payout = marketplace().request_creator_payout(
            creator_id=self.creator.id,
            idempotency_key=request.headers.get(IDEMPOTENCY_HEADER, "").strip(),
            **given.validated_data,
        )
        return Response(s.CreatorPayoutSerializer(payout).data, status=status.HTTP_201_CREATED)
