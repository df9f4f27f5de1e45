"""Routes each app to the database of its context.

Reads, writes and migrations of an app go to the alias named for its label in
`settings.DATABASE_APPS_MAPPING`; every other app (auth, sessions, admin log,
contenttypes) lives in `default`. A relation between rows of two aliases is
refused: contexts keep opaque ids, never foreign keys, across databases.
"""

from django.conf import settings


def alias_for_app(app_label: str) -> str:
    return settings.DATABASE_APPS_MAPPING.get(app_label, "default")


class ContextRouter:
    def db_for_read(self, model, **hints):
        return alias_for_app(model._meta.app_label)

    def db_for_write(self, model, **hints):
        return alias_for_app(model._meta.app_label)

    def allow_relation(self, obj1, obj2, **hints):
        return alias_for_app(obj1._meta.app_label) == alias_for_app(obj2._meta.app_label)

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == alias_for_app(app_label)
