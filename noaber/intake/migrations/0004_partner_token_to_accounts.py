"""PartnerToken now belongs to accounts (accounts 0004); the meldpunt forgets it in its model
state only. The table and its rows stay where they are."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0003_portal_channel"),
        ("accounts", "0004_partner_token"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="PartnerToken")],
            database_operations=[],
        ),
    ]
