"""Clinic staff see clinics and slots and check appointments in (issue 4 builds
the desk on these permissions); nobody but admins edits clinics or slots."""

from django.db import migrations

from accounts.roles import Role, grant_permissions

CLINIC_STAFF_PERMISSIONS = [
    "vaccination.view_appointment",
    "vaccination.change_appointment",
    "vaccination.view_site",
    "vaccination.view_slot",
    "vaccination.view_vaccine",
]


def grant(apps, schema_editor):
    grant_permissions(apps, {Role.CLINIC_STAFF: CLINIC_STAFF_PERMISSIONS})


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    codenames = [perm.split(".", 1)[1] for perm in CLINIC_STAFF_PERMISSIONS]
    for group in Group.objects.filter(name=Role.CLINIC_STAFF.value):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="vaccination", codename__in=codenames)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("vaccination", "0001_initial"),
        ("accounts", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
