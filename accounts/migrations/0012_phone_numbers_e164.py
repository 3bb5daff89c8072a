# Phones become django-phonenumber-field's PhoneNumberField (E.164). Each
# stored number is rewritten in E.164 while the column is still text; one that
# is not a phone number moves unchanged to phone_unparsed and is reported
# (printed here, listed by `manage.py report_bad_phones`): nothing is lost.

import phonenumber_field.modelfields
from django.db import migrations, models

from accounts import phones


def to_e164(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    phones.report("accounts.User (people)", *phones.convert_rows(User.objects.all()))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0011_name_collations"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
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
            model_name="user",
            name="phone",
            field=phonenumber_field.modelfields.PhoneNumberField(
                blank=True, max_length=128, region=None, verbose_name="phone"
            ),
        ),
    ]
