"""Store only the SHA-256 of calendar feed secrets; existing subscriptions keep working."""

import hashlib

from django.db import migrations


def _hash(apps, schema_editor):
    Account = apps.get_model("people", "Account")
    for account in Account.objects.exclude(calendar_token=None):
        raw = account.calendar_token
        account.calendar_token = hashlib.sha256(raw.encode()).hexdigest()
        account.save(update_fields=["calendar_token"])


class Migration(migrations.Migration):
    dependencies = [("people", "0003_token_clearance")]

    operations = [migrations.RunPython(_hash, migrations.RunPython.noop)]
