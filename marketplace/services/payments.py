"""Payments: gateway sessions, the gateway's signed callbacks, and expiry of unpaid orders."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from integration import contracts, events, tracing
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


@tracing.traced
def payment_open_session(*, payment_id: int) -> Payment:
    """Asks the gateway for its hosted page. Runs after checkout committed: no stock
    lock is held while the gateway is talked to. Raises Unavailable when the gateway
    cannot open it (the payment stays pending, to be started again)."""
    payment = Payment.objects.using(ALIAS).get(id=payment_id)
    if payment.pay_url or payment.status != PaymentStatus.PENDING:
        return payment
    gateway = gateways.gateway()
    try:
        session = gateway.create_session(reference=payment.reference, amount=payment.amount, method=payment.method)
    except gateways.GatewayError as error:
        logger.warning("payment session of %s not opened: %s", payment.reference, error)
        raise contracts.Unavailable(
            _("The payment gateway cannot be reached right now; try again in a moment.")
        ) from None
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


# Outcomes acknowledged to the gateway; every other one is refused, recorded and logged.
ACKNOWLEDGED = ("accepted", "duplicate", "failed", "late", "pending", "expired", "refunded")
# The gateway could not confirm the notification: refused so that it is sent again.
UNVERIFIED = "unverified"


def payment_notification_receive(*, body: bytes, signature: str) -> str:
    """Handles a gateway callback; returns its outcome. A repeat changes nothing; a
    forged, unknown, wrong-amount or out-of-order one changes nothing and is recorded
    and logged."""
    try:
        notification = gateways.gateway().parse_notification(body=body, signature=signature)
    except gateways.GatewayError as error:
        notification, unverified = None, str(error)
    else:
        unverified = ""
    with transaction.atomic(using=ALIAS):
        if notification is None:
            outcome, reference = (UNVERIFIED if unverified else "forged"), ""
        else:
            reference = notification.reference
            outcome = _apply_notification(notification)
        PaymentNotification.objects.using(ALIAS).create(
            reference=reference[:64], outcome=outcome, body=body.decode("utf-8", "replace")[:4000]
        )
    if outcome not in ACKNOWLEDGED:
        logger.warning("payment notification refused: %s (reference %r) %s", outcome, reference, unverified)
    return outcome


def payment_reconcile(*, payment_id: int) -> str:
    """Asks the gateway what became of a pending payment whose notification may have been
    lost, and applies its answer as a notification would be. Returns the outcome, "" when
    there was nothing to ask (not pending, no session opened, another gateway) or when the
    gateway knows nothing of it. Raises GatewayError when the gateway cannot be asked."""
    payment = Payment.objects.using(ALIAS).filter(id=payment_id).first()
    gateway = gateways.gateway()
    if payment is None or payment.status != PaymentStatus.PENDING or payment.gateway != gateway.name:
        return ""
    notification = gateway.status(reference=payment.reference)  # outside any lock
    if notification is None:
        return ""
    with transaction.atomic(using=ALIAS):
        outcome = _apply_notification(notification)
        if outcome != "pending":  # still unpaid: nothing to record
            PaymentNotification.objects.using(ALIAS).create(
                reference=payment.reference,
                outcome=outcome,
                body=f"reconciled: status {notification.status!r}, amount {notification.amount}",
            )
    if outcome not in ACKNOWLEDGED:
        logger.warning("payment reconciliation refused: %s (reference %r)", outcome, payment.reference)
    return outcome


def _apply_notification(notification: gateways.Notification) -> str:
    # Payment first, then its orders in id order: the same lock order as expiry.
    payment = Payment.objects.using(ALIAS).select_for_update().filter(reference=notification.reference).first()
    if payment is None:
        return "unknown"
    if notification.amount != payment.amount:
        return "wrong_amount"
    said, status = notification.status, payment.status
    if said == gateways.PAID:
        if status == PaymentStatus.PAID:
            return "duplicate"
        if status != PaymentStatus.PENDING:
            return "late"  # kept for a manual refund
        _pay(payment)
        return "accepted"
    if said in (gateways.PENDING, gateways.FAILED):
        # Still (or again) payable; after a payment or expiry it is out of order.
        return said if status == PaymentStatus.PENDING else "out_of_order"
    if said == gateways.EXPIRED:
        if status == PaymentStatus.PENDING:
            _expire(payment)
            return "expired"
        return "expired" if status == PaymentStatus.EXPIRED else "out_of_order"
    if said == gateways.REFUNDED:
        # Refunds are asked for by the marketplace; the gateway's word only confirms one.
        return "refunded" if status in (PaymentStatus.PAID, PaymentStatus.REFUNDED) else "out_of_order"
    return UNVERIFIED  # a status the gateway did not make clear


def _pay(payment: Payment) -> None:
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


def payment_expire(*, payment_id: int) -> int:
    """Expires a payment past its window and its unpaid orders, releasing their stock.
    Idempotent: returns the number of orders expired by this call (0 on a repeat)."""
    with transaction.atomic(using=ALIAS):
        payment = Payment.objects.using(ALIAS).select_for_update().filter(id=payment_id).first()
        if payment is None or payment.status != PaymentStatus.PENDING or payment.expires_at > timezone.now():
            return 0
        return _expire(payment)


def _expire(payment: Payment) -> int:
    """The locked pending `payment` and its unpaid orders expire; their stock comes back."""
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
