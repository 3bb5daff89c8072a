"""The check-in log indexed for what reads it (issue 15).

- The desk page shows a user's last scans at one clinic, newest first: an
  index on (user, site, at) gives them from its end, where the index on user
  alone made PostgreSQL read and sort every scan that user ever made.
- That index leads with the user, so the user's own index goes; and the
  code's index goes too: the admin searches codes with icontains, which no
  index serves, and no other query looks a log row up by its code.

Every scan still writes an index entry fewer. The user's index is dropped by
hand: Django's AlterField for a change of db_index drops the foreign key and
adds it again, which validates it over the whole table."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

USER_INDEX = "vaccination_checkinlog_user_id_3b13251f"  # as Django named it, on PostgreSQL and SQLite


class Migration(migrations.Migration):
    dependencies = [
        ("vaccination", "0017_fewer_index_writes_per_booking"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="checkinlog",
            index=models.Index(fields=["user", "site", "at"], name="vaccination_log_desk_at"),
        ),
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX IF EXISTS {USER_INDEX}",
                    f"CREATE INDEX {USER_INDEX} ON vaccination_checkinlog (user_id)",
                ),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="checkinlog",
                    name="user",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="desk user",
                    ),
                ),
            ],
        ),
        migrations.RemoveIndex(
            model_name="checkinlog",
            name="vaccination_log_code",
        ),
    ]
