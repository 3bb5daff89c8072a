"""ICU collations for sorting people's names by each language's rules
(accounts.collation). PostgreSQL only: CreateCollation does nothing on
another database, where names keep the plain order."""

from django.contrib.postgres.operations import CreateCollation
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0010_user_wants_api"),
    ]

    operations = [
        CreateCollation("names_en", provider="icu", locale="en"),
        CreateCollation("names_es", provider="icu", locale="es"),
    ]
