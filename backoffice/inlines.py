"""Inlines of the seller and creator centre."""

from django.contrib import admin


class LabelledTabularInline(admin.TabularInline):
    """A tabular inline: its column headers are no labels of its inputs, so each input of
    every row (the blank row to copy included) is named for screen readers by its label."""

    def get_formset(self, request, obj=None, **kwargs):
        class LabelledFormSet(super().get_formset(request, obj, **kwargs)):
            def add_fields(self, form, index):
                super().add_fields(form, index)
                for name, field in form.fields.items():
                    field.widget.attrs.setdefault("aria-label", field.label or name)

        return LabelledFormSet
