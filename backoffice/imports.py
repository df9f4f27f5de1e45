"""Rules every bulk import in the admin follows (django-import-export).

A file is previewed first and written only when every row is valid, in one
transaction on the model's own database; rows are looked up only among the
signed-in user's own records, and a row naming anyone else's is refused.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import BadRequest, ValidationError
from django.utils.translation import gettext as _
from import_export import resources
from import_export.forms import ImportForm
from import_export.widgets import ForeignKeyWidget

from integration import uploads

from .scoping import scope_to_owner

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class KnownForeignKeyWidget(ForeignKeyWidget):
    """A foreign key column whose unknown values are reported in plain words, as a row error."""

    def __init__(self, model, field, *, missing: StrOrPromise):
        super().__init__(model, field)
        self.missing = missing  # e.g. "No category has the code %(value)s."

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except self.model.DoesNotExist as error:
            raise ValueError(self.missing % {"value": value}) from error


class OwnedForeignKeyWidget(KnownForeignKeyWidget):
    """A foreign key column resolved only among the importing user's own rows."""

    def __init__(self, model, field, *, owner_field: str, missing: StrOrPromise):
        super().__init__(model, field, missing=missing)
        self.owner_field = owner_field

    def get_queryset(self, value, row, *args, **kwargs):
        return scope_to_owner(self.model._default_manager.all(), _UserRequest(kwargs.get("user")), self.owner_field)


class _UserRequest:
    """Lets `scope_to_owner` take a bare user where a request is not at hand."""

    def __init__(self, user):
        if user is None:
            raise ValueError(_("Imports need a signed-in user."))
        self.user = user


class OwnedModelResource(resources.ModelResource):
    """Set `owner_field`; the admin passes `user` (see `OwnedImportExportMixin`)."""

    owner_field = ""
    id_missing: StrOrPromise = ""  # shown when a row names a record the user does not own

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user

    def get_queryset(self):
        return scope_to_owner(super().get_queryset(), _UserRequest(self.user), self.owner_field)

    @property
    def owner(self) -> int | None:
        """The owner id the services limit the writes to; platform staff write anywhere."""
        return None if self.user.is_superuser else self.user.pk

    def get_instance(self, instance_loader, row):
        instance = super().get_instance(instance_loader, row)
        if instance is None and self.id_missing:
            # An id (or other key) that is not ours must never turn into an insert or an
            # update of someone else's row: refuse it.
            (key,) = self.get_import_id_fields()
            value = row.get(self.fields[key].column_name)
            if value not in (None, ""):
                raise ValidationError({self.fields[key].attribute: self.id_missing % {"value": value}})
        return instance


class LimitedImportForm(ImportForm):
    """The import file within the import limit (integration/uploads.py), refused before it is read."""

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        if found := uploads.upload_errors(uploads.Kind.IMPORT, upload):
            raise ValidationError(found)
        return upload


class OwnedImportExportMixin:
    """Admin side: hands the user to the resources and rolls back on any invalid row."""

    import_form_class = LimitedImportForm

    def get_resource_kwargs(self, request, *args, **kwargs):
        return {**super().get_resource_kwargs(request, *args, **kwargs), "user": request.user}

    def get_export_queryset(self, request):
        try:
            return super().get_export_queryset(request)
        except IncorrectLookupParameters as error:
            raise BadRequest(_("The export address names a filter that does not exist.")) from error

    def get_import_data_kwargs(self, **kwargs):
        return {**super().get_import_data_kwargs(**kwargs), "rollback_on_validation_errors": True}
