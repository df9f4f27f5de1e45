"""The one codec of `integration/`: port calls and events to JSON and back (msgspec).

Values are checked against their type hints on the way in, strictly: `"3"` is
not an `int`, `[2]` is not a variant id, `true` is not a quantity, and nothing
is coerced. Keys a dataclass does not know are ignored, so adding a field to a
DTO or an event stays compatible. Datetimes travel as RFC 3339 strings with
their UTC offset and come back with it.
"""

from __future__ import annotations

from typing import Any

import msgspec


class CodecError(ValueError):
    """A value that does not match its type; `path` points inside it (`lines[0].id`)."""

    def __init__(self, message: str, path: str = "") -> None:
        super().__init__(f"{message} at {path}" if path else message)
        self.message = message
        self.path = path


def to_builtins(value: object) -> Any:
    """Exactly what `encode` writes, as Python values (dicts, lists, strings, numbers):
    what a JSON column stores. (msgspec.to_builtins would keep tuples as tuples.)"""
    return msgspec.json.decode(msgspec.json.encode(value))


def encode(value: object) -> bytes:
    return msgspec.json.encode(value)


def convert(value: object, tp: Any) -> Any:
    """`value` (decoded JSON) as an instance of `tp`, or `CodecError`."""
    try:
        return msgspec.convert(value, tp, strict=True)
    except msgspec.ValidationError as exc:
        raise _error(exc) from exc


def decode(data: bytes, tp: Any = Any) -> Any:
    """JSON `data` as an instance of `tp` (plain JSON values when no type is given)."""
    try:
        return msgspec.json.decode(data, type=tp, strict=True)
    except msgspec.ValidationError as exc:
        raise _error(exc) from exc
    except msgspec.DecodeError as exc:
        raise CodecError(str(exc)) from exc


def _error(exc: msgspec.ValidationError) -> CodecError:
    # msgspec words it "Expected `int`, got `str` - at `$.lines[0].id`".
    message, _sep, where = str(exc).partition(" - at `")
    path = where.rstrip("`").removeprefix("$").removeprefix(".")
    return CodecError(message, path)
