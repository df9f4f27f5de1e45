"""Helpers shared by the marketplace's commands: errors, ownership, reasons."""

from __future__ import annotations

import logging
from typing import Any

from integration import contracts

ALIAS = "marketplace"


class _Unset:
    """The default of an edit's optional arguments: the field was not given, so it keeps its value."""

    def __repr__(self):
        return "UNSET"


# Typed Any so that `price: int = UNSET` reads as "an int, or not given".
UNSET: Any = _Unset()


logger = logging.getLogger(__name__)


def _invalid(field: str, message: str) -> contracts.InvalidRequest:
    return contracts.InvalidRequest(message, fields={field: [message]})


def _owned(queryset, owner_user_id: int | None, owner_path: str, missing: str):
    """The first row of `queryset`, limited to one owner's when `owner_user_id` is given."""
    if owner_user_id is not None:
        queryset = queryset.filter(**{owner_path: owner_user_id})
    found = queryset.first()
    if found is None:
        raise contracts.NotFound(missing)
    return found


def _reason(reason: str, message: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise _invalid("reason", message)
    return reason[:255]
