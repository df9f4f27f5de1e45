"""The admin's "Integration" page, for platform staff: the seam between the storefront and the
marketplace at a glance. Both sides' readiness (the /readyz checks), each outbox's backlog and
dead letters (with the outbox admin's replay), the port calls of the last hour, and the last
purchases followed from their request to their orders, events and handlers.

Who may see it: staff who may view every outbox (platform staff; superusers). Replaying needs
the permission to change the outbox, as in the outbox's own admin. Sellers and creators are
staff too, but hold neither: they get 403.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache

from config.health import run_checks, side_of_check
from integration.dashboard import outbox_reports, recent_purchases
from integration.metrics import ERROR_OUTCOMES, MINUTES_KEPT, port_minutes, served_outboxes
from integration.publish import outbox_replay

logger = logging.getLogger(__name__)
SIDE_LABELS = {
    "storefront": gettext_lazy("Storefront"),
    "marketplace": gettext_lazy("Marketplace"),
    "shared": gettext_lazy("Shared"),
}


def _permission(action: str, label: str) -> str:
    model = apps.get_model(label)
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


def may_view(user) -> bool:
    return (
        user.is_active
        and user.is_staff
        and user.has_perms([_permission("view", label) for label in settings.INTEGRATION_OUTBOXES])
    )


def _replay(request) -> HttpResponseRedirect:
    label = request.POST.get("outbox", "")
    if label not in served_outboxes() or not request.user.has_perm(_permission("change", label)):
        raise PermissionDenied
    ids = [int(value) for value in request.POST.getlist("ids") if value.isdigit()]
    count = outbox_replay(outbox_label=label, ids=ids) if ids else 0
    if count:
        messages.success(
            request,
            ngettext("%(count)d event queued for delivery again.", "%(count)d events queued for delivery again.", count)
            % {"count": count},
        )
    else:
        messages.warning(request, _("Only undelivered events can be replayed."))
    return HttpResponseRedirect(reverse("admin_integration"))


def _health() -> list[dict]:
    by_side: dict[str, list[tuple[str, str]]] = {side: [] for side in SIDE_LABELS}
    for name, result in run_checks().items():
        by_side[side_of_check(name)].append((name, result))
    return [
        {"label": SIDE_LABELS[side], "checks": checks, "ok": all(result == "ok" for _name, result in checks)}
        for side, checks in by_side.items()
        if checks
    ]


def _port_traffic() -> dict:
    minutes = port_minutes()
    calls = sum(minute.calls for minute in minutes)
    errors = sum(minute.errors for minute in minutes)
    return {
        "minutes": list(reversed(minutes)),
        "calls": calls,
        "errors": errors,
        "per_minute": round(calls / MINUTES_KEPT, 1),
        "error_rate": round(100 * errors / calls, 1) if calls else 0.0,
        "error_outcomes": sorted(ERROR_OUTCOMES),
    }


def _read(what: str, reader: Callable[[], list[Any]]) -> tuple[list[Any], str]:
    """What `reader` returns, or nothing and the error's name when a database does not answer:
    the rest of the page still shows (the health section says which database failed)."""
    try:
        return reader(), ""
    except DatabaseError as exc:
        logger.warning("integration page: %s unreadable: %r", what, exc)
        return [], type(exc).__name__


@never_cache
def integration_view(request):
    if not may_view(request.user):
        raise PermissionDenied
    if request.method == "POST":
        return _replay(request)
    now = timezone.now()
    reports, reports_error = _read("outboxes", outbox_reports)
    purchases, purchases_error = _read("purchases", recent_purchases)
    context = {
        **admin.site.each_context(request),
        "title": _("Integration"),
        "health": _health(),
        "outboxes": [
            {
                "report": report,
                "lag_seconds": round(report.state.lag_seconds(now)),
                "may_replay": request.user.has_perm(_permission("change", report.state.label)),
            }
            for report in reports
        ],
        "outboxes_error": reports_error,
        "traffic": _port_traffic(),
        "purchases": purchases,
        "purchases_error": purchases_error,
    }
    return TemplateResponse(request, "admin/integration.html", context)


page = admin.site.admin_view(integration_view)
