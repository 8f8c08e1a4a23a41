"""SharingAgreement now belongs to partners (partners 0005): disclosures point there, and the
register forgets the model, in state only; the table and rows stay."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0006_sharingagreement_to_partners'),
        ('partners', '0005_sharingagreement_from_registry'),
        ('portal', '0002_sharingagreement_to_partners'),
        ('registry', '0004_need_to_know'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='disclosure',
                    name='agreement',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, to='partners.sharingagreement', verbose_name='convenant'),
                ),
                migrations.DeleteModel(
                    name='SharingAgreement',
                ),
            ],
            database_operations=[],
        ),
    ]
