"""Trigram GIN indexes for the list searches, on PostgreSQL only.

`LIKE '%text%'` cannot use a B-tree index; pg_trgm's GIN operator class can,
which keeps the driver search fast at 100,000 drivers. SQLite has no such
index type, so there this migration does nothing and the search scans.
"""

from django.db import migrations

INDEXES = [
    ("fleet_driver_search_trgm", "fleet_driver", "search_text"),
    ("fleet_truck_code_trgm", "fleet_truck", "code"),
    ("fleet_truck_plate_trgm", "fleet_truck", "plate"),
]


def create_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({column} gin_trgm_ops)")


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("fleet", "0001_initial")]

    operations = [migrations.RunPython(create_trigram_indexes, drop_trigram_indexes)]
