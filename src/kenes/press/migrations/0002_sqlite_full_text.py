"""On the embedded SQLite, published releases are searched through an FTS5 index (issue 12, item 6).

An external-content FTS5 table over ``press_releaseversion`` (headline, lead, body), kept in step by
triggers, so that no code path can forget to index. The ``unicode61`` tokenizer folds case (Cyrillic
too) and diacritics. PostgreSQL uses its own full text (``kenes.press.search``) and gets nothing here.
"""

from typing import Any

from django.db import migrations

CREATE = [
    """CREATE VIRTUAL TABLE press_releaseversion_fts USING fts5(
        headline, lead, body, content='press_releaseversion', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER press_releaseversion_fts_insert AFTER INSERT ON press_releaseversion BEGIN
        INSERT INTO press_releaseversion_fts(rowid, headline, lead, body)
        VALUES (new.id, new.headline, new.lead, new.body);
    END""",
    """CREATE TRIGGER press_releaseversion_fts_delete AFTER DELETE ON press_releaseversion BEGIN
        INSERT INTO press_releaseversion_fts(press_releaseversion_fts, rowid, headline, lead, body)
        VALUES ('delete', old.id, old.headline, old.lead, old.body);
    END""",
    """CREATE TRIGGER press_releaseversion_fts_update AFTER UPDATE ON press_releaseversion BEGIN
        INSERT INTO press_releaseversion_fts(press_releaseversion_fts, rowid, headline, lead, body)
        VALUES ('delete', old.id, old.headline, old.lead, old.body);
        INSERT INTO press_releaseversion_fts(rowid, headline, lead, body)
        VALUES (new.id, new.headline, new.lead, new.body);
    END""",
    # Versions written before this migration.
    "INSERT INTO press_releaseversion_fts(press_releaseversion_fts) VALUES ('rebuild')",
]

DROP = [
    "DROP TRIGGER IF EXISTS press_releaseversion_fts_insert",
    "DROP TRIGGER IF EXISTS press_releaseversion_fts_delete",
    "DROP TRIGGER IF EXISTS press_releaseversion_fts_update",
    "DROP TABLE IF EXISTS press_releaseversion_fts",
]


def _on_sqlite(statements: list[str]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "sqlite":
            for statement in statements:
                schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("press", "0001_initial")]

    operations = [migrations.RunPython(_on_sqlite(CREATE), _on_sqlite(DROP), elidable=False)]
