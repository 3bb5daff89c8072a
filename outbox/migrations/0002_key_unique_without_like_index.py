"""The key's uniqueness becomes a named constraint: unique=True also made a
LIKE index (varchar_pattern_ops) on PostgreSQL that nothing reads and every
message wrote (issue 15). On PostgreSQL the existing constraint is renamed,
not built again; SQLite keeps the column's own UNIQUE beside the new index."""

from django.db import migrations, models


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS outbox_message_key_9860c808_like")
        schema_editor.execute(
            "ALTER TABLE outbox_message RENAME CONSTRAINT outbox_message_key_key TO outbox_message_key_unique"
        )
    else:
        schema_editor.execute("CREATE UNIQUE INDEX outbox_message_key_unique ON outbox_message (key)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE outbox_message RENAME CONSTRAINT outbox_message_key_unique TO outbox_message_key_key"
        )
        schema_editor.execute(
            "CREATE INDEX outbox_message_key_9860c808_like ON outbox_message (key varchar_pattern_ops)"
        )
    else:
        schema_editor.execute("DROP INDEX IF EXISTS outbox_message_key_unique")


class Migration(migrations.Migration):
    dependencies = [
        ("outbox", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forwards, backwards)],
            state_operations=[
                migrations.AlterField(
                    model_name="message",
                    name="key",
                    field=models.CharField(blank=True, max_length=200, null=True, verbose_name="key"),
                ),
                migrations.AddConstraint(
                    model_name="message",
                    constraint=models.UniqueConstraint(fields=("key",), name="outbox_message_key_unique"),
                ),
            ],
        ),
    ]
