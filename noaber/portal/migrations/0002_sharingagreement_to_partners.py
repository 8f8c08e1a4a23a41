"""Case shares name the agreement in its new app (partners 0005): model state only."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('partners', '0005_sharingagreement_from_registry'),
        ('portal', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='caseshare',
                    name='agreement',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='case_shares', to='partners.sharingagreement', verbose_name='convenant'),
                ),
            ],
            database_operations=[],
        ),
    ]
