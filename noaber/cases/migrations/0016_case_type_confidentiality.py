"""Case types carry the ZGW vertrouwelijkheidaanduiding of their cases (issue 22): existing
installations get the levels of data/reference/cases.json for the types they already have."""

from django.db import migrations, models

# As in data/reference/cases.json; types not named keep the default (zaakvertrouwelijk).
LEVELS = {"riec": "confidentieel", "handhaving": "vertrouwelijk", "pga": "vertrouwelijk"}


def set_levels(apps, schema_editor):
    CaseType = apps.get_model("cases", "CaseType")
    for code, level in LEVELS.items():
        CaseType.objects.filter(code=code).update(confidentiality=level)


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0015_task_location_street'),
    ]

    operations = [
        migrations.AddField(
            model_name='casetype',
            name='confidentiality',
            field=models.CharField(choices=[('openbaar', 'openbaar'), ('beperkt_openbaar', 'beperkt openbaar'), ('intern', 'intern'), ('zaakvertrouwelijk', 'zaakvertrouwelijk'), ('vertrouwelijk', 'vertrouwelijk'), ('confidentieel', 'confidentieel'), ('geheim', 'geheim'), ('zeer_geheim', 'zeer geheim')], default='zaakvertrouwelijk', max_length=20, verbose_name='vertrouwelijkheidaanduiding'),
        ),
        migrations.RunPython(set_levels, migrations.RunPython.noop),
    ]
