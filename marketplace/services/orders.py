"""The order life cycle after checkout: pack, ship, deliver, complete, cancel, refund."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from integration import contracts, events
from integration.publish import publish

from .. import payments, pricing
from ..metrics import REFUNDS
from ..models import (
    Commission,
    CommissionStatus,
    Courier,
    Order,
    OrderStatus,
    OrderStatusChange,
    OutboxEvent,
    Payment,
    PaymentMethod,
    PaymentStatus,
    Product,
    Voucher,
    VoucherUse,
)
from . import promotions
from ._common import ALIAS, _invalid, _owned, _reason
from .ledger import ledger_capture, ledger_refund, ledger_settle
from .order_events import _commission_fields, _publish_cancelled
from .stock import _in_stock, _publish_stock_crossings, _release, _restock

TRANSITIONS: dict[str, set[str]] = {
    OrderStatus.PENDING_PAYMENT: {OrderStatus.PAID, OrderStatus.CANCELLED, OrderStatus.EXPIRED},
    OrderStatus.PAID: {OrderStatus.PACKED, OrderStatus.CANCELLED, OrderStatus.REFUNDED},
    OrderStatus.PACKED: {OrderStatus.SHIPPED, OrderStatus.CANCELLED, OrderStatus.REFUNDED},
    OrderStatus.SHIPPED: {OrderStatus.DELIVERED},
    OrderStatus.DELIVERED: {OrderStatus.COMPLETED, OrderStatus.REFUNDED},
    OrderStatus.COMPLETED: {OrderStatus.REFUNDED},
}


def _transition(order: Order, status: str, note: str = "") -> None:
    if status not in TRANSITIONS.get(order.status, set()):
        raise contracts.InvalidRequest(
            _("An order that is %(current)s cannot become %(new)s.")
            % {"current": OrderStatus(order.status).label, "new": OrderStatus(status).label},
            code="illegal_transition",
            fields={"status": [_("Not allowed from %(current)s.") % {"current": OrderStatus(order.status).label}]},
        )
    order.status = status
    OrderStatusChange.objects.using(ALIAS).create(order=order, status=status, note=note[:255])


def _locked_order(order_id: int, *, buyer_id: int | None = None, owner_user_id: int | None = None) -> Order:
    """The order, row-locked, and only if it belongs to the given buyer or shop owner."""
    orders = Order.objects.using(ALIAS).select_for_update().filter(id=order_id)
    if buyer_id is not None:
        orders = orders.filter(buyer_id=buyer_id)
    return _owned(orders, owner_user_id, "shop__owner_user_id", _("Order not found."))


def _unsell(lines) -> None:
    for line in sorted(lines, key=lambda line: line.product_id):
        Product.objects.using(ALIAS).filter(id=line.product_id, sold_count__gte=line.quantity).update(
            sold_count=F("sold_count") - line.quantity
        )


def _give_back(order: Order) -> None:
    """Returns an order's units to the shelf (or its reservation) and its voucher use."""
    lines = sorted(order.lines.all(), key=lambda line: line.variant_id)
    before = _in_stock(line.product_id for line in lines)
    for line in lines:
        if order.stock_committed:
            _restock(line.variant_id, line.quantity)
        else:
            _release(line.variant_id, line.quantity)
    _unsell(lines)
    if order.voucher_id is not None and VoucherUse.objects.using(ALIAS).filter(order=order).delete()[0]:
        Voucher.objects.using(ALIAS).filter(id=order.voucher_id, used_count__gt=0).update(
            used_count=F("used_count") - 1
        )
    promotions.give_back(order)
    _publish_stock_crossings(before)


def _payment_shrink(order: Order, payment: Payment | None) -> None:
    """A pending order left its (locked) payment: the shopper now owes less (nothing,
    when none is left). A gateway session opened for the old amount is void: the
    payment gets a new reference, and starting the payment opens a session anew."""
    if payment is None or payment.status != PaymentStatus.PENDING:
        return
    payment.amount -= order.total
    if payment.amount == 0:
        payment.status = PaymentStatus.FAILED
    if payment.pay_url:
        payment.reference, payment.gateway, payment.pay_url, payment.virtual_account = (
            payments.new_reference(),
            "",
            "",
            "",
        )
    payment.save(using=ALIAS, update_fields=["amount", "status", "reference", "gateway", "pay_url", "virtual_account"])


def order_pack(*, order_id: int, owner_user_id: int | None = None) -> Order:
    with transaction.atomic(using=ALIAS):
        order = _locked_order(order_id, owner_user_id=owner_user_id)
        _transition(order, OrderStatus.PACKED)
        order.save(using=ALIAS, update_fields=["status"])
    return order


def order_ship(*, order_id: int, courier: str, tracking_number: str, owner_user_id: int | None = None) -> Order:
    tracking_number = (tracking_number or "").strip()
    if not tracking_number or len(tracking_number) > 60:
        raise _invalid("tracking_number", _("Enter the tracking number (at most 60 characters)."))
    with transaction.atomic(using=ALIAS):
        if not Courier.objects.using(ALIAS).filter(code=courier).exists():
            raise _invalid("courier", _("Choose one of the couriers."))
        order = _locked_order(order_id, owner_user_id=owner_user_id)
        _transition(order, OrderStatus.SHIPPED, note=f"{courier} {tracking_number}")
        order.courier, order.tracking_number = courier, tracking_number
        order.save(using=ALIAS, update_fields=["status", "courier", "tracking_number"])
        publish(
            OutboxEvent,
            events.OrderShipped(
                order_id=order.id,
                buyer_id=order.buyer_id,
                shop_id=order.shop_id,
                courier=courier,
                tracking_number=tracking_number,
            ),
        )
    return order


