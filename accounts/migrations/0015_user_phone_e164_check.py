# A person's phone column holds E.164 or nothing, for every writer: a CHECK
# (accounts.phones.E164Only). A value written around the model since 0012
# (raw SQL, a bulk update) is first converted, or moved unchanged to
# phone_unparsed and reported, as 0012 did: nothing is lost, and the CHECK
# never meets a row it would refuse.

from django.db import migrations, models

from accounts import phones


def keep_e164_only(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    phones.keep_e164_only("accounts.User (people)", User.objects.all())


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0014_walk_in_match_by_birth_date"),
    ]

    operations = [
        migrations.RunPython(keep_e164_only, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.CheckConstraint(
                condition=models.Q(("phone", ""), ("phone__regex", "^\\+[1-9][0-9]{1,14}$"), _connector="OR"),
                name="accounts_user_phone_e164",
            ),
        ),
    ]
