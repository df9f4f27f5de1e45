"""The seller's panel on the admin index."""

from datetime import datetime, time

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice.charts import daily_bar_chart, last_days

from .. import selectors

register = template.Library()
DAYS = 30


def _start_of(day):
    return timezone.make_aware(datetime.combine(day, time.min))


@register.inclusion_tag("admin/marketplace/seller_dashboard.html", takes_context=True)
def seller_dashboard(context):
    user = context["request"].user
    days = last_days(timezone.localdate(), DAYS)
    board = selectors.seller_dashboard(owner_user_id=user.pk, since=_start_of(days[0]))
    if board is None:
        return {"board": None}
    points = [(day, board.sales_by_day.get(day, 0)) for day in days]
    return {
        "board": board,
        "sales_total": sum(value for _day, value in points),
        "chart": daily_bar_chart(points, title=_("Sales of the last %(days)d days (Rp)") % {"days": DAYS}),
    }