def order_deliver(*, order_id: int, buyer_id: int | None = None, owner_user_id: int | None = None) -> Order:
    """The buyer confirms receipt (or the seller records the courier's proof of delivery)."""
    with transaction.atomic(using=ALIAS):
        order = _locked_order(order_id, buyer_id=buyer_id, owner_user_id=owner_user_id)
        _transition(order, OrderStatus.DELIVERED)
        order.delivered_at = timezone.now()
        order.save(using=ALIAS, update_fields=["status", "delivered_at"])
        if order.payment_method == PaymentMethod.COD:  # the courier hands over the buyer's cash
            ledger_capture(order)
        publish(OutboxEvent, events.OrderDelivered(order_id=order.id, buyer_id=order.buyer_id, shop_id=order.shop_id))
    return order


def order_complete(*, order_id: int) -> Order:
    """Final: affiliate commissions on attributed lines are earned now."""
    with transaction.atomic(using=ALIAS):
        order = _locked_order(order_id)
        _transition(order, OrderStatus.COMPLETED)
        order.save(using=ALIAS, update_fields=["status"])
        ledger_settle(order)
        publish(OutboxEvent, events.OrderCompleted(order_id=order.id, buyer_id=order.buyer_id, shop_id=order.shop_id))
        for line in order.lines.all():
            if not line.attribution_source or not line.commission_bp:
                continue
            sale = line.unit_price * line.quantity
            commission = Commission.objects.using(ALIAS).create(
                order_line=line,
                order=order,
                shop_id=order.shop_id,
                product_id=line.product_id,
                source=line.attribution_source,
                creator_id=line.creator_id,
                post_id=line.post_id,
                campaign_id=line.campaign_id,
                rate_bp=line.commission_bp,
                sale_amount=sale,
                amount=pricing.commission_amount(sale_amount=sale, rate_bp=line.commission_bp),
            )
            publish(OutboxEvent, events.CommissionEarned(**_commission_fields(commission)))
    return order


def order_cancel(*, order_id: int, reason: str, buyer_id: int | None = None, owner_user_id: int | None = None) -> Order:
    """Cancels an order before it ships. A buyer may cancel only while it awaits payment;
    the seller may cancel later too, and a paid order is then refunded."""
    reason = _reason(reason, _("Say why the order is cancelled."))
    with transaction.atomic(using=ALIAS):
        # The payment first, then the order: the lock order of the callback and of expiry.
        payment_id = Order.objects.using(ALIAS).filter(id=order_id).values_list("payment_id", flat=True).first()
        payment = Payment.objects.using(ALIAS).select_for_update().filter(id=payment_id).first() if payment_id else None
        order = _locked_order(order_id, buyer_id=buyer_id, owner_user_id=owner_user_id)
        if buyer_id is not None and order.status != OrderStatus.PENDING_PAYMENT:
            raise contracts.InvalidRequest(
                _("Only an order awaiting payment can be cancelled; ask the seller."),
                code="illegal_transition",
                fields={"status": [_("Ask the seller to cancel.")]},
            )
        was_paid = order.status in (OrderStatus.PAID, OrderStatus.PACKED)
        refund = was_paid and order.payment_method != PaymentMethod.COD
        was_pending = order.status == OrderStatus.PENDING_PAYMENT
        _transition(order, OrderStatus.REFUNDED if refund else OrderStatus.CANCELLED, note=reason)
        order.cancel_reason = reason
        order.save(using=ALIAS, update_fields=["status", "cancel_reason"])
        if was_pending:
            _payment_shrink(order, payment)
        if refund:
            ledger_refund(order)
        _give_back(order)
        _publish_cancelled(order, refunded=refund, was_paid=was_paid)
    if refund:
        REFUNDS.labels("cancelled").inc()
    return order


def order_refund(*, order_id: int, reason: str, owner_user_id: int | None = None) -> Order:
    """Refunds a delivered or completed order; earned commissions are reversed."""
    reason = _reason(reason, _("Say why the order is refunded."))
    with transaction.atomic(using=ALIAS):
        order = _locked_order(order_id, owner_user_id=owner_user_id)
        if order.status not in (OrderStatus.DELIVERED, OrderStatus.COMPLETED):
            raise contracts.InvalidRequest(
                _("Only a delivered or completed order can be refunded; cancel it instead."),
                code="illegal_transition",
                fields={"status": [_("Cancel it instead.")]},
            )
        _transition(order, OrderStatus.REFUNDED, note=reason)
        order.cancel_reason = reason
        order.save(using=ALIAS, update_fields=["status", "cancel_reason"])
        ledger_refund(order)
        now = timezone.now()
        for commission in order.commissions.using(ALIAS).filter(status=CommissionStatus.EARNED).order_by("id"):
            commission.status, commission.reversed_at = CommissionStatus.REVERSED, now
            commission.save(using=ALIAS, update_fields=["status", "reversed_at"])
            publish(OutboxEvent, events.CommissionReversed(**_commission_fields(commission)))
        # The units are not back on the shelf (they were delivered), but they no longer count as sold.
        _unsell(order.lines.all())
        _publish_cancelled(order, refunded=True, was_paid=True)
    REFUNDS.labels("returned").inc()
    return order
