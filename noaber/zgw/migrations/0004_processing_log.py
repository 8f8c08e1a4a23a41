"""The processing log outward (VNG Verwerkingenlogging): the municipality's switch with the
clients it names, the privacy officer's releases, and the object types of their events in the
register of processing activities (rechten-betrokkenen)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

OBJECT_TYPES = {
    "rechten-betrokkenen": [
        "zgw_verwerkte_objecten",
        "zgw_processing_log",
        "zgw_processing_release",
    ],
}


def add_object_types(apps, schema_editor):
    ProcessingActivity = apps.get_model("audit", "ProcessingActivity")
    for code, types in OBJECT_TYPES.items():
        activity = ProcessingActivity.objects.filter(code=code).first()
        if activity is None:
            continue
        missing = [t for t in types if t not in activity.object_types]
        if missing:
            activity.object_types = [*activity.object_types, *missing]
            activity.save(update_fields=["object_types"])


class Migration(migrations.Migration):
    dependencies = [
        ("zgw", "0002_processing_activities"),
        ("accounts", "0010_provider_mfa_and_logout_tokens"),
        ("registry", "0010_overdue_first_index"),
        ("audit", "0005_register_of_processing_activities"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ProcessingLogSetting",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "enabled",
                    models.BooleanField(
                        default=False, verbose_name="verwerkingenlogging opengesteld"
                    ),
                ),
                (
                    "changed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="gewijzigd op"),
                ),
                (
                    "changed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "clients",
                    models.ManyToManyField(
                        blank=True,
                        related_name="+",
                        to="zgw.apiclient",
                        verbose_name="genoemde clients",
                    ),
                ),
                (
                    "municipality",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="processing_log",
                        to="accounts.municipality",
                    ),
                ),
            ],
            options={
                "verbose_name": "instelling verwerkingenlogging",
                "verbose_name_plural": "instellingen verwerkingenlogging",
            },
        ),
        migrations.CreateModel(
            name="ProcessingLogRelease",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("reason", models.TextField(verbose_name="reden")),
                ("released_at", models.DateTimeField(verbose_name="vrijgegeven op")),
                (
                    "municipality",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="accounts.municipality",
                    ),
                ),
                (
                    "released_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "signal",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="registry.signal",
                    ),
                ),
                (
                    "subject",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="registry.subject",
                    ),
                ),
            ],
            options={
                "verbose_name": "vrijgave verwerkingenlogging",
                "verbose_name_plural": "vrijgaven verwerkingenlogging",
                "ordering": ["-released_at"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("signal__isnull", False), ("subject__isnull", True))
                        | models.Q(("signal__isnull", True), ("subject__isnull", False)),
                        name="processing_release_signal_or_subject",
                    )
                ],
            },
        ),
        migrations.RunPython(add_object_types, migrations.RunPython.noop),
    ]
