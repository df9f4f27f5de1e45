"""Scheduled work of the marketplace (Celery beat). Each task is idempotent: it
finds what is due and calls a service that re-checks under a row lock."""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from integration import contracts

from . import payments, services
from .models import Order, OrderStatus, Payment, PaymentStatus

ALIAS = "marketplace"
logger = logging.getLogger(__name__)
PURGE_BATCH_SIZE = 1000
PURGE_BATCHES = 20


@shared_task(name="marketplace.expire_unpaid_orders")
def expire_unpaid_orders() -> int:
    """Expires every payment past its window with its unpaid orders; returns orders expired."""
    due = Payment.objects.using(ALIAS).filter(status=PaymentStatus.PENDING, expires_at__lte=timezone.now())
    return sum(services.payment_expire(payment_id=pid) for pid in due.values_list("id", flat=True)[:1000])


@shared_task(name="marketplace.reconcile_pending_payments")
def reconcile_pending_payments() -> int:
    """Asks the gateway about payments still pending PAYMENT_RECONCILE_AFTER_MINUTES after
    checkout (their notification may be lost); returns how many were paid or expired by it."""
    cutoff = timezone.now() - timedelta(minutes=settings.PAYMENT_RECONCILE_AFTER_MINUTES)
    due = (
        Payment.objects.using(ALIAS)
        .filter(status=PaymentStatus.PENDING, created_at__lte=cutoff, gateway=payments.gateway_name())
        .exclude(pay_url="")
        .order_by("id")
    )
    healed = 0
    for payment_id in due.values_list("id", flat=True)[:1000]:
        try:
            outcome = services.payment_reconcile(payment_id=payment_id)
        except payments.GatewayError as error:  # unreachable now: the next run asks again
            logger.warning("payment reconciliation of %s failed: %s", payment_id, error)
            continue
        healed += outcome in ("accepted", "expired")
    return healed


@shared_task(name="marketplace.complete_delivered_orders")
def complete_delivered_orders() -> int:
    """Completes orders delivered more than ORDER_AUTO_COMPLETE_DAYS ago; returns how many."""
    cutoff = timezone.now() - timedelta(days=settings.ORDER_AUTO_COMPLETE_DAYS)
    due = Order.objects.using(ALIAS).filter(status=OrderStatus.DELIVERED, delivered_at__lte=cutoff)
    done = 0
    for order_id in due.values_list("id", flat=True)[:1000]:
        try:
            services.order_complete(order_id=order_id)
        except contracts.InvalidRequest:  # changed meanwhile (refunded): nothing to do
            continue
        done += 1
    return done


@shared_task(name="marketplace.purge_checkout_keys")
def purge_checkout_keys() -> int:
    """Forgets checkout idempotency keys older than CHECKOUT_KEY_RETENTION_DAYS; returns how many."""
    # A key is honoured for at least a day, whatever the setting says.
    days = max(1, settings.CHECKOUT_KEY_RETENTION_DAYS)
    cutoff = timezone.now() - timedelta(days=days)
    purged = 0
    for _batch in range(PURGE_BATCHES):  # bounded per run; the next run picks up the rest
        done = services.checkout_keys_purge(created_before=cutoff, limit=PURGE_BATCH_SIZE)
        purged += done
        if done < PURGE_BATCH_SIZE:
            break
    return purged


@shared_task(name="marketplace.reconcile_ledger")
def reconcile_ledger() -> int:
    """Recomputes every ledger balance from its entries; returns how many differ (0 is healthy)."""
    return len(services.ledger_reconcile().differences)
