from django.db import migrations

from config.roles import roles_sync


def forwards(apps, schema_editor):
    roles_sync(apps, using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    """Sellers keep vouchers, reply to reviews and read their stock audit; creators moderate
    comments on their posts and order their showcase."""

    dependencies = [("config", "0002_roles_fulfil_orders"), ("storefront", "0002_social_and_campaigns")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
