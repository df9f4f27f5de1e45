"""The seller's panel on the admin index, built from the seller selectors."""

from django import template
from django.utils.translation import gettext as _

from backoffice.charts import daily_bar_chart

from .. import selectors
from ..models import OrderStatus

register = template.Library()
DAYS = 30
LIMIT = 10
TO_SHIP = [OrderStatus.PAID, OrderStatus.PACKED]


@register.inclusion_tag("admin/marketplace/seller_dashboard.html", takes_context=True)
def seller_dashboard(context):
    owner = context["request"].user.pk
    if not selectors.shops_for_owner(owner).exists():
        return {"is_seller": False}
    points = [(day, revenue) for day, _orders, revenue in selectors.daily_sales(owner, days=DAYS)]
    to_ship = selectors.orders_for_seller(owner).filter(status__in=TO_SHIP).order_by("placed_at", "id")
    return {
        "is_seller": True,
        "orders_to_ship": list(to_ship[:LIMIT]),
        "low_stock": list(selectors.low_stock_variants(owner)[:LIMIT]),
        "sales_total": sum(value for _day, value in points),
        "chart": daily_bar_chart(points, title=_("Sales of the last %(days)d days (Rp)") % {"days": DAYS}),
    }
