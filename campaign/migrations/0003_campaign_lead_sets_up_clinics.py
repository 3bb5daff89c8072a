"""The Campaign lead sets up clinics from the campaign's set-up pages
(campaign.clinics): creates and edits them, sets their opening hours, links
their desk staff and generates their slots. It still changes no booking or
check-in: those stay with the person and the clinic staff."""

from django.db import migrations

from accounts.roles import Role, grant_permissions

SET_UP_PERMISSIONS = [
    "vaccination.add_site",
    "vaccination.change_site",
    "vaccination.view_openinghours",
    "vaccination.add_openinghours",
    "vaccination.change_openinghours",
    "vaccination.delete_openinghours",
    "vaccination.add_slot",
]


def grant(apps, schema_editor):
    grant_permissions(apps, {Role.CAMPAIGN_LEAD: SET_UP_PERMISSIONS})


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name=Role.CAMPAIGN_LEAD.value):
        for perm in SET_UP_PERMISSIONS:
            app_label, codename = perm.split(".", 1)
            group.permissions.remove(*Permission.objects.filter(content_type__app_label=app_label, codename=codename))


class Migration(migrations.Migration):
    dependencies = [
        ("campaign", "0002_campaign_lead_permissions"),
        ("vaccination", "0011_opening_hours"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
