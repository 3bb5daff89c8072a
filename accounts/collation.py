"""People's names in the order people expect: the language's own rules
(Álvarez before Blanco, López before Lozano, and in Spanish ñ after n).

The one place every list and export that sorts by a name asks for its order.
On PostgreSQL the names are compared through an ICU collation of the active
language (created by accounts/migrations/0011_name_collations.py); on any
other database (SQLite, the zero-set-up default) the plain order stays.
A shared helper: it depends on Django only, and any app may use it.
"""

from django.db import connection
from django.db.models import F
from django.db.models.functions import Collate
from django.utils import translation

# One ICU collation per language of settings.LANGUAGES, by language code.
# A new language adds its collation here and in a migration.
NAME_COLLATIONS = {"en": "names_en", "es": "names_es"}


def collation() -> str | None:
    """The name collation of the active language, or None where there is none."""
    if connection.vendor != "postgresql":
        return None
    language = (translation.get_language() or "en").split("-")[0]
    return NAME_COLLATIONS.get(language, NAME_COLLATIONS["en"])


def by_name(*fields, nulls_last=None):
    """Order expressions for `fields` ("last_name", "-first_name", "client__name"):
    each one compared by the language's rules, descending with a leading "-"
    (`nulls_last`: as in F().asc()). Pass every name field through here; ids
    and dates need no collation."""
    name = collation()
    ordering = []
    for field in fields:
        descending = field.startswith("-")
        column = field.lstrip("-")
        expression = Collate(F(column), name) if name else F(column)
        ordering.append(expression.desc(nulls_last=nulls_last) if descending else expression.asc(nulls_last=nulls_last))
    return ordering
