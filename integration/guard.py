"""Turns "the provider's database is unreachable" into the port's `Unavailable`."""

import functools
import logging
from typing import Any

from django.db import InterfaceError, OperationalError

from . import metrics
from .availability import mark_unavailable
from .contracts import Unavailable

logger = logging.getLogger(__name__)


class Guarded:
    """Wraps a provider: a lost or refused database connection becomes `Unavailable`,
    which callers already answer with "try again shortly" instead of a 500. Every call is
    timed and counted under `transport` (`integration.metrics`)."""

    def __init__(self, provider: object, *, transport: str = "inprocess") -> None:
        self._provider = provider
        self._transport = transport

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._provider, name)
        if not callable(attribute):
            return attribute

        @functools.wraps(attribute)
        def call(*args: Any, **kwargs: Any) -> Any:
            with metrics.port_call(name, self._transport):
                try:
                    return attribute(*args, **kwargs)
                except (OperationalError, InterfaceError) as exc:
                    logger.warning("marketplace database unreachable during %s: %s", name, exc)
                    mark_unavailable()
                    raise Unavailable("The marketplace is briefly unavailable. Please try again shortly.") from exc

        return call
