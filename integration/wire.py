"""Port calls over the wire: arguments and results by the method's type hints, errors
as RFC 9457 problem details.

Nothing here is specific to one method: a method added to a port travels over
HTTP as soon as its DTOs are plain dataclasses (see `integration.contracts`)
and it declares its retry safety. The JSON itself is `integration.codec`'s.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Mapping
from functools import cache
from typing import Any

from . import codec, contracts


def port_methods(protocol: type) -> frozenset[str]:
    return frozenset(name for name, member in vars(protocol).items() if callable(member) and not name.startswith("_"))


@cache
def method_hints(protocol: type, name: str) -> tuple[inspect.Signature, dict[str, Any]]:
    function = getattr(protocol, name)
    return inspect.signature(function), typing.get_type_hints(function, vars(contracts))


def bind_call(protocol: type, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
    """The call's arguments by name, defaults filled in, as JSON values (the client side)."""
    signature, _hints = method_hints(protocol, name)
    bound = signature.bind(None, *args, **kwargs)  # None stands for self
    bound.apply_defaults()
    return {key: codec.to_builtins(value) for key, value in list(bound.arguments.items())[1:]}


def decode_arguments(protocol: type, name: str, data: object) -> dict[str, Any]:
    """The call's keyword arguments rebuilt from JSON values and checked against their
    types (the server side). Anything unknown, missing or of the wrong type is a
    `MalformedRequest` naming each argument at fault."""
    if not isinstance(data, dict):
        raise contracts.MalformedRequest("The arguments must be a JSON object.")
    signature, hints = method_hints(protocol, name)
    parameters = list(signature.parameters.values())[1:]
    known = {parameter.name for parameter in parameters}
    fields: dict[str, list[str]] = {key: ["Unknown argument."] for key in sorted(set(data) - known)}
    kwargs: dict[str, Any] = {}
    for parameter in parameters:
        if parameter.name not in data:
            if parameter.default is inspect.Parameter.empty:
                fields[parameter.name] = ["Missing argument."]
            continue
        try:
            kwargs[parameter.name] = codec.convert(data[parameter.name], hints[parameter.name])
        except codec.CodecError as error:
            fields[_field(parameter.name, error.path)] = [error.message]
    if fields:
        raise contracts.MalformedRequest("Malformed arguments.", fields=fields)
    return kwargs


def _field(argument: str, path: str) -> str:
    if not path:
        return argument
    return f"{argument}{path}" if path.startswith("[") else f"{argument}.{path}"


def decode_result(protocol: type, name: str, data: bytes) -> Any:
    """The method's result from the provider's JSON answer; `codec.CodecError` if it does not fit."""
    _signature, hints = method_hints(protocol, name)
    return codec.decode(data, hints["return"])


def is_retry_safe(protocol: type, name: str, arguments: Mapping[str, Any]) -> bool:
    """Whether a call whose answer was lost may be sent again, by the method's declaration."""
    declared = contracts.retry_of(protocol, name)
    if declared is contracts.Retry.QUERY:
        return True
    if declared is contracts.Retry.IDEMPOTENT:
        return carries_idempotency_key(arguments)
    return False  # a plain command, or a method nobody declared


def carries_idempotency_key(arguments: Mapping[str, Any]) -> bool:
    """A non-empty `idempotency_key` among the arguments or one level inside them."""
    return any(
        (key == "idempotency_key" and bool(value))
        or (isinstance(value, Mapping) and bool(value.get("idempotency_key")))
        for key, value in arguments.items()
    )


# --- Errors over the wire (RFC 9457 problem details) ------------------------------------

# Most specific first: a status is read back as the first class that has it.
ERROR_STATUS: dict[type[contracts.PortError], int] = {
    contracts.NotFound: 404,
    contracts.MalformedRequest: 400,
    contracts.InvalidRequest: 422,
    contracts.Conflict: 409,
    contracts.VersionMismatch: 501,
    contracts.Unavailable: 503,
}


def status_for(error: contracts.PortError) -> int:
    for cls in type(error).__mro__:
        if cls in ERROR_STATUS:
            return ERROR_STATUS[cls]
    return 400


PROBLEM_TYPE = "urn:jalin:port-error:"


def problem(error: contracts.PortError) -> dict[str, Any]:
    status = status_for(error)
    return {
        "type": f"{PROBLEM_TYPE}{error.code}",
        "title": type(error).__name__,
        "status": status,
        "detail": error.message,
        "code": error.code,
        "fields": error.fields,
    }


def is_port_problem(body: object) -> bool:
    """Whether `body` is a problem written by `problem` (and not, say, a proxy's 404 page)."""
    return isinstance(body, dict) and str(body.get("type", "")).startswith(PROBLEM_TYPE)


def error_from_problem(status: int, body: Mapping[str, Any]) -> contracts.PortError:
    cls = next((c for c, s in ERROR_STATUS.items() if s == status), contracts.PortError)
    fields = body.get("fields")
    return cls(
        str(body.get("detail") or ""),
        code=str(body.get("code") or "") or None,
        fields=fields if isinstance(fields, dict) else {},
    )
