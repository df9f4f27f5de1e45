"""`{% integration_link %}`: the admin index's link to the integration page, for those who may open it."""

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from config.admin_integration import may_view

register = template.Library()


@register.simple_tag(takes_context=True)
def integration_link(context) -> str:
    request = context.get("request")
    if request is None or not may_view(request.user):
        return ""
    return format_html(
        '<div class="module centre-panel" id="integration-link"><h2 class="centre-title">'
        '<a href="{}">{}</a></h2><p>{}</p></div>',
        reverse("admin_integration"),
        _("Integration"),
        _("Both sides' health, the outboxes and their dead letters, port calls and the last purchases' paths."),
    )
