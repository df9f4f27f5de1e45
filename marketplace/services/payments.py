"""Payments: gateway sessions, the gateway's signed callbacks, and expiry of unpaid orders."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from integration import contracts, events
from integration.publish import publish

from .. import payments as gateways
from ..models import (
    Order,
    OrderStatus,
    OutboxEvent,
    Payment,
    PaymentNotification,
    PaymentStatus,
)
from ._common import ALIAS, _invalid, logger
from .ledger import ledger_capture
from .order_events import _order_facts, _publish_paid
from .orders import _give_back, _transition
from .stock import _commit


def payment_open_session(*, payment_id: int) -> Payment:
    """Asks the gateway for its hosted page. Runs after checkout committed: no stock
    lock is held while the gateway is talked to."""
    payment = Payment.objects.using(ALIAS).get(id=payment_id)
    if payment.pay_url or payment.status != PaymentStatus.PENDING:
        return payment
    gateway = gateways.gateway()
    session = gateway.create_session(reference=payment.reference, amount=payment.amount, method=payment.method)
    opened = {"gateway": gateway.name, "pay_url": session.pay_url, "virtual_account": session.virtual_account}
    with transaction.atomic(using=ALIAS):
        won = Payment.objects.using(ALIAS).filter(id=payment.id, pay_url="").update(**opened)
    if won:
        for name, value in opened.items():
            setattr(payment, name, value)
    else:  # a concurrent call opened it first: show its session
        payment.refresh_from_db(using=ALIAS)
    return payment


def payment_for_order(*, buyer_id: int, order_id: int) -> Payment:
    order = Order.objects.using(ALIAS).filter(id=order_id, buyer_id=buyer_id).first()
    if order is None:
        raise contracts.NotFound(_("Order not found."))
    if order.payment_id is None:
        raise _invalid("order_id", _("This order is paid on delivery."))
    if order.status != OrderStatus.PENDING_PAYMENT:
        raise _invalid("order_id", _("This order no longer awaits payment."))
    return payment_open_session(payment_id=order.payment_id)


def payment_notification_receive(*, body: bytes, signature: str) -> str:
    """Handles a gateway callback; returns its outcome. A repeat changes nothing; a
    forged or wrong-amount one changes nothing and is recorded and logged."""
    notification = gateways.gateway().parse_notification(body=body, signature=signature)
    with transaction.atomic(using=ALIAS):
        if notification is None:
            outcome, reference = "forged", ""
        else:
            reference = notification.reference
            outcome = _apply_notification(notification)
        PaymentNotification.objects.using(ALIAS).create(
            reference=reference[:64], outcome=outcome, body=body.decode("utf-8", "replace")[:4000]
        )
    if outcome not in ("accepted", "duplicate", "failed"):
        logger.warning("payment notification refused: %s (reference %r)", outcome, reference)
    return outcome


def _apply_notification(notification: gateways.Notification) -> str:
    # Payment first, then its orders in id order: the same lock order as expiry.
    payment = Payment.objects.using(ALIAS).select_for_update().filter(reference=notification.reference).first()
    if payment is None:
        return "unknown"
    if notification.amount != payment.amount:
        return "wrong_amount"
    if payment.status == PaymentStatus.PAID:
        return "duplicate"
    if payment.status != PaymentStatus.PENDING or notification.status != "paid":
        return "late" if notification.status == "paid" else "failed"
    payment.status, payment.paid_at = PaymentStatus.PAID, timezone.now()
    payment.save(using=ALIAS, update_fields=["status", "paid_at"])
    orders = (
        Order.objects.using(ALIAS)
        .select_for_update()
        .filter(payment=payment, status=OrderStatus.PENDING_PAYMENT)
        .order_by("id")
    )
    for order in orders:
        _transition(order, OrderStatus.PAID, note=payment.reference)
        order.stock_committed = True
        order.save(using=ALIAS, update_fields=["status", "stock_committed"])
        for line in sorted(order.lines.all(), key=lambda line: line.variant_id):
            _commit(line.variant_id, line.quantity)
        ledger_capture(order)
        _publish_paid(order, _order_facts(order))
    return "accepted"


def payment_expire(*, payment_id: int) -> int:
    """Expires a payment past its window and its unpaid orders, releasing their stock.
    Idempotent: returns the number of orders expired by this call (0 on a repeat)."""
    with transaction.atomic(using=ALIAS):
        payment = Payment.objects.using(ALIAS).select_for_update().filter(id=payment_id).first()
        if payment is None or payment.status != PaymentStatus.PENDING or payment.expires_at > timezone.now():
            return 0
        payment.status = PaymentStatus.EXPIRED
        payment.save(using=ALIAS, update_fields=["status"])
        orders = list(
            Order.objects.using(ALIAS)
            .select_for_update()
            .filter(payment=payment, status=OrderStatus.PENDING_PAYMENT)
            .order_by("id")
        )
        for order in orders:
            _transition(order, OrderStatus.EXPIRED)
            order.save(using=ALIAS, update_fields=["status"])
            _give_back(order)
            publish(
                OutboxEvent,
                events.OrderExpired(
                    order_id=order.id, buyer_id=order.buyer_id, shop_id=order.shop_id, lines=_order_facts(order)
                ),
            )
    return len(orders)
