from django.db import migrations

from config.roles import roles_sync


def forwards(apps, schema_editor):
    roles_sync(apps, using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("marketplace", "0001_initial"),
        ("storefront", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
