"""Reads of the marketplace, shaped as integration DTOs. Each runs a constant number of queries."""

import dataclasses
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Avg, Count, F, Max, Min, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext

from integration import contracts, events

from . import disbursements, rules
from .models import (
    PAYEE_ACCOUNTS,
    AccountKind,
    BankAccount,
    CartItem,
    Category,
    Commission,
    CommissionStatus,
    Courier,
    FreeShippingCampaign,
    LedgerAccount,
    LedgerEntry,
    Order,
    OrderLine,
    OrderStatus,
    PayeeKind,
    Payment,
    Payout,
    PayoutStatus,
    Product,
    ProductStatus,
    Review,
    Shop,
    Variant,
    Voucher,
    VoucherUse,
)

ALIAS = "marketplace"


def _products():
    return Product.objects.using(ALIAS).select_related("shop", "category")


def _with_stock(queryset):
    # Price range and stock available in one aggregate query per list.
    return queryset.annotate(
        price_min=Min("variants__price"),
        price_max=Max("variants__price"),
        on_hand=Sum("variants__stock_on_hand"),
        reserved=Sum("variants__stock_reserved"),
    )


def product_summary(product: Product) -> contracts.ProductSummary:
    """Builds the card of a product annotated by `_with_stock` (or with variants prefetched)."""
    if hasattr(product, "price_min"):
        annotated: Any = product  # the figures `_with_stock` adds
        price_min, price_max = annotated.price_min or 0, annotated.price_max or 0
        available = (annotated.on_hand or 0) - (annotated.reserved or 0)
    else:
        variants = list(product.variants.all())
        prices = [v.price for v in variants] or [0]
        price_min, price_max = min(prices), max(prices)
        available = sum(v.stock_available for v in variants)
    shop, category = product.shop, product.category
    return contracts.ProductSummary(
        product_id=product.id,
        shop_id=shop.id,
        shop_name=shop.name,
        shop_slug=shop.slug,
        shop_city=shop.city,
        shop_province=shop.province,
        is_local_business=shop.shows_local_badge,  # the "Usaha lokal" mark: declared and verified
        title=product.title,
        image_url=product.display_image_url,
        category_id=category.id if category else None,
        category_name=category.name if category else "",
        price_min=price_min,
        price_max=price_max,
        currency="IDR",
        in_stock=available > 0,
        rating=product.rating,
        review_count=product.review_count,
        sold_count=product.sold_count,
        commission_bp=product.commission_bp,
        status=product.status,
        revision=product.card_revision,
    )


def variant_dto(variant: Variant) -> contracts.VariantDTO:
    return contracts.VariantDTO(
        id=variant.id,
        product_id=variant.product_id,
        name=variant.name,
        sku=variant.sku,
        price=variant.price,
        currency="IDR",
        stock_available=variant.stock_available,
        max_per_order=variant.max_per_order,
    )


def free_shipping_shop_ids(shop_ids) -> set[int]:
    """Which of `shop_ids` a free-shipping campaign running now makes eligible. One query."""
    now = timezone.now()
    return set(
        FreeShippingCampaign.shops.through.objects.using(ALIAS)
        .filter(
            shop_id__in=list(shop_ids),
            freeshippingcampaign__is_active=True,
            freeshippingcampaign__starts_at__lte=now,
            freeshippingcampaign__ends_at__gt=now,
        )
        .values_list("shop_id", flat=True)
    )


def product_details(product_ids: list[int]) -> list[contracts.ProductDetail]:
    """Active products by id, in the order asked, with their variants and whether their shop
    ships free now. Three queries."""
    products = _products().filter(id__in=product_ids, status=ProductStatus.ACTIVE).prefetch_related("variants")
    by_id = {p.id: p for p in products}
    free = free_shipping_shop_ids({p.shop_id for p in by_id.values()})
    return [
        contracts.ProductDetail(
            summary=product_summary(p),
            description=p.description,
            variants=tuple(variant_dto(v) for v in p.variants.all()),
            free_shipping=p.shop_id in free,
        )
        for pid in product_ids
        if (p := by_id.get(pid))
    ]


