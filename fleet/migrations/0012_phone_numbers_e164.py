# Phones become django-phonenumber-field's PhoneNumberField (E.164): see
# accounts/migrations/0010_phone_numbers_e164.py; a value that is not a phone
# number moves unchanged to the *_unparsed column and is reported.

import phonenumber_field.modelfields
from django.db import migrations, models

from accounts import phones


def to_e164(apps, schema_editor):
    Driver = apps.get_model("fleet", "Driver")
    Client = apps.get_model("fleet", "Client")
    phones.report("fleet.Driver", *phones.convert_rows(Driver.objects.all()))
    phones.report(
        "fleet.Client (contact phone)",
        *phones.convert_rows(Client.objects.all(), field="contact_phone", note="contact_phone_unparsed"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("fleet", "0011_driver_name_collation_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="client",
            name="contact_phone_unparsed",
            field=models.CharField(
                blank=True,
                db_default="",
                default="",
                max_length=200,
                verbose_name="contact phone as first entered (not a valid number)",
            ),
        ),
        migrations.AddField(
            model_name="driver",
            name="phone_unparsed",
            field=models.CharField(
                blank=True,
                db_default="",
                default="",
                max_length=200,
                verbose_name="phone as first entered (not a valid number)",
            ),
        ),
        migrations.RunPython(to_e164, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="client",
            name="contact_phone",
            field=phonenumber_field.modelfields.PhoneNumberField(
                blank=True, max_length=128, region=None, verbose_name="contact phone"
            ),
        ),
        migrations.AlterField(
            model_name="driver",
            name="phone",
            field=phonenumber_field.modelfields.PhoneNumberField(
                blank=True, max_length=128, region=None, verbose_name="phone"
            ),
        ),
    ]
