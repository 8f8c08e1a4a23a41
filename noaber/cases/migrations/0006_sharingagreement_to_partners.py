"""Tasks name the agreement in its new app (partners 0005): model state only."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0005_statuses_from_data'),
        ('partners', '0005_sharingagreement_from_registry'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='task',
                    name='agreement',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, to='partners.sharingagreement'),
                ),
            ],
            database_operations=[],
        ),
    ]
