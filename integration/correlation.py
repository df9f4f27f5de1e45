"""The request id that follows one shopper action across processes.

It is set per web request (or per incoming internal call), written on every
outbox row published meanwhile, sent to the marketplace over HTTP, and restored
while the relay delivers that row, so one id ties the checkout, its events and
their handlers together in the logs.
"""

import contextlib
import logging
import re
import uuid
from collections.abc import Iterator
from contextvars import ContextVar

HEADER = "X-Request-ID"
_current: ContextVar[str] = ContextVar("request_id", default="")
# Accept a caller's id only when it looks like one: it ends up in logs and rows.
_VALID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


def new_id() -> str:
    return uuid.uuid4().hex


def clean(value: str | None) -> str:
    return value if value and _VALID.match(value) else new_id()


def current() -> str:
    return _current.get()


@contextlib.contextmanager
def bound(request_id: str) -> Iterator[str]:
    token = _current.set(request_id)
    try:
        yield request_id
    finally:
        _current.reset(token)


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every log record, for the formatters to print."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _current.get() or "-"
        return True