def product_summaries_after(*, after_id: int, limit: int) -> list[contracts.ProductSummary]:
    """Active products in id order, for bulk rebuilds of the storefront's read model."""
    # Pick the page's ids first (an index range scan), so the aggregate joins only
    # those products instead of every product after `after_id`.
    ids = list(
        Product.objects.using(ALIAS)
        .filter(status=ProductStatus.ACTIVE, id__gt=after_id)
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )
    products = _with_stock(_products().filter(id__in=ids)).order_by("id")
    return [product_summary(p) for p in products]


def product_summary_by_id(product_id: int) -> contracts.ProductSummary:
    return product_summary(_with_stock(_products()).get(id=product_id))


def product_card_facts_by_id(product_id: int) -> events.ProductCardFacts:
    """The card as the product events carry it: today the summary's fields, in the
    events' own class so that the port and the events can change apart."""
    return events.ProductCardFacts(**dataclasses.asdict(product_summary_by_id(product_id)))


# --- Shops -------------------------------------------------------------------------------


def _shops_with_sold():
    return Shop.objects.using(ALIAS).annotate(units_sold=Sum("products__sold_count"))


def shop_summary(shop: Shop) -> contracts.ShopSummary:
    """The summary of a shop annotated by `_shops_with_sold`."""
    annotated: Any = shop
    return contracts.ShopSummary(
        shop_id=shop.id,
        name=shop.name,
        slug=shop.slug,
        city=shop.city,
        province=shop.province,
        is_local_business=shop.is_local_business,
        is_verified=shop.is_verified,
        rating=shop.rating,
        review_count=shop.review_count,
        sold_count=annotated.units_sold or 0,
        revision=shop.card_revision,
    )


def shop_summary_by_id(shop_id: int) -> contracts.ShopSummary:
    return shop_summary(_shops_with_sold().get(id=shop_id))


def shop_facts_by_id(shop_id: int) -> events.ShopFacts:
    """The shop as its event carries it, in the events' own class (see `product_card_facts_by_id`)."""
    return events.ShopFacts(**dataclasses.asdict(shop_summary_by_id(shop_id)))


def shop_summaries_after(*, after_id: int, limit: int) -> list[contracts.ShopSummary]:
    """Shops in id order, for bulk rebuilds of the storefront's read model. Two queries."""
    ids = list(Shop.objects.using(ALIAS).filter(id__gt=after_id).order_by("id").values_list("id", flat=True)[:limit])
    return [shop_summary(shop) for shop in _shops_with_sold().filter(id__in=ids).order_by("id")]


def shop_vouchers_open(shop_id: int, *, now: datetime | None = None) -> list[contracts.ShopVoucherDTO]:
    """The shop's vouchers a shopper may use now: active, within their dates, not used up. One query."""
    now = now or timezone.now()
    vouchers = (
        Voucher.objects.using(ALIAS)
        .filter(shop_id=shop_id, is_active=True, starts_at__lte=now, ends_at__gt=now)
        .filter(Q(usage_limit__isnull=True) | Q(used_count__lt=F("usage_limit")))
        .order_by("ends_at", "id")
    )
    return [
        contracts.ShopVoucherDTO(
            code=v.code,
            kind=v.kind,
            value=v.value,
            min_spend=v.min_spend,
            max_discount=v.max_discount,
            ends_at=v.ends_at,
        )
        for v in vouchers
    ]


def cart_dto(buyer_id: int) -> contracts.CartDTO:
    return cart_dto_of(buyer_id, cart_items(buyer_id))


def cart_dto_of(buyer_id: int, items: list[CartItem]) -> contracts.CartDTO:
    """The cart of `items` as read by `cart_items`."""
    lines = []
    for item in items:
        variant = item.variant
        product = variant.product
        lines.append(
            contracts.CartLineDTO(
                id=item.id,
                variant_id=variant.id,
                product_id=product.id,
                shop_id=product.shop_id,
                shop_name=product.shop.name,
                title=product.title,
                variant_name=variant.name,
                unit_price=variant.price,
                price_when_added=item.price_when_added,
                quantity=item.quantity,
                stock_available=variant.stock_available if product.status == ProductStatus.ACTIVE else 0,
            )
        )
    return contracts.CartDTO(buyer_id=buyer_id, lines=tuple(lines))


