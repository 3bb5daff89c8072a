"""Fleet managers post and read trucks' temperature readings (a logger posts
with a fleet manager's or system account's token); clinic staff and campaign
leads read them and the excursions found in them."""

from django.db import migrations

from accounts.roles import Role, grant_permissions

READ = ["fleet.view_temperaturereading", "fleet.view_excursion"]
WRITE = ["fleet.add_temperaturereading"]


def grant(apps, schema_editor):
    grant_permissions(apps, {Role.CLINIC_STAFF: READ, Role.CAMPAIGN_LEAD: READ, Role.FLEET_MANAGER: READ + WRITE})


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    codenames = [perm.split(".")[1] for perm in READ + WRITE]
    perms = Permission.objects.filter(content_type__app_label="fleet", codename__in=codenames)
    for group in Group.objects.all():
        group.permissions.remove(*perms)


class Migration(migrations.Migration):
    dependencies = [("fleet", "0007_stock_temperatures"), ("accounts", "0005_campaign_lead_role")]

    operations = [migrations.RunPython(grant, revoke)]
