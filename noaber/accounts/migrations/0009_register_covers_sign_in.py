"""The register of processing activities: "toegangsbeheer" also covers the identity providers
and their role mappings (their audit events point into it)."""

from django.db import migrations

NEW = ["identity_provider", "role_mapping"]


def cover(apps, schema_editor):
    activity = apps.get_model("audit", "ProcessingActivity").objects.filter(code="toegangsbeheer").first()
    if activity is None:
        return
    missing = [t for t in NEW if t not in activity.object_types]
    if missing:
        activity.object_types = [*activity.object_types, *missing]
        activity.save(update_fields=["object_types"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0008_identity_providers"),
        ("audit", "0004_one_chain_per_municipality"),
    ]

    operations = [migrations.RunPython(cover, migrations.RunPython.noop)]