def order_dto(order: Order) -> contracts.OrderDTO:
    """Expects `lines`, `lines__review` and `timeline` prefetched (see `_orders`)."""
    return contracts.OrderDTO(
        id=order.id,
        number=order.number,
        buyer_id=order.buyer_id,
        shop_id=order.shop_id,
        shop_name=order.shop.name,
        status=order.status,
        subtotal=order.subtotal,
        shipping_fee=order.shipping_fee,
        total=order.total,
        currency=order.currency,
        payment_method=order.payment_method,
        placed_at=order.placed_at,
        lines=tuple(
            contracts.OrderLineDTO(
                id=line.id,
                product_id=line.product_id,
                variant_id=line.variant_id,
                title=line.title,
                variant_name=line.variant_name,
                unit_price=line.unit_price,
                quantity=line.quantity,
                reviewed=hasattr(line, "review"),
            )
            for line in order.lines.all()
        ),
        discount=order.discount,
        voucher_code=order.voucher.code if order.voucher else "",
        courier=order.courier,
        tracking_number=order.tracking_number,
        payment_id=order.payment_id,
        pay_before=order.pay_before if order.status == OrderStatus.PENDING_PAYMENT else None,
        timeline=tuple(
            contracts.StatusChangeDTO(status=change.status, at=change.at, note=change.note)
            for change in order.timeline.all()
        ),
    )


def _orders():
    return Order.objects.using(ALIAS).select_related("shop", "voucher").prefetch_related("lines__review", "timeline")


def orders_for_buyer(buyer_id: int, *, order_ids: list[int] | None = None) -> list[contracts.OrderDTO]:
    orders = _orders().filter(buyer_id=buyer_id)
    if order_ids is not None:
        orders = orders.filter(id__in=order_ids)
    return [order_dto(o) for o in orders.order_by("-id")]


def order_for_buyer(*, buyer_id: int, order_id: int) -> contracts.OrderDTO:
    order = _orders().filter(Q(id=order_id) & Q(buyer_id=buyer_id)).first()
    if order is None:
        raise contracts.NotFound(gettext("Order not found."))
    return order_dto(order)


def products_in_stock(product_ids: list[int]) -> dict[int, bool]:
    """Whether each product has any unit available. One query."""
    rows = (
        Variant.objects.using(ALIAS)
        .filter(product_id__in=product_ids)
        .values("product_id")
        .annotate(available=Sum(F("stock_on_hand") - F("stock_reserved")))
    )
    found = {row["product_id"]: row["available"] > 0 for row in rows}
    return {pid: found.get(pid, False) for pid in product_ids}


def rating_of(reviews) -> tuple[int, int]:
    """(average stars x 100 rounded to the nearest integer, count) of a review queryset."""
    row = reviews.aggregate(average=Avg("stars"), count=Count("id"))
    return (round(row["average"] * 100) if row["count"] else 0), row["count"]


def payment_dto(payment: Payment, *, order_ids: list[int] | None = None) -> contracts.PaymentDTO:
    """Expects `orders` prefetched, unless the caller knows the order ids already."""
    if order_ids is None:
        order_ids = [o.id for o in payment.orders.all()]
    return contracts.PaymentDTO(
        id=payment.id,
        method=payment.method,
        status=payment.status,
        amount=payment.amount,
        currency=payment.currency,
        order_ids=tuple(sorted(order_ids)),
        pay_url=payment.pay_url,
        virtual_account=payment.virtual_account,
        expires_at=payment.expires_at,
    )


def payment_by_id(payment_id: int, *, buyer_id: int | None = None) -> Payment:
    payments = Payment.objects.using(ALIAS).prefetch_related("orders").filter(id=payment_id)
    if buyer_id is not None:
        payments = payments.filter(buyer_id=buyer_id)
    payment = payments.first()
    if payment is None:
        raise contracts.NotFound(gettext("Payment not found."))
    return payment


def payment_by_reference(reference: str) -> Payment | None:
    return (
        Payment.objects.using(ALIAS)
        .prefetch_related("orders__shop", "orders__lines")
        .filter(reference=reference)
        .first()
    )


def categories() -> list[contracts.CategoryDTO]:
    return [
        contracts.CategoryDTO(id=c.id, name=c.name, slug=c.slug, parent_id=c.parent_id)
        for c in Category.objects.using(ALIAS).order_by("name", "id")
    ]


