"""Give the roles their fleet permissions (PRODUCT.md, Roles): clinic staff
browse drivers and trucks; fleet managers create, edit, assign and export."""

from django.db import migrations

from accounts.roles import Role, grant_permissions

READ = ["fleet.view_client", "fleet.view_driver", "fleet.view_truck", "fleet.view_assignment"]
WRITE = [
    "fleet.add_client",
    "fleet.change_client",
    "fleet.view_clientmembership",
    "fleet.add_clientmembership",
    "fleet.change_clientmembership",
    "fleet.delete_clientmembership",
    "fleet.add_driver",
    "fleet.change_driver",
    "fleet.export_driver",
    "fleet.add_truck",
    "fleet.change_truck",
    "fleet.add_assignment",
    "fleet.change_assignment",
]


def grant(apps, schema_editor):
    grant_permissions(apps, {Role.CLINIC_STAFF: READ, Role.FLEET_MANAGER: READ + WRITE})


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = Permission.objects.filter(content_type__app_label="fleet")
    for group in Group.objects.filter(name__in=[Role.CLINIC_STAFF.value, Role.FLEET_MANAGER.value]):
        group.permissions.remove(*perms)


class Migration(migrations.Migration):
    dependencies = [
        ("fleet", "0002_trigram_search_indexes"),
        ("accounts", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
