"""The `<id:...>` URL converter: a positive id that fits every database's id column.

A larger number cannot name a row, so it does not match (404) instead of reaching the
database (where PostgreSQL refuses it and SQLite overflows). Importing this module registers it.
"""

from django.urls import register_converter

from .contracts import ID_MAX


class IdConverter:
    regex = "[0-9]+"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 1 <= number <= ID_MAX:
            raise ValueError(value)
        return number

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")

# How the API schema describes an `<id:...>` path parameter.
ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": ID_MAX}
