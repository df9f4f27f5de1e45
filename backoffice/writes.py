"""Admin forms that write through a context's services.

A service validates again when it writes, and may refuse what the form let
through (a rule the form does not know). Its refusal must come back as the
form with the messages next to their fields, never as a server error, and
nothing may stay written: the admin's transaction is rolled back and the form
is shown again with the service's messages.
"""

from contextlib import contextmanager
from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.admin import ModelAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect

from integration.contracts import PortError


class ServiceRefused(Exception):
    """Raised from `save_model` and friends to show the form again with `fields` as its errors."""

    def __init__(self, fields: dict[str, list[str]]):
        super().__init__(fields)
        self.fields = fields


def refusal(error: Exception) -> ServiceRefused:
    """A service's error (a port error or a Django ValidationError) as field messages."""
    if isinstance(error, PortError):
        return ServiceRefused(error.fields or {"__all__": [error.message]})
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            return ServiceRefused({field: list(texts) for field, texts in error.message_dict.items()})
        return ServiceRefused({"__all__": list(error.messages)})
    raise TypeError(error)


@contextmanager
def as_form_errors(renamed: dict[str, str] | None = None):
    """Around service calls in `save_model` and friends: their refusals become the form's errors.

    `renamed` maps a service's argument to the form field it came from (`reply` -> `seller_reply`)."""
    try:
        yield
    except (PortError, ValidationError) as error:
        refused = refusal(error)
        refused.fields = {(renamed or {}).get(field, field): texts for field, texts in refused.fields.items()}
        raise refused from error


def with_refusals(form_class, request):
    """The form class, adding the errors a service gave on the previous try of this request."""

    class RefusableForm(form_class):
        def _post_clean(self):
            super()._post_clean()
            for field, texts in getattr(request, "_service_refusal", {}).items():
                target = field if field in self.fields else None
                for message in texts:
                    # A field the form lacks ("variants.0.price") is shown above the form.
                    self.add_error(target, message if target else f"{_pretty(field)}{message}")

    return RefusableForm


def _pretty(field: str) -> str:
    return "" if field in ("__all__", None) else f"{field}: "


if TYPE_CHECKING:
    _ModelAdmin = ModelAdmin
else:
    _ModelAdmin = object


class ServiceWriteMixin(_ModelAdmin):
    """Mix into a ModelAdmin whose `save_model` / `save_related` call services."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        return with_refusals(super().get_form(request, obj, change, **kwargs), request)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ServiceRefused as refused:
            # The admin's transaction is rolled back by now: show the same form again, with the messages.
            request._service_refusal = refused.fields
            return super().changeform_view(request, object_id, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        try:
            return super().changelist_view(request, extra_context)
        except ServiceRefused as refused:
            # A row edited in the list (`list_editable`) was refused: the whole list is rolled back.
            for texts in refused.fields.values():
                for text in texts:
                    self.message_user(request, text, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


def run_each(model_admin, request, rows, command, done_message) -> int:
    """An admin action's loop: runs `command(id)` on each (id, label) row, one service call (and
    transaction) each, reports each refusal next to its row's label and the count done as a success."""
    done = 0
    for row_id, label in rows:
        try:
            command(row_id)
            done += 1
        except (PortError, ValidationError, PermissionDenied) as error:
            text = error.message if isinstance(error, PortError) else " ".join(_messages(error))
            model_admin.message_user(request, f"{label}: {text}", messages.ERROR)
    if done:
        model_admin.message_user(request, done_message(done), messages.SUCCESS)
    return done


def _messages(error: Exception) -> list[str]:
    return list(getattr(error, "messages", None) or [str(error)])
