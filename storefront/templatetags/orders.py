"""Names people read for the marketplace's stable codes (order status, payment method)."""

from django import template
from django.utils.translation import gettext_lazy as _

from ..forms import PAYMENT_METHODS

register = template.Library()

ORDER_STATUSES = {
    "pending_payment": _("Awaiting payment"),
    "paid": _("Paid"),
    "packed": _("Packed"),
    "shipped": _("Shipped"),
    "delivered": _("Delivered"),
    "completed": _("Completed"),
    "cancelled": _("Cancelled"),
    "expired": _("Expired"),
    "refunded": _("Refunded"),
}


@register.filter
def order_status(code: str) -> str:
    return str(ORDER_STATUSES.get(code, code))


@register.filter
def payment_method(code: str) -> str:
    return str(dict(PAYMENT_METHODS).get(code, code))
