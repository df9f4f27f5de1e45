from django.db import migrations

from config.roles import roles_sync


def forwards(apps, schema_editor):
    roles_sync(apps, using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    """Platform moderators hide any post or comment; staff status alone no longer does."""

    dependencies = [("config", "0003_roles_catalogue_and_community"), ("storefront", "0008_post_moderation")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
