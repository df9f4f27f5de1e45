from django.db import migrations

from config.roles import roles_sync


def forwards(apps, schema_editor):
    roles_sync(apps, using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    """Sellers pack, ship and cancel their orders."""

    dependencies = [("config", "0001_roles"), ("marketplace", "0003_couriers")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
