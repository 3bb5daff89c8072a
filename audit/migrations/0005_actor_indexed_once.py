"""The actor's own index goes: (actor, at) is the index by actor, and every
event wrote an entry in both (issue 15). Only the index is dropped: Django's
AlterField would drop the foreign key and validate it again over the whole
table."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0004_no_show_actions"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    "DROP INDEX IF EXISTS audit_auditevent_actor_id_270bb4b7",
                    "CREATE INDEX audit_auditevent_actor_id_270bb4b7 ON audit_auditevent (actor_id)",
                ),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="auditevent",
                    name="actor",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="actor",
                    ),
                ),
            ],
        ),
    ]
