"""The token pages are now for those who may use the API (accounts.roles.
may_use_api): a person who already made a token has used it, so they keep
the pages without having to ask on their profile."""

from django.db import migrations


def opt_in_token_holders(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    ApiToken = apps.get_model("api", "ApiToken")
    User.objects.filter(pk__in=ApiToken.objects.values("user")).update(wants_api=True)


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0001_initial"),
        ("accounts", "0010_user_wants_api"),
    ]

    operations = [migrations.RunPython(opt_in_token_holders, migrations.RunPython.noop)]
