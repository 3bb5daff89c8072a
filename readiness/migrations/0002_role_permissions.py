"""Who may do what with readiness: fleet managers everything (and fix clinic
days at risk); clinic staff read it, as they read the trucks; drivers file
inspections (of their own truck: the page and the service check it);
campaign leads see the clinic days at risk."""

from django.db import migrations

from accounts.roles import Role, grant_permissions

MODELS = [
    "checklistitem",
    "inspection",
    "inspectionanswer",
    "defect",
    "odometerreading",
    "serviceplan",
    "servicerecord",
    "documenttype",
    "document",
    "riskalert",
]
READ = [f"readiness.view_{model}" for model in MODELS] + ["readiness.view_readiness"]
WRITE = [f"readiness.{verb}_{model}" for model in MODELS for verb in ("add", "change", "delete")]


def grant(apps, schema_editor):
    grant_permissions(
        apps,
        {
            Role.CLINIC_STAFF: READ,
            Role.FLEET_MANAGER: READ + WRITE + ["readiness.reassign_clinic"],
            Role.DRIVER: ["readiness.add_inspection"],
            Role.CAMPAIGN_LEAD: ["readiness.view_readiness"],
        },
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = Permission.objects.filter(content_type__app_label="readiness")
    for group in Group.objects.all():
        group.permissions.remove(*perms)


class Migration(migrations.Migration):
    dependencies = [("readiness", "0001_initial"), ("accounts", "0005_campaign_lead_role")]

    operations = [migrations.RunPython(grant, revoke)]
