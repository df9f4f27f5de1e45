"""An admin for any context's outbox: find dead-lettered events and replay them.

A context registers it for its concrete table in one line:
`admin.site.register(OutboxEvent, OutboxEventAdmin)`.
"""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .outbox import OutboxStatus
from .publish import outbox_replay


class OutboxEventAdmin(admin.ModelAdmin):
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

    def has_add_permission(self, request):
        return False  # events are written by their context's services, never by hand

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Replay the selected events"), permissions=["change"])
    def replay(self, request, queryset):
        ids = list(queryset.exclude(status=OutboxStatus.DELIVERED).values_list("id", flat=True))
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
