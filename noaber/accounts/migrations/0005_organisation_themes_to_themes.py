"""Which themes and IVP priorities an organisation works on moves to the themes app
(themes 0002): accounts knows no app above it. Model state only; the tables
`accounts_organisation_themes` and `accounts_organisation_priorities` and their rows stay."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_partner_token")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="organisation", name="themes"),
                migrations.RemoveField(model_name="organisation", name="priorities"),
            ],
            database_operations=[],
        ),
    ]
