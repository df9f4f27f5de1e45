from django.db import migrations


class Migration(migrations.Migration):
    """One account per e-mail address, whatever its case: addresses are stored in lower case and
    a unique index on lower(email) holds even against two sign-ups at once. Accounts without an
    address (staff-made, generated) are left out. Fails if two accounts already share an address:
    merge or change one first."""

    dependencies = [("config", "0005_roles_fee_invoices"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [
        migrations.RunSQL("UPDATE auth_user SET email = lower(email) WHERE email <> lower(email)", migrations.RunSQL.noop),
        migrations.RunSQL(
            "CREATE UNIQUE INDEX auth_user_email_lower_unique ON auth_user (lower(email)) WHERE email <> ''",
            "DROP INDEX auth_user_email_lower_unique",
        ),
    ]
