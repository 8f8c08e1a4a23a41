"""CaseShare moves to the portal app (portal 0001), above casusregie. Model state only: the
table `partners_caseshare`, its many-to-many table and every row stay."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("partners", "0003_end_shares_of_closed_cases")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="CaseShare")],
            database_operations=[],
        ),
    ]
