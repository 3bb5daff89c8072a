"""Create the role groups of PRODUCT.md. Each app's own migrations grant its
models' permissions to these groups (see accounts.roles.grant_permissions)."""

from django.db import migrations

from accounts.roles import Role, grant_permissions


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for role in Role:
        Group.objects.get_or_create(name=role.value)
    # Fleet managers link drivers to their login accounts, so they may look
    # accounts up; nobody but admins may change them.
    grant_permissions(apps, {Role.FLEET_MANAGER: ["accounts.view_user"]})


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[role.value for role in Role]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
