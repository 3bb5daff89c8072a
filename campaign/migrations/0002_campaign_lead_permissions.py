"""The Campaign lead sees every clinic's figures and exports them; it reads
clinics, vaccines, slots and appointments but changes none of them, so no
page of the desk's actions (they ask for the Clinic staff role) opens for it."""

from django.db import migrations

from accounts.roles import Role, grant_permissions

CAMPAIGN_LEAD_PERMISSIONS = [
    "campaign.view_overview",
    "campaign.export_doses",
    "campaign.export_personal_data",
    "vaccination.view_site",
    "vaccination.view_vaccine",
    "vaccination.view_slot",
    "vaccination.view_appointment",
]


def grant(apps, schema_editor):
    grant_permissions(apps, {Role.CAMPAIGN_LEAD: CAMPAIGN_LEAD_PERMISSIONS})


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name=Role.CAMPAIGN_LEAD.value):
        for perm in CAMPAIGN_LEAD_PERMISSIONS:
            app_label, codename = perm.split(".", 1)
            group.permissions.remove(*Permission.objects.filter(content_type__app_label=app_label, codename=codename))


class Migration(migrations.Migration):
    dependencies = [
        ("campaign", "0001_initial"),
        ("accounts", "0005_campaign_lead_role"),
        ("vaccination", "0005_slot_free_seats_index"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
