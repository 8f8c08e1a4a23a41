"""The organisations that work on a theme or an IVP priority, moved here from accounts
(accounts 0005) with their tables and rows: model state only."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("themes", "0001_initial"),
        ("accounts", "0005_organisation_themes_to_themes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="theme",
                    name="organisations",
                    field=models.ManyToManyField(blank=True, db_table="accounts_organisation_themes", related_name="themes", to="accounts.organisation", verbose_name="organisaties"),
                ),
                migrations.AddField(
                    model_name="priority",
                    name="organisations",
                    field=models.ManyToManyField(blank=True, db_table="accounts_organisation_priorities", related_name="priorities", to="accounts.organisation", verbose_name="organisaties"),
                ),
            ],
            database_operations=[],
        ),
    ]
