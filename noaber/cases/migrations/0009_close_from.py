"""Case types say from which statuses a case may be closed (data/reference/cases.json,
"close_from"); existing types get the reference data's list, or every status but the first."""

import json
from pathlib import Path

from django.conf import settings
from django.db import migrations, models


def fill_close_from(apps, schema_editor):
    CaseType = apps.get_model("cases", "CaseType")
    path = Path(settings.BASE_DIR) / "data" / "reference" / "cases.json"
    known = {}
    if path.exists():
        known = {t["code"]: t.get("close_from") for t in json.loads(path.read_text())["case_types"]}
    for case_type in CaseType.objects.all():
        fallback = [code for code, _label in case_type.statuses[1:] if code != "closed"]
        case_type.close_from = known.get(case_type.code) or fallback
        case_type.save(update_fields=["close_from"])


class Migration(migrations.Migration):
    dependencies = [("cases", "0008_archive_fields")]

    operations = [
        migrations.AddField(
            model_name="casetype", name="close_from", field=models.JSONField(default=list)
        ),
        migrations.RunPython(fill_close_from, migrations.RunPython.noop),
    ]
