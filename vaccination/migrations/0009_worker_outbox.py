"""Notices still owed move from the appointment's own `email_pending` column
(an outbox of one) to the outbox app's table, then the column goes: nothing
owed at the time of the deploy is lost."""

from django.db import migrations


def owed_notices_to_the_outbox(apps, schema_editor):
    Appointment = apps.get_model("vaccination", "Appointment")
    Message = apps.get_model("outbox", "Message")
    owed = Appointment.objects.exclude(email_pending="").select_related("person")
    Message.objects.bulk_create(
        [
            Message(
                kind=f"appointment_{appointment.email_pending}",
                to=appointment.person.email,
                data={"appointment": appointment.pk, "sequence": appointment.sequence},
                key=f"appointment_{appointment.email_pending}:{appointment.pk}:{appointment.sequence}",
            )
            for appointment in owed.iterator()
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )


def outbox_to_owed_notices(apps, schema_editor):
    Appointment = apps.get_model("vaccination", "Appointment")
    Message = apps.get_model("outbox", "Message")
    for message in Message.objects.filter(
        status="pending", kind__in=[f"appointment_{k}" for k in ("booked", "rescheduled", "cancelled")]
    ):
        Appointment.objects.filter(pk=message.data.get("appointment")).update(
            email_pending=message.kind.removeprefix("appointment_")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("vaccination", "0008_walkins_screening"),
        ("outbox", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(owed_notices_to_the_outbox, outbox_to_owed_notices, elidable=False),
        migrations.RemoveIndex(
            model_name="appointment",
            name="vaccination_appt_email_owed",
        ),
        migrations.RemoveField(
            model_name="appointment",
            name="email_pending",
        ),
    ]
