"""The facts an order's events carry, built in one place for every command that publishes them."""

from __future__ import annotations

from integration import events
from integration.publish import publish

from ..models import (
    Commission,
    Order,
    OutboxEvent,
)


def _order_facts(order: Order) -> tuple[events.OrderLineFact, ...]:
    return _line_facts(order.lines.all())


def _line_facts(lines) -> tuple[events.OrderLineFact, ...]:
    return tuple(
        events.OrderLineFact(
            product_id=line.product_id,
            variant_id=line.variant_id,
            quantity=line.quantity,
            unit_price=line.unit_price,
            attribution_source=line.attribution_source,
            creator_id=line.creator_id,
            post_id=line.post_id,
            campaign_id=line.campaign_id,
        )
        for line in lines
    )


def _order_event_fields(order: Order, facts) -> dict:
    return {
        "order_id": order.id,
        "number": order.number,
        "buyer_id": order.buyer_id,
        "shop_id": order.shop_id,
        "total": order.total,
        "currency": order.currency,
        "lines": facts,
    }


def _paid_event(order: Order, facts) -> events.OrderPaid:
    return events.OrderPaid(**_order_event_fields(order, facts))


def _publish_paid(order: Order, facts) -> None:
    publish(OutboxEvent, _paid_event(order, facts))


def _commission_fields(commission: Commission) -> dict:
    return {
        "commission_id": commission.id,
        "order_id": commission.order_id,
        "order_line_id": commission.order_line_id,
        "product_id": commission.product_id,
        "creator_id": commission.creator_id,
        "post_id": commission.post_id,
        "campaign_id": commission.campaign_id,
        "source": commission.source,
        "sale_amount": commission.sale_amount,
        "amount": commission.amount,
    }


def _publish_cancelled(order: Order, *, refunded: bool, was_paid: bool) -> None:
    publish(
        OutboxEvent,
        events.OrderCancelled(
            order_id=order.id,
            buyer_id=order.buyer_id,
            shop_id=order.shop_id,
            reason=order.cancel_reason,
            refunded=refunded,
            lines=_order_facts(order),
            was_paid=was_paid,
        ),
    )
