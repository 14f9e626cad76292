"""On PostgreSQL the database itself refuses UPDATE and DELETE of postings and journal entries."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION revenue_ledger_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ledger rows are append-only: % on % refused (post a reversing entry instead)',
        TG_OP, TG_TABLE_NAME USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER revenue_posting_append_only BEFORE UPDATE OR DELETE ON revenue_posting
    FOR EACH ROW EXECUTE FUNCTION revenue_ledger_append_only();
CREATE TRIGGER revenue_journalentry_append_only BEFORE UPDATE OR DELETE ON revenue_journalentry
    FOR EACH ROW EXECUTE FUNCTION revenue_ledger_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS revenue_posting_append_only ON revenue_posting;
DROP TRIGGER IF EXISTS revenue_journalentry_append_only ON revenue_journalentry;
DROP FUNCTION IF EXISTS revenue_ledger_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)  # no client-side "%" interpolation


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("revenue", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
