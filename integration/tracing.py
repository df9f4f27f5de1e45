"""Tracing (OpenTelemetry): one purchase is one trace, across the storefront and the marketplace.

The composition root installs a tracer provider at start-up (`configure_from_settings`, from
`config.apps`): spans go to an OTLP/HTTP collector when `TRACING_OTLP_ENDPOINT` is set
(Jaeger, Tempo, an OpenTelemetry Collector), to a JSON-lines file when `TRACING_FILE` is set,
and nowhere otherwise. With neither, no provider is installed at all: every helper here
checks one module global and does nothing else, so tracing off costs next to nothing.

The trace context (W3C `traceparent`) travels with the work:

- a web request is a span named by its route (`config.middleware.TracingMiddleware`); an
  internal call (`/internal/`) continues the caller's `traceparent`, a public one starts anew;
- a port call is a span, in process and over HTTP (`integration.http` sends `traceparent`);
- an outbox row keeps the context it was written in (inside its payload, under `TRACE_KEY`,
  taken out again by `AbstractOutboxEvent.envelope`), so each subscriber's handler span
  continues the trace of the change that published the event, whenever and wherever the
  relay delivers it; the relay's batch and its HTTP hand-over are spans of their own;
- a Celery task continues the context it was sent from (the `traceparent` message header).
"""

from __future__ import annotations

import contextlib
import functools
import logging
import threading
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from contextvars import Token
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased
from opentelemetry.trace import Link, Span, SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from opentelemetry.util.types import AttributeValue

logger = logging.getLogger(__name__)

HEADER = "traceparent"
# Where an outbox row's payload keeps the trace context it was written in. Not a Python
# identifier, so no event field can ever be called that; the codec ignores it anyway.
TRACE_KEY = "$traceparent"
INSTRUMENTATION = "jalin"

_propagator = TraceContextTextMapPropagator()
_provider: TracerProvider | None = None
_tracer: trace.Tracer | None = None  # None: tracing is off

P = ParamSpec("P")
R = TypeVar("R")
Attributes = Mapping[str, AttributeValue]


# --- The provider ------------------------------------------------------------------------


class JsonLinesSpanExporter(SpanExporter):
    """Appends each finished span to `path` as one JSON object per line (OpenTelemetry's own
    JSON form of a span). One write per batch, in append mode, so several processes may share
    the file."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        lines = "".join(span.to_json(indent=None) + "\n" for span in spans)
        try:
            with self._lock, self.path.open("a", encoding="utf-8") as out:
                out.write(lines)
        except OSError:
            logger.warning("cannot write spans to %s", self.path, exc_info=True)
            return SpanExportResult.FAILURE
        return SpanExportResult.SUCCESS


def build_provider(
    *,
    service_name: str,
    otlp_endpoint: str = "",  # the full traces URL (http://jaeger:4318/v1/traces)
    file_path: str = "",
    sample_ratio: float = 1.0,
) -> TracerProvider | None:
    """The provider the settings ask for, or None when they ask for no exporter at all.

    The sampler follows the caller's decision on a continued trace (parent based), so the
    marketplace records a purchase exactly when the storefront did; a new trace is kept with
    probability `sample_ratio`."""
    exporters: list[SpanExporter] = []
    if otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        exporters.append(OTLPSpanExporter(endpoint=otlp_endpoint))
    if file_path:
        exporters.append(JsonLinesSpanExporter(file_path))
    if not exporters:
        return None
    provider = TracerProvider(
        resource=Resource.create({SERVICE_NAME: service_name}),
        sampler=ParentBased(TraceIdRatioBased(sample_ratio)),
    )
    for exporter in exporters:
        # Spans leave in batches from a thread of their own, never on the request's time.
        provider.add_span_processor(BatchSpanProcessor(exporter))
    return provider


def install(provider: TracerProvider | None) -> TracerProvider | None:
    """Makes `provider` the one every span here goes to (None: tracing off). Returns the one
    it replaces, which the caller may shut down."""
    global _provider, _tracer
    previous = _provider
    _provider = provider
    _tracer = provider.get_tracer(INSTRUMENTATION) if provider is not None else None
    return previous


def configure_from_settings() -> TracerProvider | None:
    """Installs the provider the settings describe (at start-up, from the composition root).
    An installed provider also becomes OpenTelemetry's global one, for any library
    instrumentation added beside this."""
    from django.conf import settings

    provider = build_provider(
        service_name=settings.TRACING_SERVICE_NAME,
        otlp_endpoint=settings.TRACING_OTLP_ENDPOINT,
        file_path=settings.TRACING_FILE,
        sample_ratio=settings.TRACING_SAMPLE_RATIO,
    )
    install(provider)
    if provider is not None:
        trace.set_tracer_provider(provider)
        logger.info(
            "tracing on: service %s, exporting to %s",
            settings.TRACING_SERVICE_NAME,
            ", ".join(filter(None, [settings.TRACING_OTLP_ENDPOINT, settings.TRACING_FILE])),
        )
    return provider


def enabled() -> bool:
    return _tracer is not None


# --- Spans -------------------------------------------------------------------------------

_OFF: contextlib.nullcontext[None] = contextlib.nullcontext()


def span(
    name: str,
    *,
    kind: SpanKind = SpanKind.INTERNAL,
    attributes: Attributes | None = None,
    parent: otel_context.Context | None = None,
    links: Sequence[Link] = (),
) -> contextlib.AbstractContextManager[Span | None]:
    """A span around the block, the current one inside it (None when tracing is off). Its parent
    is the current span unless `parent` is given; an exception leaving the block is recorded on
    it and marks it failed."""
    if _tracer is None:
        return _OFF
    return _tracer.start_as_current_span(name, context=parent, kind=kind, attributes=attributes, links=links)


def traced(function: Callable[P, R]) -> Callable[P, R]:
    """Decorates a domain service with a span named `<context>.<function>`
    (`marketplace.checkout_place`)."""
    name = f"{function.__module__.partition('.')[0]}.{function.__qualname__}"
    attributes = {"code.function.name": f"{function.__module__}.{function.__qualname__}"}

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        if _tracer is None:
            return function(*args, **kwargs)
        with _tracer.start_as_current_span(name, attributes=attributes):
            return function(*args, **kwargs)

    return wrapper


def set_attributes(target: Span | None, attributes: Attributes) -> None:
    if target is not None:
        target.set_attributes(attributes)


def fail(target: Span | None, description: str) -> None:
    """Marks `target` failed without an exception (a refused answer, a failed event)."""
    if target is not None:
        target.set_status(Status(StatusCode.ERROR, description[:500]))


# --- The trace context on the wire -------------------------------------------------------


def inject(headers: MutableMapping[str, str]) -> None:
    """Adds the current span's `traceparent` (and `tracestate`) to outgoing `headers`."""
    if _tracer is not None:
        _propagator.inject(headers)


