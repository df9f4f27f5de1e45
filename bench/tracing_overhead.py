"""What tracing costs a request: `python bench/tracing_overhead.py`.

Times, in process, (1) the tracing middleware alone around a view that does nothing, and
(2) a whole request through every middleware to `/healthz` (Django's test client), each
with tracing off (no provider: the default), on with spans recorded and exported in
batches (to an exporter that drops them, so the network is not measured), and on with
every new trace sampled out. Prints microseconds per request, the best of several runs (the
machine is shared: the best is the least disturbed), and the view alone for reference.
"""

from __future__ import annotations

import os
import sys
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.http import HttpResponse  # noqa: E402
from django.test import Client, RequestFactory  # noqa: E402
from django.urls import resolve  # noqa: E402
from opentelemetry.sdk.trace import TracerProvider  # noqa: E402
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult  # noqa: E402
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased  # noqa: E402

from config.middleware import TracingMiddleware  # noqa: E402
from integration import tracing  # noqa: E402


class Dropped(SpanExporter):
    def export(self, spans):
        return SpanExportResult.SUCCESS


def provider(ratio: float) -> TracerProvider:
    built = TracerProvider(sampler=ParentBased(TraceIdRatioBased(ratio)))
    built.add_span_processor(BatchSpanProcessor(Dropped()))
    return built


def per_call_us(function, number: int, repeat: int = 9) -> float:
    return min(timeit.repeat(function, number=number, repeat=repeat)) / number * 1e6


def main() -> None:
    factory = RequestFactory()
    request = factory.get("/healthz")
    match = resolve("/healthz")

    def view(req):
        req.resolver_match = match
        return HttpResponse("ok")

    middleware = TracingMiddleware(view)
    client = Client()
    modes = {"off": None, "on, recorded": provider(1.0), "on, sampled out": provider(0.0)}
    print(f"the view alone, no middleware: {per_call_us(lambda: view(request), number=20_000):.2f} us")
    print(f"{'tracing':<18}{'middleware alone':>18}{'whole /healthz':>16}  (microseconds per request)")
    for label, chosen in modes.items():
        tracing.install(chosen)
        alone = per_call_us(lambda: middleware(request), number=20_000)
        whole = per_call_us(lambda: client.get("/healthz"), number=1_000)
        print(f"{label:<18}{alone:>18.2f}{whole:>16.1f}")
        if chosen is not None:
            chosen.shutdown()
    tracing.install(None)


if __name__ == "__main__":
    main()
