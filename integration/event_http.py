"""Events handed to a subscriber deployed apart (`INTEGRATION_EVENT_TRANSPORT=http`).

The publisher's relay POSTs a batch of envelopes to the subscribing side's
`/internal/<side>/v1/events/` with that side's service token; the subscriber runs
its own handlers and inbox in its own database (`integration.endpoint.events_view`)
and answers the events it failed on. A subscriber that cannot be reached, refuses
the token or answers anything but the documented reply fails the whole batch for
that side: the relay keeps the rows pending and retries them with backoff, and the
subscriber's inbox makes a redelivery harmless.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from functools import cache

import httpx
from django.conf import settings
from opentelemetry.trace import SpanKind
from opentelemetry.util.types import AttributeValue

from . import codec, correlation, tracing
from .events import Envelope

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Delivered:
    """One event on the wire: its envelope and the request id it was published under."""

    envelope: Envelope
    request_id: str


@dataclass(frozen=True)
class Batch:
    events: list[Delivered]


@dataclass(frozen=True)
class Outcome:
    """The subscriber's answer: the events it failed on (event id -> error)."""

    failures: dict[str, str]


class EventSink:
    def __init__(
        self, *, url: str, token: str, timeout: float = 10.0, transport: httpx.BaseTransport | None = None
    ) -> None:
        self.url = url
        self._client = httpx.Client(
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            timeout=httpx.Timeout(timeout, connect=2.0),
            transport=transport,
        )

    def deliver(self, batch: list[tuple[Envelope, str]]) -> dict[uuid.UUID, str]:
        """The subscriber's failures by event id; every event of `batch` when it could not answer."""
        body = codec.encode(Batch([Delivered(envelope, request_id) for envelope, request_id in batch]))
        attributes: dict[str, AttributeValue] = {
            "http.request.method": "POST",
            "url.full": self.url,
            "messaging.system": "jalin",
            "messaging.operation.type": "send",
            "messaging.batch.message_count": len(batch),
        }
        with tracing.span("POST events", kind=SpanKind.CLIENT, attributes=attributes) as send_span:
            headers = {correlation.HEADER: batch[0][1]}
            tracing.inject(headers)  # the subscriber's request span continues the relay's trace
            try:
                response = self._client.post(self.url, content=body, headers=headers)
                tracing.set_attributes(send_span, {"http.response.status_code": response.status_code})
                if response.status_code != 200:
                    raise ValueError(f"answered {response.status_code}: {response.text[:200]}")
                outcome = codec.decode(response.content, Outcome)
                tracing.set_attributes(send_span, {"jalin.failed_events": len(outcome.failures)})
                return {uuid.UUID(event_id): error for event_id, error in outcome.failures.items()}
            except (httpx.HTTPError, ValueError) as exc:  # CodecError is a ValueError
                logger.warning("event subscriber at %s did not take %d events: %s", self.url, len(batch), exc)
                tracing.fail(send_span, str(exc))
                return {envelope.id: f"subscriber at {self.url} unreachable: {exc}" for envelope, _ in batch}


@cache
def _sink(url: str, token: str, timeout: float) -> EventSink:
    return EventSink(url=url, token=token, timeout=timeout)


def sink(side: str) -> EventSink:
    """The subscriber `side` (an app label, e.g. "storefront") as the settings name it."""
    return _sink(
        settings.INTEGRATION_EVENT_ENDPOINTS[side],
        settings.INTEGRATION_SERVICE_TOKENS[side],
        settings.INTEGRATION_EVENT_TIMEOUT,
    )
