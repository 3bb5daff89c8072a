"""Sessions move to accounts_session, with the id of the user each signs in
(accounts/sessions.py). The sessions that have not expired come along, so
nobody is signed out by the deploy; the old table is emptied (nothing reads
or clears it any more). Reversible: back the other way."""

import django.db.models.deletion
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core import signing
from django.db import migrations, models
from django.utils import timezone
from django.utils.module_loading import import_string

BATCH = 2000
# Django's sessions sign their data with the store's class name; both stores are "SessionStore".
SALT = "django.contrib.sessions.SessionStore"


def _user_id(session_data):
    try:
        data = signing.loads(session_data, salt=SALT, serializer=import_string(settings.SESSION_SERIALIZER))
        return int(data[SESSION_KEY])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None  # anonymous, or signed with another secret: kept, and signs nobody in


def _copy(source, target, *, with_user):
    rows = []
    for row in source.objects.filter(expire_date__gt=timezone.now()).iterator(chunk_size=BATCH):
        extra = {"user_id": _user_id(row.session_data)} if with_user else {}
        rows.append(
            target(session_key=row.session_key, session_data=row.session_data, expire_date=row.expire_date, **extra)
        )
        if len(rows) == BATCH:
            target.objects.bulk_create(rows, ignore_conflicts=True)
            rows = []
    target.objects.bulk_create(rows, ignore_conflicts=True)
    source.objects.all().delete()


def forwards(apps, schema_editor):
    _copy(apps.get_model("sessions", "Session"), apps.get_model("accounts", "Session"), with_user=True)


def backwards(apps, schema_editor):
    _copy(apps.get_model("accounts", "Session"), apps.get_model("sessions", "Session"), with_user=False)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0012_phone_numbers_e164"),
        ("sessions", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="Session",
            fields=[
                (
                    "session_key",
                    models.CharField(max_length=40, primary_key=True, serialize=False, verbose_name="session key"),
                ),
                ("session_data", models.TextField(verbose_name="session data")),
                ("expire_date", models.DateTimeField(db_index=True, verbose_name="expire date")),
                (
                    "user",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "session",
                "verbose_name_plural": "sessions",
                "db_table": "accounts_session",
                "abstract": False,
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
