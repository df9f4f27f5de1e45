from django.db import migrations

from marketplace.couriers import ensure_default_couriers


def add_couriers(apps, schema_editor):
    ensure_default_couriers(apps.get_model("marketplace", "Courier"), schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [("marketplace", "0002_transaction_core")]

    operations = [migrations.RunPython(add_couriers, migrations.RunPython.noop)]
