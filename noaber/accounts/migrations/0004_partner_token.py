"""PartnerToken moves from the meldpunt (intake) to accounts: it authenticates a partner's
organisation. Only Django's model state moves; the table `intake_partnertoken`, its many-to-
many table and every row (ids included) stay as they are, so this is safe to run on any
database, and a no-op for the database itself."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def content_type_follows(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="accounts", model="partnertoken").exists():
        ContentType.objects.filter(app_label="intake", model="partnertoken").update(
            app_label="accounts"
        )


def content_type_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="intake", model="partnertoken").exists():
        ContentType.objects.filter(app_label="accounts", model="partnertoken").update(
            app_label="intake"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_need_to_know"),
        ("intake", "0003_portal_channel"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="PartnerToken",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("name", models.CharField(max_length=100, verbose_name="omschrijving")),
                        ("prefix", models.CharField(max_length=8, unique=True)),
                        ("digest", models.CharField(max_length=64)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("revoked_at", models.DateTimeField(blank=True, null=True)),
                        ("last_used_at", models.DateTimeField(blank=True, null=True)),
                        ("created_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, to=settings.AUTH_USER_MODEL)),
                        ("municipalities", models.ManyToManyField(related_name="partner_tokens", to="accounts.municipality")),
                        ("organisation", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="api_tokens", to="accounts.organisation")),
                    ],
                    options={"ordering": ["organisation", "name"], "db_table": "intake_partnertoken"},
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_type_follows, content_type_back),
    ]
