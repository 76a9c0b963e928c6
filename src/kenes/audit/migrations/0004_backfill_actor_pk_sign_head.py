"""Copy each event's actor id into ``actor_pk`` (which the hash now covers) and sign the head.

The head of an existing log is signed as it stands: the signature protects it from now on.
"""

import hashlib
import hmac
from typing import Any

from django.conf import settings
from django.db import migrations
from django.db.models import F


def forwards(apps: Any, schema_editor: Any) -> None:
    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditHead = apps.get_model("audit", "AuditHead")
    AuditEvent.objects.filter(actor__isnull=False, actor_pk__isnull=True).update(actor_pk=F("actor_id"))
    for head in AuditHead.objects.all():
        message = f"kenes-audit-head:{head.seq}:{head.hash}".encode()
        head.signature = hmac.new(settings.KENES_AUDIT_KEY.encode(), message, hashlib.sha256).hexdigest()
        head.save(update_fields=["signature"])


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_actor_pk_head_signature")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
