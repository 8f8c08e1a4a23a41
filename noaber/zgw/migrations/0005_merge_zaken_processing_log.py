"""The Zaken API's ledger (0003) and the processing log outward (0004) were made side by side."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("zgw", "0003_zaken"),
        ("zgw", "0004_processing_log"),
    ]

    operations = []
