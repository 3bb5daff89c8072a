"""Who does what with the vaccine: clinic staff record lots and their
movements; campaign leads read everything and decide quarantined lots;
fleet managers read what their trucks carry."""

from django.db import migrations

from accounts.roles import Role, grant_permissions

READ = ["stock.view_lot", "stock.view_stocklevel", "stock.view_stockmovement"]
STAFF = [*READ, "stock.add_lot", "stock.add_stockmovement", "stock.view_quarantine"]
LEAD = [*READ, "stock.view_quarantine", "stock.decide_quarantine"]


def grant(apps, schema_editor):
    grant_permissions(apps, {Role.CLINIC_STAFF: STAFF, Role.CAMPAIGN_LEAD: LEAD, Role.FLEET_MANAGER: READ})


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = Permission.objects.filter(content_type__app_label="stock")
    for group in Group.objects.all():
        group.permissions.remove(*perms)


class Migration(migrations.Migration):
    dependencies = [("stock", "0001_initial"), ("accounts", "0005_campaign_lead_role")]

    operations = [migrations.RunPython(grant, revoke)]
