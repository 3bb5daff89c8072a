"""Fewer index entries written by every booking and check-in (issue 15).

- The slot's free-seats index (0005) held booked_count, so every seat taken
  or freed wrote an entry in each of the slot table's indexes; without an
  index holding booked_count the seat UPDATE is a HOT update.
- The appointment's person and slot had an index each that (person,
  status) and (slot, status) already cover; who checked in, where and who
  gave the dose are indexed only where filled (none for a new booking); the
  code's uniqueness is a constraint, without the LIKE index unique=True
  adds on PostgreSQL; the vaccine, kept equal to the slot's by a trigger
  (0012), has no second foreign key check (it locked the vaccine's row in
  every booking).
- The check-in log's code loses its LIKE index too.

The database work is written out, so that on PostgreSQL nothing is rebuilt
or re-validated on a large table: the code's unique constraint is renamed,
not dropped and built again, and the foreign keys are not dropped and added
again, as Django's AlterField does for a change of db_index. Django's model
state is changed by the operations it generated."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# The indexes and constraints as Django named them (the same names on PostgreSQL and SQLite).
FOREIGN_KEY_INDEXES = {
    "vaccination_appointment_person_id_ea59f3b5": "person_id",
    "vaccination_appointment_slot_id_9c9ba365": "slot_id",
    "vaccination_appointment_checked_in_by_id_3fcbfb90": "checked_in_by_id",
    "vaccination_appointment_checked_in_site_id_6b693018": "checked_in_site_id",
    "vaccination_appointment_dose_given_by_id_f9385e56": "dose_given_by_id",
}
PARTIAL = {
    "vaccination_appt_checkin_by": "checked_in_by_id",
    "vaccination_appt_checkin_site": "checked_in_site_id",
    "vaccination_appt_dose_by": "dose_given_by_id",
}
VACCINE_FK = "vaccination_appointm_vaccine_id_3e54642d_fk_vaccinati"

FORWARDS = [
    "DROP INDEX IF EXISTS vaccination_slot_free_seats",
    *(f"DROP INDEX IF EXISTS {name}" for name in FOREIGN_KEY_INDEXES),
    *(
        f"CREATE INDEX {name} ON vaccination_appointment ({column}) WHERE {column} IS NOT NULL"
        for name, column in PARTIAL.items()
    ),
    "DROP INDEX IF EXISTS vaccination_checkinlog_code_2a0c4ffc",
    "DROP INDEX IF EXISTS vaccination_checkinlog_code_2a0c4ffc_like",
    "CREATE INDEX vaccination_log_code ON vaccination_checkinlog (code)",
]
FORWARDS_POSTGRESQL = [
    "DROP INDEX IF EXISTS vaccination_appointment_code_2f65b8f5_like",
    "ALTER TABLE vaccination_appointment RENAME CONSTRAINT vaccination_appointment_code_key "
    "TO vaccination_appointment_code_unique",
    f"ALTER TABLE vaccination_appointment DROP CONSTRAINT IF EXISTS {VACCINE_FK}",
]
# SQLite keeps the column's own UNIQUE (it is part of the table's definition there).
FORWARDS_OTHERS = ["CREATE UNIQUE INDEX vaccination_appointment_code_unique ON vaccination_appointment (code)"]

BACKWARDS = [
    "DROP INDEX IF EXISTS vaccination_log_code",
    "CREATE INDEX vaccination_checkinlog_code_2a0c4ffc ON vaccination_checkinlog (code)",
    *(f"DROP INDEX IF EXISTS {name}" for name in PARTIAL),
    *(f"CREATE INDEX {name} ON vaccination_appointment ({column})" for name, column in FOREIGN_KEY_INDEXES.items()),
]
BACKWARDS_POSTGRESQL = [
    "CREATE INDEX vaccination_checkinlog_code_2a0c4ffc_like ON vaccination_checkinlog (code varchar_pattern_ops)",
    "ALTER TABLE vaccination_appointment RENAME CONSTRAINT vaccination_appointment_code_unique "
    "TO vaccination_appointment_code_key",
    "CREATE INDEX vaccination_appointment_code_2f65b8f5_like ON vaccination_appointment (code varchar_pattern_ops)",
    f"ALTER TABLE vaccination_appointment ADD CONSTRAINT {VACCINE_FK} FOREIGN KEY (vaccine_id) "
    "REFERENCES vaccination_vaccine (id) DEFERRABLE INITIALLY DEFERRED",
    "CREATE INDEX vaccination_slot_free_seats ON vaccination_slot (site_id, start) "
    "INCLUDE (capacity, booked_count, vaccine_id) WHERE booked_count < capacity",
]
BACKWARDS_OTHERS = [
    "DROP INDEX IF EXISTS vaccination_appointment_code_unique",
    "CREATE INDEX vaccination_slot_free_seats ON vaccination_slot (site_id, start) WHERE booked_count < capacity",
]


def _run(common, postgresql, others):
    def run(apps, schema_editor):
        for sql in [*common, *(postgresql if schema_editor.connection.vendor == "postgresql" else others)]:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("vaccination", "0016_own_pages_fingerprint"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunPython(
                    _run(FORWARDS, FORWARDS_POSTGRESQL, FORWARDS_OTHERS),
                    _run(BACKWARDS, BACKWARDS_POSTGRESQL, BACKWARDS_OTHERS),
                ),
            ],
            state_operations=[
                migrations.RemoveIndex(
                    model_name="slot",
                    name="vaccination_slot_free_seats",
                ),
                migrations.AlterField(
                    model_name="appointment",
                    name="checked_in_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="checked in by",
                    ),
                ),
                migrations.AlterField(
                    model_name="appointment",
                    name="checked_in_site",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="vaccination.site",
                        verbose_name="checked in at clinic",
                    ),
                ),
                migrations.AlterField(
                    model_name="appointment",
                    name="code",
                    field=models.CharField(editable=False, max_length=8, verbose_name="confirmation code"),
                ),
                migrations.AlterField(
                    model_name="appointment",
                    name="dose_given_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="dose given by",
                    ),
                ),
                migrations.AlterField(
                    model_name="appointment",
                    name="person",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="appointments",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="person",
                    ),
                ),
                migrations.AlterField(
                    model_name="appointment",
                    name="slot",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="appointments",
                        to="vaccination.slot",
                        verbose_name="slot",
                    ),
                ),
                migrations.AlterField(
                    model_name="appointment",
                    name="vaccine",
                    field=models.ForeignKey(
                        db_constraint=False,
                        editable=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="vaccination.vaccine",
                        verbose_name="vaccine",
                    ),
                ),
                migrations.AlterField(
                    model_name="checkinlog",
                    name="code",
                    field=models.CharField(blank=True, max_length=32, verbose_name="code"),
                ),
                migrations.AddIndex(
                    model_name="appointment",
                    index=models.Index(
                        condition=models.Q(("checked_in_by__isnull", False)),
                        fields=["checked_in_by"],
                        name="vaccination_appt_checkin_by",
                    ),
                ),
                migrations.AddIndex(
                    model_name="appointment",
                    index=models.Index(
                        condition=models.Q(("checked_in_site__isnull", False)),
                        fields=["checked_in_site"],
                        name="vaccination_appt_checkin_site",
                    ),
                ),
                migrations.AddIndex(
                    model_name="appointment",
                    index=models.Index(
                        condition=models.Q(("dose_given_by__isnull", False)),
                        fields=["dose_given_by"],
                        name="vaccination_appt_dose_by",
                    ),
                ),
                migrations.AddIndex(
                    model_name="checkinlog",
                    index=models.Index(fields=["code"], name="vaccination_log_code"),
                ),
                migrations.AddConstraint(
                    model_name="appointment",
                    constraint=models.UniqueConstraint(fields=("code",), name="vaccination_appointment_code_unique"),
                ),
            ],
        ),
    ]
