# The campaign app has no table of its own: this model only holds its permissions.

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Campaign",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
            ],
            options={
                "verbose_name": "campaign",
                "permissions": [
                    ("view_overview", "Can see the campaign overview of every clinic"),
                    ("export_doses", "Can export the doses given (pseudonymous)"),
                    ("export_personal_data", "Can export the doses given with names and contact details"),
                ],
                "managed": False,
                "default_permissions": (),
            },
        ),
    ]
