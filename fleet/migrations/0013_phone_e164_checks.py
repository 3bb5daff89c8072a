# Drivers' and client contacts' phone columns hold E.164 or nothing, for every
# writer: a CHECK each (accounts.phones.E164Only). A value written around the
# model since 0012 (raw SQL, a bulk update, a COPY) is first converted, or
# moved unchanged to its *_unparsed column and reported, as 0012 did.

from django.db import migrations, models

from accounts import phones


def keep_e164_only(apps, schema_editor):
    Driver = apps.get_model("fleet", "Driver")
    Client = apps.get_model("fleet", "Client")
    phones.keep_e164_only("fleet.Driver", Driver.objects.all())
    phones.keep_e164_only(
        "fleet.Client (contact phone)", Client.objects.all(), field="contact_phone", note="contact_phone_unparsed"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("fleet", "0012_phone_numbers_e164"),
    ]

    operations = [
        migrations.RunPython(keep_e164_only, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="client",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("contact_phone", ""), ("contact_phone__regex", "^\\+[1-9][0-9]{1,14}$"), _connector="OR"
                ),
                name="fleet_client_contact_phone_e164",
            ),
        ),
        migrations.AddConstraint(
            model_name="driver",
            constraint=models.CheckConstraint(
                condition=models.Q(("phone", ""), ("phone__regex", "^\\+[1-9][0-9]{1,14}$"), _connector="OR"),
                name="fleet_driver_phone_e164",
            ),
        ),
    ]
