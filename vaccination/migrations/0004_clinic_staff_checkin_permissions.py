"""Clinic staff read the desk's check-in log (scans, refusals, undos); nobody
edits it, not even staff: it is the record of who let whom in."""

from django.db import migrations

from accounts.roles import Role, grant_permissions

CLINIC_STAFF_PERMISSIONS = ["vaccination.view_checkinlog"]


def grant(apps, schema_editor):
    grant_permissions(apps, {Role.CLINIC_STAFF: CLINIC_STAFF_PERMISSIONS})


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name=Role.CLINIC_STAFF.value):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="vaccination", codename="view_checkinlog")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("vaccination", "0003_checkin_desk_and_mobile_clinics"),
        ("accounts", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
