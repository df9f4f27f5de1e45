"""A port reached over internal HTTP: one POST per call to `<base>/<method>/`, where
the base names the API version (`.../internal/marketplace/v1/`).

Any method of the protocol is served generically (`integration.wire`): the
arguments travel as JSON built from the type hints and the result is rebuilt
into its DTOs, checked against them. Port errors travel as RFC 9457 problem
details and are raised again on this side; a version mismatch (501) is
`Unavailable`. Only calls the protocol declares retry-safe are retried
(`@query`, and `@idempotent` ones carrying their key); a refused connection
never reached the provider, so it is retried for every call.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import Any

import httpx
from django.conf import settings
from django.utils import translation
from opentelemetry.trace import Span, SpanKind

from . import codec, correlation, metrics, tracing, wire
from .availability import mark_unavailable
from .contracts import PortError, Unavailable, VersionMismatch

logger = logging.getLogger(__name__)
UNAVAILABLE_MESSAGE = "The marketplace is briefly unavailable. Please try again shortly."


class HttpPort:
    def __init__(
        self,
        protocol: type,
        *,
        base_url: str,
        token: str,
        timeout: float = 5.0,
        connect_timeout: float = 2.0,
        retries: int = 2,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._protocol = protocol
        self._methods = wire.port_methods(protocol)
        self._retries = retries
        self._client = httpx.Client(
            base_url=base_url.rstrip("/") + "/",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            transport=transport,
        )

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_") or name not in self._methods:
            raise AttributeError(name)

        def call(*args: Any, **kwargs: Any) -> Any:
            return self._call(name, wire.bind_call(self._protocol, name, args, kwargs))

        call.__name__ = name
        return call

    def _call(self, name: str, arguments: dict[str, Any]) -> Any:
        service = self._protocol.__name__
        attributes = {**tracing.port_attributes(service, name, "http"), "server.address": self._client.base_url.host}
        with (
            metrics.port_call(name, "http"),
            tracing.span(f"{service}.{name}", kind=SpanKind.CLIENT, attributes=attributes) as call_span,
        ):
            try:
                return self._attempts(name, arguments, call_span)
            except Unavailable:
                mark_unavailable()
                raise

    def _attempts(self, name: str, arguments: dict[str, Any], call_span: Span | None = None) -> Any:
        retry_safe = wire.is_retry_safe(self._protocol, name, arguments)
        body = codec.encode(arguments)
        headers = {
            correlation.HEADER: correlation.current() or correlation.new_id(),
            # The provider words its messages in the caller's language (LocaleMiddleware reads this).
            "Accept-Language": translation.get_language() or settings.LANGUAGE_CODE,
        }
        tracing.inject(headers)  # the provider's spans continue this call's trace
        for attempt in range(self._retries + 1):
            last = attempt == self._retries
            try:
                response = self._client.post(f"{name}/", content=body, headers=headers)
            except httpx.ConnectError as exc:
                # Refused or unresolvable: the request never arrived, any call may repeat.
                logger.warning("marketplace %s: cannot connect (%s), attempt %d", name, exc, attempt + 1)
                if last:
                    raise Unavailable(UNAVAILABLE_MESSAGE) from exc
            except httpx.TransportError as exc:
                # A timeout or a dropped connection: the call may have run.
                logger.warning("marketplace %s: %r, attempt %d", name, exc, attempt + 1)
                if last or not retry_safe:
                    raise Unavailable(UNAVAILABLE_MESSAGE) from exc
            else:
                tracing.set_attributes(
                    call_span, {"http.response.status_code": response.status_code, "jalin.attempts": attempt + 1}
                )
                if response.status_code < 300:
                    return self._result(name, response)
                # Only "try again later" is worth repeating; a refused token or a bug is not.
                if response.status_code != 503 or last or not retry_safe:
                    raise self._error(response)
            time.sleep(random.uniform(0, 0.1 * 2**attempt))  # jittered backoff between attempts
        raise AssertionError("unreachable")

    def _result(self, name: str, response: httpx.Response) -> Any:
        try:
            return wire.decode_result(self._protocol, name, response.content)
        except codec.CodecError as exc:
            # The provider speaks another shape of this method: a deploy in between releases.
            logger.error("marketplace %s answered a result that does not fit its type: %s", name, exc)
            raise VersionMismatch(UNAVAILABLE_MESSAGE) from exc

    @staticmethod
    def _error(response: httpx.Response) -> PortError:
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code == 501:
            logger.error("marketplace does not serve this call in this API version: %s", response.text[:500])
            return VersionMismatch(UNAVAILABLE_MESSAGE)
        if response.status_code >= 500 and response.status_code != 503:
            logger.error("marketplace answered %s: %s", response.status_code, response.text[:500])
            return Unavailable(UNAVAILABLE_MESSAGE)
        if response.status_code in (401, 403):
            logger.error("marketplace refused the service token (%s)", response.status_code)
            return Unavailable(UNAVAILABLE_MESSAGE)
        if not wire.is_port_problem(body):
            # Not the endpoint's answer (a proxy's page, a wrong base URL): nothing was found
            # or refused by the port itself.
            logger.error(
                "marketplace answered %s without a port problem: %s", response.status_code, response.text[:500]
            )
            return Unavailable(UNAVAILABLE_MESSAGE)
        return wire.error_from_problem(response.status_code, body)

    def ping(self) -> None:
        """Raises `Unavailable` unless the provider answers and accepts the token."""
        try:
            response = self._client.get("")
        except httpx.TransportError as exc:
            raise Unavailable(UNAVAILABLE_MESSAGE) from exc
        if response.status_code != 200:
            raise self._error(response) if response.status_code != 404 else Unavailable(UNAVAILABLE_MESSAGE)

    def close(self) -> None:
        self._client.close()
