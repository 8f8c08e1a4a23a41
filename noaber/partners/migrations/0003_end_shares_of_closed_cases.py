"""Existing shares: link each to the ledger lines it wrote, and end the shares of cases that
were closed before closing ended them (the ledger records the end, reason "casus afgesloten")."""

from django.db import migrations
from django.utils import timezone


def forwards(apps, schema_editor):
    CaseShare = apps.get_model("partners", "CaseShare")
    Disclosure = apps.get_model("registry", "Disclosure")
    DisclosureEnd = apps.get_model("registry", "DisclosureEnd")
    for share in CaseShare.objects.select_related("case").iterator():
        lines = Disclosure.objects.filter(
            signal__cases=share.case,
            recipient_id=share.organisation_id,
            purpose=share.purpose,
            # share_case wrote the local date of the moment of sharing.
            decided_on=timezone.localdate(share.created_at),
        )
        share.disclosures.set(lines)
        # "afgesloten" before cases.0005 renamed the end state to "closed".
        if share.ended_at is None and share.case.status in ("afgesloten", "closed"):
            share.ended_at = share.case.closed_at
            share.end_reason = "casus afgesloten"
            share.save(update_fields=["ended_at", "end_reason"])
            DisclosureEnd.objects.bulk_create(
                DisclosureEnd(disclosure=line, kind="ended", reason="casus afgesloten")
                for line in lines
            )


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0002_need_to_know"),
        ("registry", "0004_need_to_know"),
        ("cases", "0003_partner_timeline"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
