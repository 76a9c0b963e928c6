"""On PostgreSQL the database itself refuses to change or delete audit events.

A ``BEFORE UPDATE OR DELETE`` row trigger raises for every row, whatever the client (the ORM guard
in ``AuditEventQuerySet`` covers SQLite too). ``TRUNCATE`` fires no row trigger, so the test
suite's flush still empties the table; an owner who disables the trigger is caught by the signed
head instead (``verify_audit``).
"""

from typing import Any

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION kenes_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
DROP TRIGGER IF EXISTS audit_auditevent_append_only ON audit_auditevent;
CREATE TRIGGER audit_auditevent_append_only
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION kenes_audit_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_auditevent_append_only ON audit_auditevent;
DROP FUNCTION IF EXISTS kenes_audit_append_only();
"""


def _on_postgresql(sql: str) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_backfill_actor_pk_sign_head")]

    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP), elidable=False)]
