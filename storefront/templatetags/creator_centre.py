"""The creator's panel on the admin index."""

from datetime import datetime, time

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice.charts import daily_bar_chart, last_days
from integration.deployment import serves
from integration.money import format_rupiah

from .. import selectors

register = template.Library()
DAYS = 30


@register.inclusion_tag("admin/storefront/creator_dashboard.html", takes_context=True)
def creator_dashboard(context):
    user = context["request"].user
    days = last_days(timezone.localdate(), DAYS)
    since = timezone.make_aware(datetime.combine(days[0], time.min))
    board = selectors.creator_dashboard(user_id=user.pk, since=since) if serves("storefront") else None
    if board is None:
        return {"board": None}
    points = [(day, board.views_by_day.get(day, 0)) for day in days]
    return {
        "board": board,
        "earnings": {
            "sales": format_rupiah(board.creator.attributed_sales),
            "commission": format_rupiah(board.creator.commission_earned),
        },
        "chart": daily_bar_chart(
            points, title=_("Views of the posts published on each of the last %(days)d days") % {"days": DAYS}
        ),
    }
