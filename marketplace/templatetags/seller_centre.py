"""The seller's panel on the admin index, built from the seller selectors."""

from django import template
from django.utils.translation import gettext as _

from backoffice.charts import daily_bar_chart
from integration.deployment import serves
from integration.money import format_rupiah

from .. import selectors
from ..models import OrderStatus

register = template.Library()
DAYS = 30
LIMIT = 10
TO_SHIP = [OrderStatus.PAID, OrderStatus.PACKED]


@register.inclusion_tag("admin/marketplace/seller_dashboard.html", takes_context=True)
def seller_dashboard(context):
    owner = context["request"].user.pk
    shops = list(selectors.shops_for_owner(owner)) if serves("marketplace") else []
    if not shops:
        return {"is_seller": False}
    points = [(day, revenue) for day, _orders, revenue in selectors.daily_sales(owner, days=DAYS)]
    to_ship = selectors.orders_for_seller(owner).filter(status__in=TO_SHIP).order_by("placed_at", "id")
    # One row past the limit says "more than ten" without a count query of its own.
    orders_to_ship = list(to_ship[: LIMIT + 1])
    low_stock = list(selectors.low_stock_variants(owner)[: LIMIT + 1])
    return {
        "is_seller": True,
        "shops": shops,
        "orders_to_ship": orders_to_ship[:LIMIT],
        "low_stock": low_stock[:LIMIT],
        "cards": [
            {"id": "card-to-ship", "label": _("Orders to ship"), "value": _at_most(len(orders_to_ship))},
            {"id": "card-low-stock", "label": _("Variants low on stock"), "value": _at_most(len(low_stock))},
            {"id": "card-today", "label": _("Sales today"), "value": format_rupiah(points[-1][1] if points else 0)},
            {
                "id": "card-30-days",
                "label": _("Sales, last %(days)d days") % {"days": DAYS},
                "value": format_rupiah(sum(value for _day, value in points)),
            },
        ],
        "sales_total": format_rupiah(sum(value for _day, value in points)),
        "attributed": [
            {**row, "sales": format_rupiah(row["sales"]), "commission_owed": format_rupiah(row["commission_owed"])}
            for row in selectors.attributed_sales(owner)
        ],
        "chart": daily_bar_chart(points, title=_("Sales of the last %(days)d days (Rp)") % {"days": DAYS}),
    }


def _at_most(found: int) -> str:
    return f"{LIMIT}+" if found > LIMIT else str(found)
