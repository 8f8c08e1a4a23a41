"""CaseShare, moved here from the partners app (partners 0004) with its table
`partners_caseshare`, its many-to-many table and every row: model state only."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def content_type_follows(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="portal", model="caseshare").exists():
        ContentType.objects.filter(app_label="partners", model="caseshare").update(
            app_label="portal"
        )


def content_type_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="partners", model="caseshare").exists():
        ContentType.objects.filter(app_label="portal", model="caseshare").update(
            app_label="partners"
        )


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("partners", "0004_caseshare_to_portal"),
        ("accounts", "0005_organisation_themes_to_themes"),
        ("cases", "0005_statuses_from_data"),
        ("registry", "0004_need_to_know"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="CaseShare",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("legal_basis", models.CharField(blank=True, max_length=300, verbose_name="wettelijke grondslag")),
                        ("purpose", models.CharField(max_length=300, verbose_name="doel")),
                        ("data_categories", models.JSONField(default=list, verbose_name="gegevenscategorieën")),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("ended_at", models.DateTimeField(blank=True, null=True)),
                        ("end_reason", models.CharField(blank=True, max_length=300, verbose_name="reden van beëindiging")),
                        ("keep_until", models.DateField(blank=True, null=True, verbose_name="na afsluiten open tot en met")),
                        ("keep_reason", models.CharField(blank=True, max_length=300, verbose_name="reden om open te houden")),
                        ("agreement", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="case_shares", to="registry.sharingagreement", verbose_name="convenant")),
                        ("case", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="shares", to="cases.case")),
                        ("ended_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("organisation", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="case_shares", to="accounts.organisation", verbose_name="partner")),
                        ("shared_by", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("disclosures", models.ManyToManyField(blank=True, related_name="+", to="registry.disclosure")),
                    ],
                    options={
                        "verbose_name": "gedeelde casus",
                        "verbose_name_plural": "gedeelde casussen",
                        "ordering": ["created_at"],
                        "db_table": "partners_caseshare",
                        "indexes": [models.Index(fields=["organisation", "ended_at"], name="partners_ca_organis_82ec3c_idx")],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_type_follows, content_type_back),
    ]
