"""Messages both contexts' rulebooks build at import and translate when shown."""

from django.utils.functional import lazy
from django.utils.translation import gettext


def _translated(template: str, params: dict[str, object]) -> str:
    text = gettext(template)
    return text % params if params else text


_lazy_translated = lazy(_translated, str)


def message(template: str, **params: object) -> str:
    """`template` translated when shown (not at import), with `params` filled in."""
    return _lazy_translated(template, params)
