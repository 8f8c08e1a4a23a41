"""The ZGW audit events belong to processing activities of the register (AVG art. 30): the
clients to toegangsbeheer, the catalogue served to beheer (data/reference/processing_activities
.json names them for new installations; this adds them where the register already exists)."""

from django.db import migrations

OBJECT_TYPES = {
    "toegangsbeheer": ["zgw_client"],
    "beheer": [
        "zgw_catalogue",
        "zgw_catalogus",
        "zgw_zaaktype",
        "zgw_statustype",
        "zgw_resultaattype",
        "zgw_roltype",
    ],
}


def add_object_types(apps, schema_editor):
    ProcessingActivity = apps.get_model("audit", "ProcessingActivity")
    for code, types in OBJECT_TYPES.items():
        activity = ProcessingActivity.objects.filter(code=code).first()
        if activity is None:
            continue  # loaded later from the reference file, which names them already
        missing = [t for t in types if t not in activity.object_types]
        if missing:
            activity.object_types = [*activity.object_types, *missing]
            activity.save(update_fields=["object_types"])


class Migration(migrations.Migration):
    dependencies = [
        ("zgw", "0001_initial"),
        ("audit", "0004_one_chain_per_municipality"),
    ]

    operations = [migrations.RunPython(add_object_types, migrations.RunPython.noop)]
