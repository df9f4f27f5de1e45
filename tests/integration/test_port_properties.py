"""Properties of the port's wire format, for every method of `MarketplacePort`:
arguments and results built from the type hints survive the codec (and, for a
sample, the real HTTP endpoint and client), and a wrongly typed argument is refused
by the endpoint before the provider sees it.

The endpoint is served here by a recording provider (no database): what it
receives and what the client gets back are compared with what was sent.
"""

import dataclasses
import inspect
import types
import typing
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from django.core.wsgi import get_wsgi_application
from django.test import override_settings
from django.urls import include, path
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from integration import codec, contracts, wire
from integration.contracts import MarketplacePort
from integration.endpoint import port_urlpatterns
from integration.http import HttpPort
from tests.wsgi import connections_kept_open

TOKEN = "pr0perty"
METHODS = sorted(wire.port_methods(MarketplacePort))
ZONES = [UTC, timezone(timedelta(hours=7)), timezone(timedelta(hours=-3, minutes=-30))]

# Datetimes with an offset, as the marketplace writes them (USE_TZ); fixed offsets, so
# equality and the offset itself can both be checked.
st.register_type_strategy(datetime, st.datetimes(timezones=st.sampled_from(ZONES)))


class RecordingProvider:
    """Answers every port method with `result`, remembering each call."""

    calls: typing.ClassVar[list[tuple[str, dict[str, Any]]]] = []
    result: typing.ClassVar[Any] = None

    def __getattr__(self, name: str):
        def method(**kwargs: Any) -> Any:
            RecordingProvider.calls.append((name, kwargs))
            return RecordingProvider.result

        return method


urlpatterns = [path("internal/echo/", include(port_urlpatterns(MarketplacePort, RecordingProvider)))]


@pytest.fixture(scope="module")
def echo():
    """An HTTP client and port reaching this module's endpoint through the WSGI application."""
    with connections_kept_open(), override_settings(ROOT_URLCONF=__name__, MARKETPLACE_SERVICE_TOKEN=TOKEN):
        transport = httpx.WSGITransport(app=get_wsgi_application())
        port = HttpPort(
            MarketplacePort, base_url="http://testserver/internal/echo/v1/", token=TOKEN, transport=transport
        )
        raw = httpx.Client(
            transport=transport,
            base_url="http://testserver/internal/echo/v1/",
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        yield port, raw


def _hints(name: str) -> tuple[list[inspect.Parameter], dict[str, Any]]:
    signature, hints = wire.method_hints(MarketplacePort, name)
    return list(signature.parameters.values())[1:], hints


def arguments(name: str) -> st.SearchStrategy[dict[str, Any]]:
    parameters, hints = _hints(name)
    return st.fixed_dictionaries({p.name: st.from_type(hints[p.name]) for p in parameters})


def result(name: str) -> st.SearchStrategy[Any]:
    return st.from_type(_hints(name)[1]["return"])


def _reset(answer: Any) -> None:
    RecordingProvider.calls.clear()
    RecordingProvider.result = answer


@pytest.mark.parametrize("name", METHODS)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_arguments_and_results_round_trip_through_the_codec(name, data):
    kwargs = data.draw(arguments(name))
    answer = data.draw(result(name))

    sent = codec.encode(wire.bind_call(MarketplacePort, name, (), kwargs))
    received = wire.decode_arguments(MarketplacePort, name, codec.decode(sent))
    returned = wire.decode_result(MarketplacePort, name, codec.encode(answer))

    assert received == kwargs
    assert returned == answer


@pytest.mark.parametrize("name", METHODS)
@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_call_round_trips_over_the_http_endpoint(echo, name, data):
    port, _raw = echo
    kwargs = data.draw(arguments(name))
    answer = data.draw(result(name))
    _reset(answer)

    returned = getattr(port, name)(**kwargs)

    assert RecordingProvider.calls == [(name, kwargs)]
    assert returned == answer


def test_datetimes_keep_their_offset_over_http(echo):
    port, _raw = echo
    at = datetime(2026, 11, 28, 10, 0, tzinfo=timezone(timedelta(hours=7)))
    _reset(contracts.ReviewDTO(1, 2, 3, 4, 5, "Bagus", at))

    review = port.submit_review(buyer_id=4, order_line_id=3, stars=5, text="Bagus")

    assert (review.created_at, review.created_at.utcoffset()) == (at, timedelta(hours=7))


# --- Wrong types ------------------------------------------------------------------------------

# One JSON value of each kind; a hint's wrong values are those of kinds it does not accept.
JSON_VALUES = {"string": "3", "integer": 3, "float": 3.5, "boolean": True, "null": None, "array": [2], "object": {}}


def accepted_kinds(hint: Any) -> set[str]:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return set().union(*(accepted_kinds(arg) for arg in typing.get_args(hint)))
    if hint is type(None):
        return {"null"}
    if hint is bool:
        return {"boolean"}
    if hint is int:
        return {"integer"}
    if hint is str or hint is datetime or hint is date:
        return {"string"}
    if origin in (list, tuple):
        return {"array"}
    if origin is dict or dataclasses.is_dataclass(hint):
        return {"object"}
    raise AssertionError(f"no rule for {hint!r}")


def wrong_values(hint: Any) -> list[Any]:
    accepted = accepted_kinds(hint)
    return [value for kind, value in JSON_VALUES.items() if kind not in accepted]


CASES = [(name, p.name) for name in METHODS for p in _hints(name)[0]]


@pytest.mark.parametrize(("name", "argument"), CASES, ids=[f"{n}.{a}" for n, a in CASES])
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_wrong_type_for_an_argument_is_refused_by_the_endpoint(echo, name, argument, data):
    _port, raw = echo
    _parameters, hints = _hints(name)
    kwargs = wire.bind_call(MarketplacePort, name, (), data.draw(arguments(name)))
    kwargs[argument] = data.draw(st.sampled_from(wrong_values(hints[argument])))
    _reset(None)

    response = raw.post(f"{name}/", content=codec.encode(kwargs))

    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "malformed"
    assert list(response.json()["fields"]) == [argument]
    assert RecordingProvider.calls == []
