"""Fleet managers receive and read trucks' technical condition (the monitoring
system posts it with a fleet manager's token); clinic staff read it, as they
read the trucks."""

from django.db import migrations

from accounts.roles import Role, grant_permissions

READ = ["fleet.view_truckcondition"]
WRITE = ["fleet.add_truckcondition"]


def grant(apps, schema_editor):
    grant_permissions(apps, {Role.CLINIC_STAFF: READ, Role.FLEET_MANAGER: READ + WRITE})


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = Permission.objects.filter(content_type__app_label="fleet", codename__endswith="truckcondition")
    for group in Group.objects.filter(name__in=[Role.CLINIC_STAFF.value, Role.FLEET_MANAGER.value]):
        group.permissions.remove(*perms)


class Migration(migrations.Migration):
    dependencies = [("fleet", "0004_truckcondition")]

    operations = [migrations.RunPython(grant, revoke)]
