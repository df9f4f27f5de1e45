"""An admin for any context's outbox: find dead-lettered events and replay them.

A context registers it for its concrete table in one line:
`admin.site.register(OutboxEvent, OutboxEventAdmin)`.
"""

from typing import TYPE_CHECKING

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .outbox import AbstractOutboxEvent, OutboxStatus
from .publish import outbox_replay

if TYPE_CHECKING:  # ModelAdmin is generic in the type stubs only
    _ModelAdmin = admin.ModelAdmin[AbstractOutboxEvent]
else:
    _ModelAdmin = admin.ModelAdmin


class OutboxEventAdmin(_ModelAdmin):
    list_display = ["id", "type", "version", "status", "attempts", "occurred_at", "available_at", "request_id"]
    list_filter = ["status", "type"]
    search_fields = ["event_id", "request_id", "type"]
    ordering = ["-id"]
    actions = ["replay"]
    readonly_fields = [
        "event_id",
        "type",
        "version",
        "occurred_at",
        "payload",
        "status",
        "attempts",
        "available_at",
        "delivered_at",
        "last_error",
        "request_id",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # events are written by their context's services, never by hand

    def has_delete_permission(self, request: HttpRequest, obj: AbstractOutboxEvent | None = None) -> bool:
        return False

    @admin.action(description=_("Replay the selected events"), permissions=["change"])
    def replay(self, request: HttpRequest, queryset: QuerySet[AbstractOutboxEvent]) -> None:
        ids = list(queryset.exclude(status=OutboxStatus.DELIVERED).values_list("pk", flat=True))
        count = outbox_replay(outbox_label=self.model._meta.label, ids=ids)
        if count:
            self.message_user(
                request,
                ngettext(
                    "%(count)d event queued for delivery again.", "%(count)d events queued for delivery again.", count
                )
                % {"count": count},
                messages.SUCCESS,
            )
        else:
            self.message_user(request, _("Only undelivered events can be replayed."), messages.WARNING)
