"""On PostgreSQL, refuse UPDATE and DELETE of ledger entries in the database itself.

The ORM already raises (credits.models.LedgerEntryQuerySet); this stops raw SQL too.
TRUNCATE is left alone: it empties whole tables (test flushes), it does not edit history.
SQLite has no such trigger, because its test flush deletes rows one table at a time.
"""

from django.db import migrations

CREATE = """
CREATE FUNCTION credits_ledgerentry_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'credits ledger entries are append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER credits_ledgerentry_append_only
    BEFORE UPDATE OR DELETE ON credits_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION credits_ledgerentry_refuse_change();
"""

DROP = """
DROP TRIGGER IF EXISTS credits_ledgerentry_append_only ON credits_ledgerentry;
DROP FUNCTION IF EXISTS credits_ledgerentry_refuse_change();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("credits", "0001_initial")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
