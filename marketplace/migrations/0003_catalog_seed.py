"""The catalog's reference data, and the search vector kept inline.

1. Categories and the first developer agreement, once (they used to be re-created after every `migrate` by a
   post_migrate handler). Idempotent: rows that exist are left as staff edited them.
2. PostgreSQL: `search_vector` gets STORAGE MAIN. With the default (EXTENDED) a listing's vector — about 1.2 kB
   beside an 800-byte description — was moved to the TOAST table, so every search read it back from there for
   each candidate row, twice (match, then rank): 22,000 buffer reads to count the facets of a broad query at
   10,000 apps instead of 2,200. MAIN keeps it compressed in the row (long descriptions still go out of line
   first). Existing rows are rewritten once so they move inline too.
"""

from django.db import migrations

from marketplace.reference import reference_data_ensure

STORAGE_SQL = "ALTER TABLE marketplace_app ALTER COLUMN search_vector SET STORAGE MAIN"
REWRITE_SQL = "UPDATE marketplace_app SET name = name"  # regenerates the stored column under the new storage
UNDO_SQL = "ALTER TABLE marketplace_app ALTER COLUMN search_vector SET STORAGE EXTENDED"


def seed_reference_data(apps, schema_editor):
    reference_data_ensure(
        apps.get_model("marketplace", "Category"),
        apps.get_model("marketplace", "DeveloperAgreement"),
        using=schema_editor.connection.alias,
    )


def search_vector_inline(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(STORAGE_SQL)
        schema_editor.execute(REWRITE_SQL)


def search_vector_extended(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UNDO_SQL)


class Migration(migrations.Migration):
    dependencies = [("marketplace", "0002_search_vector")]

    operations = [
        # Reference rows stay on the way back: installations, apps and acceptances point at them.
        migrations.RunPython(seed_reference_data, migrations.RunPython.noop),
        migrations.RunPython(search_vector_inline, search_vector_extended),
    ]
