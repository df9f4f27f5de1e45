from django.contrib import admin

from integration.admin import OutboxEventAdmin

from .models import OutboxEvent

admin.site.register(OutboxEvent, OutboxEventAdmin)
