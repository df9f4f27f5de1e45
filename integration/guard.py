"""Turns "the provider's database is unreachable" into the port's `Unavailable`."""

import functools
import logging
from typing import Any

from django.db import InterfaceError, OperationalError

from .availability import mark_unavailable
from .contracts import Unavailable

logger = logging.getLogger(__name__)


class Guarded:
    """Wraps a provider: a lost or refused database connection becomes `Unavailable`,
    which callers already answer with "try again shortly" instead of a 500."""

    def __init__(self, provider: object) -> None:
        self._provider = provider

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._provider, name)
        if not callable(attribute):
            return attribute

        @functools.wraps(attribute)
        def call(*args: Any, **kwargs: Any) -> Any:
            try:
                return attribute(*args, **kwargs)
            except (OperationalError, InterfaceError) as exc:
                logger.warning("marketplace database unreachable during %s: %s", name, exc)
                mark_unavailable()
                raise Unavailable("The marketplace is briefly unavailable. Please try again shortly.") from exc

        return call
