"""SharingAgreement moves from the register to the ketenkaart (registry 0005), with its table
`registry_sharingagreement`, its many-to-many tables and every row: model state only."""

from django.db import migrations, models


def content_type_follows(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="partners", model="sharingagreement").exists():
        ContentType.objects.filter(app_label="registry", model="sharingagreement").update(
            app_label="partners"
        )


def content_type_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="registry", model="sharingagreement").exists():
        ContentType.objects.filter(app_label="partners", model="sharingagreement").update(
            app_label="registry"
        )


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0005_organisation_themes_to_themes'),
        ('partners', '0004_caseshare_to_portal'),
        ('registry', '0004_need_to_know'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='SharingAgreement',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=200, verbose_name='naam')),
                        ('purpose', models.CharField(max_length=300, verbose_name='doel')),
                        ('legal_basis', models.CharField(max_length=300, verbose_name='grondslag')),
                        ('data_categories', models.JSONField(default=list, verbose_name='gegevenscategorieën')),
                        ('valid_from', models.DateField(verbose_name='geldig vanaf')),
                        ('valid_until', models.DateField(blank=True, null=True, verbose_name='geldig tot en met')),
                        ('document', models.FileField(blank=True, upload_to='convenanten/', verbose_name='ondertekend document')),
                        ('document_name', models.CharField(blank=True, max_length=200)),
                        ('document_sha256', models.CharField(blank=True, max_length=64)),
                        ('version', models.PositiveIntegerField(default=1)),
                        ('municipalities', models.ManyToManyField(related_name='agreements', to='accounts.municipality', verbose_name='gemeenten')),
                        ('organisations', models.ManyToManyField(related_name='agreements', to='accounts.organisation', verbose_name='partijen')),
                    ],
                    options={
                        'db_table': 'registry_sharingagreement',
                        'ordering': ['name'],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_type_follows, content_type_back),
    ]
