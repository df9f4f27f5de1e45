"""Port calls as JSON: arguments and results encoded from, and rebuilt by, type hints.

Nothing here is specific to one method: a method added to a port travels over
HTTP as soon as its DTOs are plain dataclasses (see `integration.contracts`).
"""

from __future__ import annotations

import dataclasses
import inspect
import json
import types
import typing
from datetime import date, datetime
from functools import cache
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from . import contracts

# Queries never change anything, so they may be retried; a command may be retried
# only when it carries an idempotency key (see `is_retry_safe`).
QUERY_PREFIXES = ("get_", "list_", "search_", "preview_", "count_")


def port_methods(protocol: type) -> frozenset[str]:
    return frozenset(name for name, member in vars(protocol).items() if callable(member) and not name.startswith("_"))


@cache
def method_hints(protocol: type, name: str) -> tuple[inspect.Signature, dict[str, Any]]:
    function = getattr(protocol, name)
    return inspect.signature(function), typing.get_type_hints(function, vars(contracts))


def encode(value: Any) -> Any:
    """A JSON-ready structure; dataclasses become dicts, tuples lists, datetimes strings."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [encode(item) for item in value]
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def dumps(value: Any) -> bytes:
    return json.dumps(encode(value), cls=DjangoJSONEncoder).encode()


def decode(tp: Any, value: Any) -> Any:
    """Rebuilds a value of type `tp` from `encode`'s output."""
    if value is None or tp is Any:
        return value
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        inner = [arg for arg in args if arg is not type(None)]
        return decode(inner[0], value) if len(inner) == 1 else value
    if origin is list:
        return [decode(args[0] if args else Any, item) for item in value]
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(decode(args[0], item) for item in value)
        if args:
            return tuple(decode(t, item) for t, item in zip(args, value, strict=True))
        return tuple(value)
    if origin is dict:
        value_type = args[1] if args else Any
        return {k: decode(value_type, v) for k, v in value.items()}
    if dataclasses.is_dataclass(tp):
        hints = typing.get_type_hints(tp)
        return tp(**{f.name: decode(hints[f.name], value[f.name]) for f in dataclasses.fields(tp) if f.name in value})
    if tp is datetime and isinstance(value, str):
        return datetime.fromisoformat(value)
    if tp is date and isinstance(value, str):
        return date.fromisoformat(value)
    return value


def bind_call(protocol: type, name: str, args: tuple, kwargs: dict) -> dict[str, Any]:
    """The call's arguments by name, encoded (the client side)."""
    signature, _hints = method_hints(protocol, name)
    bound = signature.bind(None, *args, **kwargs)  # None stands for self
    bound.apply_defaults()
    return {key: encode(value) for key, value in list(bound.arguments.items())[1:]}


def decode_arguments(protocol: type, name: str, data: dict[str, Any]) -> dict[str, Any]:
    """The call's keyword arguments rebuilt from JSON (the server side); unknown names are refused."""
    signature, hints = method_hints(protocol, name)
    parameters = list(signature.parameters)[1:]
    unknown = set(data) - set(parameters)
    if unknown:
        raise contracts.InvalidRequest(
            "Unknown arguments.", fields={key: ["Unknown argument."] for key in sorted(unknown)}
        )
    kwargs = {key: decode(hints.get(key, Any), value) for key, value in data.items()}
    try:
        signature.bind(None, **kwargs)
    except TypeError as exc:
        raise contracts.InvalidRequest(f"Missing arguments: {exc}") from exc
    return kwargs


def decode_result(protocol: type, name: str, data: Any) -> Any:
    _signature, hints = method_hints(protocol, name)
    return decode(hints.get("return", Any), data)


def is_retry_safe(name: str, arguments: dict[str, Any]) -> bool:
    if name.startswith(QUERY_PREFIXES):
        return True
    # A command is safe to repeat when the provider deduplicates it by key.
    return any(
        key == "idempotency_key" or (isinstance(value, dict) and value.get("idempotency_key"))
        for key, value in arguments.items()
    )


# --- Errors over the wire (RFC 9457 problem details) ------------------------------------

ERROR_STATUS: dict[type[contracts.PortError], int] = {
    contracts.NotFound: 404,
    contracts.InvalidRequest: 422,
    contracts.Conflict: 409,
    contracts.Unavailable: 503,
}


def status_for(error: contracts.PortError) -> int:
    for cls in type(error).__mro__:
        if cls in ERROR_STATUS:
            return ERROR_STATUS[cls]
    return 400


def problem(error: contracts.PortError) -> dict[str, Any]:
    status = status_for(error)
    return {
        "type": f"urn:jalin:port-error:{error.code}",
        "title": type(error).__name__,
        "status": status,
        "detail": error.message,
        "code": error.code,
        "fields": error.fields,
    }


def error_from_problem(status: int, body: dict[str, Any]) -> contracts.PortError:
    cls = next((c for c, s in ERROR_STATUS.items() if s == status), contracts.PortError)
    return cls(str(body.get("detail") or ""), code=body.get("code") or None, fields=body.get("fields") or {})
