"""Abstract outbox and inbox tables; each context owns the concrete ones.

A context publishes by writing an outbox row in its own database inside the
transaction that makes the change (`integration.publish`). After commit a
Celery task relays pending rows to the subscribers (`integration.relay`). Each
subscriber runs inside a transaction on its own database that also records the
event id in its inbox, so a redelivered event changes nothing.
"""

import uuid

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from .events import Envelope
from .tracing import TRACE_KEY


class OutboxStatus(models.TextChoices):
    PENDING = "pending", "pending"
    DELIVERED = "delivered", "delivered"
    DEAD = "dead", "dead"


class AbstractOutboxEvent(models.Model):
    # The integer id orders events of one outbox; event_id is their identity.
    event_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    type = models.CharField(max_length=100)
    version = models.PositiveSmallIntegerField()
    occurred_at = models.DateTimeField(default=timezone.now)
    payload = models.JSONField(encoder=DjangoJSONEncoder)
    status = models.CharField(max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    available_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    # The request that caused the event (see integration.correlation), for the logs.
    request_id = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        abstract = True
        ordering = ["id"]
        indexes = [models.Index(fields=["status", "available_at"], name="%(app_label)s_outbox_due")]

    def __str__(self) -> str:
        return f"{self.type} v{self.version} {self.event_id}"

    def envelope(self) -> Envelope:
        payload, traceparent = self.payload, ""
        if TRACE_KEY in payload:
            # The trace context rides in the payload column (integration.tracing); the event does not see it.
            payload = dict(payload)
            traceparent = str(payload.pop(TRACE_KEY))
        return Envelope(self.event_id, self.type, self.version, self.occurred_at, payload, traceparent)


class AbstractInboxEvent(models.Model):
    event_id = models.UUIDField()
    handler = models.CharField(max_length=200)
    processed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        constraints = [
            models.UniqueConstraint(fields=["event_id", "handler"], name="%(app_label)s_inbox_once"),
        ]
