"""Indexes that serve the driver list sorted by name in each language's
collation (accounts.collation), as fleet_driver_name_idx serves the plain
order: without them, page 1 of 100,000 drivers sorts them all. PostgreSQL
only, like the collations."""

from django.db import migrations

LANGUAGES = ("en", "es")


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for language in LANGUAGES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "fleet_driver_name_{language}_idx" ON "fleet_driver" '
            f'("last_name" COLLATE "names_{language}", "first_name" COLLATE "names_{language}", "id")'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for language in LANGUAGES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "fleet_driver_name_{language}_idx"')


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0011_name_collations"),
        ("fleet", "0010_db_defaults_for_copied_rows"),
    ]

    operations = [migrations.RunPython(create, drop)]
