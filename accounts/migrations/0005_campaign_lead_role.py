"""The Campaign lead role of PRODUCT.md: sees every clinic's figures and
decides on quarantined lots. The apps that own those pages grant their
permissions to it in their own migrations."""

from django.db import migrations


def create_role(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name="Campaign lead")


def remove_role(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Campaign lead").delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_user_language")]

    operations = [migrations.RunPython(create_role, remove_role)]