def reviews_for_product(*, product_id: int, limit: int) -> list[contracts.ReviewDTO]:
    reviews = Review.objects.using(ALIAS).filter(product_id=product_id).order_by("-id")[: max(0, min(limit, 100))]
    return [
        contracts.ReviewDTO(
            id=r.id,
            product_id=r.product_id,
            order_line_id=r.order_line_id,
            buyer_id=r.buyer_id,
            stars=r.stars,
            text=r.text,
            created_at=r.created_at,
            seller_reply=r.seller_reply,
        )
        for r in reviews
    ]


# --- Seller side: everything scoped to the shops of one owner ---------------------------


def shops_for_owner(owner_user_id: int):
    return Shop.objects.using(ALIAS).filter(owner_user_id=owner_user_id).order_by("id")


def orders_for_seller(owner_user_id: int, *, status: str | None = None):
    orders = (
        Order.objects.using(ALIAS)
        .filter(shop__owner_user_id=owner_user_id)
        .select_related("shop", "voucher")
        .prefetch_related("lines", "timeline")
        .order_by("-id")
    )
    return orders.filter(status=status) if status else orders


def low_stock_variants(owner_user_id: int, *, threshold: int = 5):
    """Variants of live products with at most `threshold` units available, fewest first."""
    return (
        Variant.objects.using(ALIAS)
        .filter(product__shop__owner_user_id=owner_user_id)
        .exclude(product__status=ProductStatus.ARCHIVED)
        .annotate(available=F("stock_on_hand") - F("stock_reserved"))
        .filter(available__lte=threshold)
        .select_related("product")
        .order_by("available", "id")
    )


SOLD_STATUSES = [
    OrderStatus.PAID,
    OrderStatus.PACKED,
    OrderStatus.SHIPPED,
    OrderStatus.DELIVERED,
    OrderStatus.COMPLETED,
]


