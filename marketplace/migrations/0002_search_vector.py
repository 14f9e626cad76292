"""PostgreSQL full-text search column (0003 keeps it inline: STORAGE MAIN; and seeds the reference data).

`marketplace_app.search_vector` is a stored generated tsvector — name weighted A, tagline B, description C,
'english' stemming — with a GIN index. It exists only on PostgreSQL (SQLite has no tsvector; the search
selector falls back to ranked icontains there), which is why it is SQL here and not a model field. The index has
fastupdate off: the catalog is read far more than written, and a GIN pending list (filled by bulk writes until
the next vacuum) makes the planner fall back to scanning every row.
"""

from django.db import migrations

SEARCH_SQL = """
ALTER TABLE marketplace_app ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english'::regconfig, coalesce(name, '')), 'A')
    || setweight(to_tsvector('english'::regconfig, coalesce(tagline, '')), 'B')
    || setweight(to_tsvector('english'::regconfig, coalesce(description, '')), 'C')
) STORED;
CREATE INDEX marketplace_app_search_gin ON marketplace_app USING GIN (search_vector) WITH (fastupdate = off);
"""
UNSEARCH_SQL = """
DROP INDEX IF EXISTS marketplace_app_search_gin;
ALTER TABLE marketplace_app DROP COLUMN IF EXISTS search_vector;
"""

def search_forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SEARCH_SQL)


def search_backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UNSEARCH_SQL)


class Migration(migrations.Migration):
    dependencies = [("marketplace", "0001_initial")]

    operations = [
        migrations.RunPython(search_forward, search_backward),
    ]
