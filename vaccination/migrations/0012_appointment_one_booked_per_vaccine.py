"""One booked appointment per person and vaccine (flu and COVID together),
not per person: the appointment carries its slot's vaccine, backfilled here
and kept equal to it by Appointment.save() and, on PostgreSQL, by triggers
that see every write (bulk_create, COPY, raw SQL) and follow a slot whose
vaccine is changed."""

import django.db.models.deletion
from django.db import migrations, models

BACKFILL = (
    "UPDATE vaccination_appointment SET vaccine_id = "
    "(SELECT s.vaccine_id FROM vaccination_slot s WHERE s.id = vaccination_appointment.slot_id)"
)

TRIGGERS = """
CREATE FUNCTION vaccination_appointment_copy_vaccine() RETURNS trigger AS $$
BEGIN
    SELECT vaccine_id INTO NEW.vaccine_id FROM vaccination_slot WHERE id = NEW.slot_id;
    RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER vaccination_appointment_copy_vaccine
    BEFORE INSERT OR UPDATE OF slot_id, vaccine_id ON vaccination_appointment
    FOR EACH ROW EXECUTE FUNCTION vaccination_appointment_copy_vaccine();
CREATE FUNCTION vaccination_slot_moves_vaccine() RETURNS trigger AS $$
BEGIN
    UPDATE vaccination_appointment SET vaccine_id = NEW.vaccine_id WHERE slot_id = NEW.id;
    RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER vaccination_slot_moves_vaccine
    AFTER UPDATE OF vaccine_id ON vaccination_slot
    FOR EACH ROW WHEN (OLD.vaccine_id IS DISTINCT FROM NEW.vaccine_id)
    EXECUTE FUNCTION vaccination_slot_moves_vaccine();
"""

DROP_TRIGGERS = """
DROP TRIGGER IF EXISTS vaccination_slot_moves_vaccine ON vaccination_slot;
DROP FUNCTION IF EXISTS vaccination_slot_moves_vaccine();
DROP TRIGGER IF EXISTS vaccination_appointment_copy_vaccine ON vaccination_appointment;
DROP FUNCTION IF EXISTS vaccination_appointment_copy_vaccine();
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


def backfill(apps, schema_editor):
    schema_editor.execute(BACKFILL)


class Migration(migrations.Migration):
    dependencies = [
        ("vaccination", "0011_opening_hours"),
    ]

    operations = [
        migrations.AddField(
            model_name="appointment",
            name="vaccine",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="vaccination.vaccine",
                verbose_name="vaccine",
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="appointment",
            name="vaccine",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="vaccination.vaccine",
                verbose_name="vaccine",
            ),
        ),
        migrations.RemoveConstraint(
            model_name="appointment",
            name="vaccination_appointment_one_booked_per_person",
        ),
        migrations.AddConstraint(
            model_name="appointment",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "booked")),
                fields=("person", "vaccine"),
                name="vaccination_appointment_one_booked_per_vaccine",
            ),
        ),
        migrations.RunPython(_on_postgresql(TRIGGERS), _on_postgresql(DROP_TRIGGERS)),
    ]