def daily_sales(owner_user_id: int, *, days: int = 30) -> list[tuple]:
    """[(date, orders, revenue)] of each of the last `days` days (Jakarta dates), zeros included."""
    today = timezone.localdate()
    first = today - timedelta(days=days - 1)
    rows = (
        Order.objects.using(ALIAS)
        .filter(shop__owner_user_id=owner_user_id, status__in=SOLD_STATUSES)
        .filter(placed_at__date__gte=first)
        .annotate(day=TruncDate("placed_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(orders=Count("id"), revenue=Sum("total"))
    )
    by_day = {row["day"]: (row["orders"], row["revenue"]) for row in rows}
    return [(first + timedelta(days=n), *by_day.get(first + timedelta(days=n), (0, 0))) for n in range(days)]


def attributed_sales(owner_user_id: int) -> list[dict]:
    """Per shop: sales that came through creators, and the commission owed on them.

    Owed = earned and not reversed. Sales count attributed lines of sold orders."""
    sales = dict(
        OrderLine.objects.using(ALIAS)
        .filter(order__shop__owner_user_id=owner_user_id, order__status__in=SOLD_STATUSES)
        .exclude(attribution_source="")
        .values("order__shop_id")
        .annotate(amount=Sum(F("unit_price") * F("quantity")))
        .values_list("order__shop_id", "amount")
    )
    owed = dict(
        Commission.objects.using(ALIAS)
        .filter(shop__owner_user_id=owner_user_id, status=CommissionStatus.EARNED)
        .values("shop_id")
        .annotate(amount=Sum("amount"))
        .values_list("shop_id", "amount")
    )
    return [
        {
            "shop_id": shop.id,
            "shop_name": shop.name,
            "sales": sales.get(shop.id, 0),
            "commission_owed": owed.get(shop.id, 0),
        }
        for shop in shops_for_owner(owner_user_id)
    ]


# --- Checkout: the rows a quote is computed from (see services.quote) -----------------


def cart_items(buyer_id: int) -> list[CartItem]:
    """The buyer's cart lines with their variant, product and shop, by shop then line."""
    return list(
        CartItem.objects.using(ALIAS)
        .filter(cart__buyer_id=buyer_id)
        .select_related("variant__product__shop")
        .order_by("variant__product__shop_id", "id")
    )


def vouchers_by_code(codes: dict[int, str], *, for_update: bool = False) -> dict[int, Voucher]:
    """{shop_id: voucher} of the codes asked for ({shop_id: code}), in id order when locked."""
    if not codes:
        return {}
    found = Voucher.objects.using(ALIAS).filter(shop_id__in=list(codes), code__in=list(codes.values()))
    if for_update:
        found = found.select_for_update()
    return {v.shop_id: v for v in found.order_by("id") if codes.get(v.shop_id) == v.code}


def voucher_uses_of_buyer(buyer_id: int, voucher_ids: list[int]) -> dict[int, int]:
    """{voucher_id: how many times the buyer used it}, in one query."""
    if not voucher_ids:
        return {}
    return dict(
        VoucherUse.objects.using(ALIAS)
        .filter(voucher_id__in=voucher_ids, buyer_id=buyer_id)
        .values("voucher_id")
        .annotate(n=Count("id"))
        .values_list("voucher_id", "n")
    )


def active_couriers() -> dict[str, Courier]:
    return {c.code: c for c in Courier.objects.using(ALIAS).filter(is_active=True)}


def couriers() -> list[contracts.CourierDTO]:
    """The couriers a buyer may choose now, in their order."""
    return [
        contracts.CourierDTO(code=c.code, name=c.name, etd_days=c.etd_days)
        for c in Courier.objects.using(ALIAS).filter(is_active=True).order_by("id")
    ]


# --- Seller API: a seller's own records ------------------------------------------------------


def owner_has_shop(user_id: int) -> bool:
    return shops_for_owner(user_id).exists()


def products_of_owner(user_id: int):
    """Every product of the owner's shops, whatever its status, with its variants' stock."""
    return _products().filter(shop__owner_user_id=user_id).prefetch_related("variants").order_by("-id")


def vouchers_of_owner(user_id: int):
    return Voucher.objects.using(ALIAS).filter(shop__owner_user_id=user_id).order_by("-id")


def reviews_of_owner(user_id: int):
    return Review.objects.using(ALIAS).filter(shop__owner_user_id=user_id).order_by("-id")


# --- Payees' money: balances, statements, bank accounts, payouts -------------------------------
# A payee is a shop (its id) or a creator (the storefront's creator id, opaque here).

JAKARTA = ZoneInfo("Asia/Jakarta")
BUCKETS = ("pending", "available", "in_flight")


def _buckets(payee_kind: str) -> dict[str, str]:
    """The payee kind's ledger account kinds, each to its bucket name."""
    return dict(zip(PAYEE_ACCOUNTS[payee_kind], BUCKETS, strict=True))


def payee_balances(payee_kind: str, payee_ids: list[int]) -> list[contracts.BalanceDTO]:
    """Pending, available and in flight of each payee, in the order asked: one query."""
    buckets = _buckets(payee_kind)
    figures: dict[int, dict[str, int]] = {payee: dict.fromkeys(BUCKETS, 0) for payee in payee_ids}
    rows = LedgerAccount.objects.using(ALIAS).filter(kind__in=buckets, holder_id__in=payee_ids)
    for kind, holder, balance in rows.values_list("kind", "holder_id", "balance"):
        if holder is not None:  # the filter asks for holders: always
            figures[holder][buckets[kind]] = balance
    return [
        contracts.BalanceDTO(
            payee_kind=payee_kind,
            payee_id=payee,
            pending=figures[payee]["pending"],
            available=figures[payee]["available"],
            in_flight=figures[payee]["in_flight"],
        )
        for payee in payee_ids
    ]


def payee_balance(payee_kind: str, payee_id: int) -> contracts.BalanceDTO:
    return payee_balances(payee_kind, [payee_id])[0]


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=JAKARTA)


def payee_statement(payee_kind: str, payee_id: int, *, date_from: date, date_to: date) -> contracts.StatementDTO:
    """Every movement of the payee's money from `date_from` to `date_to` (both included, in
    Asia/Jakarta), between the opening and the closing balance: two queries, whatever the size."""
    problems = rules.statement_period_problems(date_from, date_to)
    if problems:
        raise contracts.InvalidRequest(next(iter(problems.values()))[0], fields=problems)
    buckets = _buckets(payee_kind)
    start, end = _day_start(date_from), _day_start(date_to + timedelta(days=1))
    entries = LedgerEntry.objects.using(ALIAS).filter(account__kind__in=buckets, account__holder_id=payee_id)
    opening = entries.filter(transaction__created_at__lt=start).aggregate(total=Sum("amount"))["total"] or 0
    rows = (
        entries.filter(transaction__created_at__gte=start, transaction__created_at__lt=end)
        .select_related("account", "transaction__order", "transaction__payout")
        .order_by("transaction__created_at", "transaction_id", "id")
    )
    lines, running = [], opening
    for entry in rows:
        move = entry.transaction
        running += entry.amount
        lines.append(
            contracts.StatementLineDTO(
                id=entry.id,
                at=move.created_at,
                kind=move.kind,
                bucket=buckets[entry.account.kind],
                description=str(move.get_kind_display()),
                amount=entry.amount,
                balance_after=running,
                order_number=move.order.number if move.order else "",
                payout_reference=move.payout.reference if move.payout else "",
            )
        )
    return contracts.StatementDTO(
        payee_kind=payee_kind,
        payee_id=payee_id,
        date_from=date_from,
        date_to=date_to,
        opening=opening,
        closing=running,
        lines=tuple(lines),
    )


def bank_account_dto(account: BankAccount) -> contracts.BankAccountDTO:
    number = account.number
    return contracts.BankAccountDTO(
        id=account.id,
        bank_code=account.bank_code,
        bank_name=disbursements.BANKS.get(account.bank_code, account.bank_code.upper()),
        number_masked="•" * max(len(number) - 4, 0) + number[-4:],
        holder_name=account.holder_name,
        verified=account.verified_at is not None,
        created_at=account.created_at,
    )


def payout_dto(payout: Payout) -> contracts.PayoutDTO:
    return contracts.PayoutDTO(
        id=payout.id,
        reference=payout.reference,
        bank_account_id=payout.bank_account_id,
        amount=payout.amount,
        status=payout.status,
        requested_at=payout.requested_at,
        settled_at=payout.settled_at,
        failure_reason=payout.failure_reason,
    )


def bank_accounts_of(payee_kind: str, payee_ids: list[int]):
    return BankAccount.objects.using(ALIAS).filter(payee_kind=payee_kind, payee_id__in=payee_ids).order_by("-id")


def payouts_of(payee_kind: str, payee_ids: list[int]):
    return Payout.objects.using(ALIAS).filter(payee_kind=payee_kind, payee_id__in=payee_ids).order_by("-id")


def shop_of_owner(owner_user_id: int, shop_id: int | None) -> Shop:
    """The owner's shop `shop_id`, or their only shop when none is named."""
    shops = list(shops_for_owner(owner_user_id)[:2]) if shop_id is None else []
    if shop_id is None:
        if len(shops) == 1:
            return shops[0]
        if not shops:
            raise contracts.NotFound(gettext("Shop not found."))
        message = gettext("You have several shops: choose one.")
        raise contracts.InvalidRequest(message, fields={"shop": [message]})
    shop = shops_for_owner(owner_user_id).filter(id=shop_id).first()
    if shop is None:
        raise contracts.NotFound(gettext("Shop not found."))
    return shop


def platform_finance() -> dict[str, int]:
    """What the platform earned, spent on promotions and holds for others, and what is being
    paid out: two queries."""
    totals = dict(
        LedgerAccount.objects.using(ALIAS).values("kind").annotate(total=Sum("balance")).values_list("kind", "total")
    )
    held_kinds = [kind for kinds in PAYEE_ACCOUNTS.values() for kind in kinds] + [AccountKind.COURIER_PAYABLE]
    in_flight = (
        Payout.objects.using(ALIAS)
        .filter(status=PayoutStatus.REQUESTED)
        .aggregate(count=Count("id"), amount=Sum("amount"))
    )
    return {
        "fees": totals.get(AccountKind.PLATFORM_FEES, 0),
        "vat": totals.get(AccountKind.TAX_PAYABLE, 0),
        # The expense account gives money to payees: its balance is negative by what it spent.
        "promotions": -totals.get(AccountKind.PLATFORM_PROMOTIONS, 0),
        "held_for_shops": sum(totals.get(kind, 0) for kind in PAYEE_ACCOUNTS[PayeeKind.SHOP]),
        "held_for_creators": sum(totals.get(kind, 0) for kind in PAYEE_ACCOUNTS[PayeeKind.CREATOR]),
        "held": sum(totals.get(kind, 0) for kind in held_kinds),
        "payouts_in_flight": in_flight["count"] or 0,
        "payouts_in_flight_amount": in_flight["amount"] or 0,
    }
