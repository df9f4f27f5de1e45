"""Ownership scoping for the seller and creator centres in the Django admin.

A non-superuser sees and touches only rows they own. Ownership is an opaque
user id reached through a lookup (`shop__owner_user_id`), never a foreign key
into the `default` database.
"""

from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _


def scope_to_owner(queryset, request, owner_field: str):
    if request.user.is_superuser:
        return queryset
    return queryset.filter(**{owner_field: request.user.pk})


class OwnedAdminMixin:
    """Mix into a ModelAdmin or an inline; set `owner_field` to the lookup of the owner's user id.

    Lists, change forms, deletes, history, actions, search, related filters,
    autocomplete and export all start from `get_queryset`, so scoping it scopes
    them all. Foreign key choices are scoped through the related model's own admin.
    """

    owner_field: str = ""

    def scope(self, queryset, request):
        return scope_to_owner(queryset, request, self.owner_field)

    def get_queryset(self, request):
        return self.scope(super().get_queryset(request), request)

    def get_field_queryset(self, db, db_field, request):
        queryset = super().get_field_queryset(db, db_field, request)
        related = self.admin_site._registry.get(db_field.remote_field.model)
        if isinstance(related, OwnedAdminMixin):
            if queryset is None:
                queryset = db_field.remote_field.model._default_manager.using(db).all()
            queryset = related.scope(queryset, request)
        return queryset

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Someone else's row looks exactly like a missing one: 404, not a redirect with a hint.
        raise Http404(_("No such record."))

    def response_action(self, request, queryset):
        selected = set(request.POST.getlist(helpers.ACTION_CHECKBOX_NAME))
        if selected and not request.user.is_superuser:
            try:
                owned = self.get_queryset(request).filter(pk__in=selected).count()
            except (ValueError, ValidationError) as error:
                raise PermissionDenied from error
            if owned != len(selected):
                raise PermissionDenied
        return super().response_action(request, queryset)

    # django-import-export lets any staff user import and export unless told otherwise.
    def has_import_permission(self, request):
        return self.has_add_permission(request) and self.has_change_permission(request)

    def has_export_permission(self, request):
        return self.has_view_permission(request)


class ReadOnlyAdminMixin:
    """For rows the admin only shows: they change through their context's services or events."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