def extract(headers: Mapping[str, Any]) -> otel_context.Context | None:
    """The context an incoming `traceparent` names, or None when there is none (or it is
    malformed): the span to start is then a root, or a child of the current one."""
    if _tracer is None or not headers.get(HEADER):
        return None
    parent = _propagator.extract(headers)
    return parent if trace.get_current_span(parent).get_span_context().is_valid else None


def current_traceparent() -> str:
    """The current span's `traceparent`, "" when tracing is off or no span is current."""
    if _tracer is None:
        return ""
    carrier: dict[str, str] = {}
    _propagator.inject(carrier)
    return carrier.get(HEADER, "")


def context_of(traceparent: str) -> otel_context.Context | None:
    return extract({HEADER: traceparent}) if traceparent else None


def link_to(traceparent: str) -> list[Link]:
    """A link to the span a stored `traceparent` names (none when empty or malformed)."""
    parent = context_of(traceparent)
    return [Link(trace.get_current_span(parent).get_span_context())] if parent is not None else []


def link_to_current() -> list[Link]:
    current = trace.get_current_span().get_span_context()
    return [Link(current)] if current.is_valid else []


# --- Celery ------------------------------------------------------------------------------
# Connected to Celery's signals by the composition root (config/celery.py). A task sent to a
# worker carries `traceparent` among its message headers; one run eagerly (no broker) is
# simply a child of the code that ran it.

_task_spans: dict[str, tuple[Span, Token[otel_context.Context]]] = {}


def celery_before_publish(headers: MutableMapping[str, Any] | None = None, **_: Any) -> None:
    if headers is not None:
        inject(headers)


def celery_task_prerun(task_id: str = "", task: Any = None, **_: Any) -> None:
    if _tracer is None or task is None:
        return
    request = getattr(task, "request", None)
    # A worker makes the message's headers attributes of the request; a task applied with
    # `headers=` keeps them in `request.headers`.
    sent = getattr(request, HEADER, None) or (getattr(request, "headers", None) or {}).get(HEADER) or ""
    parent = extract({HEADER: sent})
    started = _tracer.start_span(
        f"celery.task {task.name}",
        context=parent,
        kind=SpanKind.CONSUMER,
        attributes={"messaging.system": "celery", "messaging.operation.type": "process", "celery.task": task.name},
    )
    token = otel_context.attach(trace.set_span_in_context(started, parent))
    _task_spans[task_id] = (started, token)


def celery_task_postrun(task_id: str = "", state: str | None = None, **_: Any) -> None:
    entry = _task_spans.pop(task_id, None)
    if entry is None:
        return
    started, token = entry
    if state not in (None, "SUCCESS"):
        started.set_status(Status(StatusCode.ERROR, f"task {state}"))
    started.set_attribute("celery.state", state or "")
    started.end()
    otel_context.detach(token)


class TracedPort:
    """Wraps a port reached in process: each call is a span named after the port's method."""

    def __init__(self, port: object, service: str) -> None:
        self._port = port
        self._service = service

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._port, name)
        if _tracer is None or not callable(attribute) or name.startswith("_"):
            return attribute

        @functools.wraps(attribute)
        def call(*args: Any, **kwargs: Any) -> Any:
            with span(f"{self._service}.{name}", attributes=port_attributes(self._service, name, "inprocess")):
                return attribute(*args, **kwargs)

        return call


def port_attributes(service: str, method: str, transport: str) -> dict[str, AttributeValue]:
    return {"rpc.system": "jalin", "rpc.service": service, "rpc.method": method, "jalin.transport": transport}


def annotate_current(attributes: Attributes) -> None:
    """Adds `attributes` to the current span (the request's, in a view)."""
    if _tracer is not None:
        trace.get_current_span().set_attributes(attributes)
