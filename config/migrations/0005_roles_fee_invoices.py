from django.db import migrations

from config.roles import roles_sync


def forwards(apps, schema_editor):
    roles_sync(apps, using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    """Sellers see their shop's fee invoices."""

    dependencies = [("config", "0004_roles_moderators"), ("marketplace", "0007_ledger")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
