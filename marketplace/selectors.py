"""Reads of the marketplace, shaped as integration DTOs. Each runs a constant number of queries."""

from django.db.models import Max, Min, Q, Sum

from integration import contracts

from .models import Cart, CartItem, Order, Product, ProductStatus, Shop, Variant

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
        price_min, price_max = product.price_min or 0, product.price_max or 0
        available = (product.on_hand or 0) - (product.reserved or 0)
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
        is_local_business=shop.is_local_business,
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


def product_details(product_ids: list[int]) -> list[contracts.ProductDetail]:
    """Active products by id, in the order asked, with their variants. Two queries."""
    products = _products().filter(id__in=product_ids, status=ProductStatus.ACTIVE).prefetch_related("variants")
    by_id = {p.id: p for p in products}
    return [
        contracts.ProductDetail(
            summary=product_summary(p),
            description=p.description,
            variants=tuple(variant_dto(v) for v in p.variants.all()),
        )
        for pid in product_ids
        if (p := by_id.get(pid))
    ]


def product_summaries_after(*, after_id: int, limit: int) -> list[contracts.ProductSummary]:
    """Active products in id order, for bulk rebuilds of the storefront's read model."""
    products = _with_stock(_products().filter(status=ProductStatus.ACTIVE, id__gt=after_id)).order_by("id")[:limit]
    return [product_summary(p) for p in products]


def product_summary_by_id(product_id: int) -> contracts.ProductSummary:
    return product_summary(_with_stock(_products()).get(id=product_id))


def cart_dto(buyer_id: int) -> contracts.CartDTO:
    items = (
        CartItem.objects.using(ALIAS)
        .filter(cart__buyer_id=buyer_id)
        .select_related("variant__product__shop")
        .order_by("variant__product__shop_id", "id")
    )
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


def cart_for_buyer(buyer_id: int) -> Cart | None:
    return Cart.objects.using(ALIAS).filter(buyer_id=buyer_id).first()


def order_dto(order: Order) -> contracts.OrderDTO:
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
            )
            for line in order.lines.all()
        ),
    )


def _orders():
    return Order.objects.using(ALIAS).select_related("shop").prefetch_related("lines")


def orders_for_buyer(buyer_id: int, *, order_ids: list[int] | None = None) -> list[contracts.OrderDTO]:
    orders = _orders().filter(buyer_id=buyer_id)
    if order_ids is not None:
        orders = orders.filter(id__in=order_ids)
    return [order_dto(o) for o in orders.order_by("-id")]


def order_for_buyer(*, buyer_id: int, order_id: int) -> contracts.OrderDTO:
    order = _orders().filter(Q(id=order_id) & Q(buyer_id=buyer_id)).first()
    if order is None:
        raise contracts.NotFound("Order not found.")
    return order_dto(order)


# --- Seller API: a seller's own records ------------------------------------------------------


def shops_of_owner(user_id: int):
    return Shop.objects.using(ALIAS).filter(owner_user_id=user_id).order_by("id")


def owner_has_shop(user_id: int) -> bool:
    return shops_of_owner(user_id).exists()


def products_of_owner(user_id: int):
    """Every product of the owner's shops, whatever its status, with its variants' stock."""
    return _products().filter(shop__owner_user_id=user_id).prefetch_related("variants").order_by("-id")


def orders_of_owner(user_id: int):
    return _orders().filter(shop__owner_user_id=user_id).order_by("-id")
