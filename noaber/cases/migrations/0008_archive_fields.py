"""ZGW archive fields on cases (archiefnominatie, archiefactiedatum, archiefstatus), a legal
hold, per-agenda-item minutes. The results' nomination takes the ZGW values; closed cases get
their archive fields from their result (the old destruction date where there was one), then
the old destruction date goes."""

import calendar
from datetime import date

import noaber.lib.crypto
from django.db import migrations, models
from django.utils import timezone


def _add_years(day: date, years: int) -> date:
    year = day.year + years
    return date(year, day.month, min(day.day, calendar.monthrange(year, day.month)[1]))


def fill_archive_fields(apps, schema_editor):
    CaseResult = apps.get_model("cases", "CaseResult")
    Case = apps.get_model("cases", "Case")
    CaseResult.objects.filter(archive="destroy").update(archive="vernietigen")
    CaseResult.objects.filter(archive="keep").update(archive="blijvend_bewaren")
    closed = Case.objects.filter(status="closed", result__isnull=False).select_related("result")
    for case in closed.iterator():
        closed_on = timezone.localdate(case.closed_at or case.created_at)
        Case.objects.filter(pk=case.pk).update(
            archiefnominatie=case.result.archive,
            archiefactiedatum=case.destruction_date
            or _add_years(closed_on, case.result.term_years),
            archiefstatus="nog_te_archiveren",
        )


def empty_archive_fields(apps, schema_editor):
    CaseResult = apps.get_model("cases", "CaseResult")
    Case = apps.get_model("cases", "Case")
    CaseResult.objects.filter(archive="vernietigen").update(archive="destroy")
    CaseResult.objects.filter(archive="blijvend_bewaren").update(archive="keep")
    for case in Case.objects.filter(archiefnominatie="vernietigen").iterator():
        Case.objects.filter(pk=case.pk).update(destruction_date=case.archiefactiedatum)


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0007_encrypt_titles_and_results'),
    ]

    operations = [
        migrations.AddField(
            model_name='agendaitem',
            name='minutes',
            field=noaber.lib.crypto.EncryptedTextField(blank=True, verbose_name='verslag van dit agendapunt'),
        ),
        migrations.AddField(
            model_name='case',
            name='archiefactiedatum',
            field=models.DateField(blank=True, null=True, verbose_name='archiefactiedatum'),
        ),
        migrations.AddField(
            model_name='case',
            name='archiefnominatie',
            field=models.CharField(blank=True, choices=[('vernietigen', 'vernietigen'), ('blijvend_bewaren', 'blijvend bewaren')], max_length=20, verbose_name='archiefnominatie'),
        ),
        migrations.AddField(
            model_name='case',
            name='archiefstatus',
            field=models.CharField(choices=[('nog_te_archiveren', 'nog te archiveren'), ('gearchiveerd', 'gearchiveerd'), ('overgedragen', 'overgedragen')], default='nog_te_archiveren', max_length=20, verbose_name='archiefstatus'),
        ),
        migrations.AddField(
            model_name='case',
            name='destroyed_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='case',
            name='legal_hold',
            field=models.BooleanField(default=False, verbose_name='bewaarplicht (legal hold)'),
        ),
        migrations.AddField(
            model_name='case',
            name='legal_hold_reason',
            field=noaber.lib.crypto.EncryptedTextField(blank=True, max_length=200, verbose_name='reden bewaarplicht'),
        ),
        migrations.AlterField(
            model_name='caseresult',
            name='archive',
            field=models.CharField(choices=[('vernietigen', 'vernietigen'), ('blijvend_bewaren', 'blijvend bewaren')], max_length=20, verbose_name='archiefnominatie'),
        ),
        migrations.AlterField(
            model_name='caseresult',
            name='term_years',
            field=models.PositiveSmallIntegerField(default=0, verbose_name='archiefactietermijn (jaren)'),
        ),
        migrations.RunPython(fill_archive_fields, empty_archive_fields),
        migrations.RemoveField(
            model_name='case',
            name='destruction_date',
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['municipality', 'archiefnominatie', 'archiefactiedatum'], name='cases_case_municip_9458ac_idx'),
        ),
    ]
