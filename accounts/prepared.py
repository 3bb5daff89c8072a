"""The user row by primary key, its SQL built once per process.

Every signed-in request loads its user by primary key (Django's
ModelBackend.get_user: `User.objects.get(pk=...)`). The database answers
that in a tenth of a millisecond, but building the query through the ORM
(the filter, the compiler, twenty quoted columns) cost about seven times as
much, per request: about half of what a signed-in page with nothing else to
do cost (issue 21, `make profile`, "F0 signed in").

So the manager's `get(pk=...)` runs SQL the ORM compiled once for the
manager's own queryset, with the ORM's own converters and `Model.from_db`:
the same row, the same instance, the same exceptions. Any other lookup goes
the ORM's usual way.
"""

from django.core.exceptions import ValidationError
from django.db import connections


class Prepared:
    """The compiled `manager.get_queryset().filter(pk=…)` of one database."""

    def __init__(self, manager, db):
        query = manager.get_queryset().using(db).filter(pk=0).query
        compiler = query.get_compiler(db)
        self.sql, params = compiler.as_sql()
        if list(params) != [0]:  # a queryset of the manager's that adds parameters of its own
            raise ValueError("Not a plain lookup by primary key")
        self.compiler = compiler
        self.converters = compiler.get_converters([column for column, _sql, _alias in compiler.select])
        self.attnames = [column.target.attname for column, _sql, _alias in compiler.select]

    def get(self, model, db, pk):
        connection = connections[db]
        field = model._meta.pk
        value = field.get_db_prep_value(field.to_python(pk), connection)
        with connection.cursor() as cursor:
            cursor.execute(self.sql, [value])
            rows = cursor.fetchmany(2)
        if self.converters:
            rows = list(self.compiler.apply_converters(rows, self.converters))
        if not rows:
            raise model.DoesNotExist(f"{model._meta.object_name} matching query does not exist.")
        if len(rows) > 1:
            raise model.MultipleObjectsReturned(f"get() returned more than one {model._meta.object_name}")
        return model.from_db(db, self.attnames, rows[0])


_prepared: dict[tuple, Prepared | None] = {}


def get_by_pk(manager, pk):
    """`manager.get(pk=pk)`, through SQL compiled once; None where it cannot
    be (the caller then asks the ORM)."""
    db = manager.db
    key = (manager.model, db)
    if key not in _prepared:
        try:
            _prepared[key] = Prepared(manager, db)
        except ValueError:
            _prepared[key] = None
    prepared = _prepared[key]
    if prepared is None:
        return None
    try:
        return prepared.get(manager.model, db, pk)
    except ValidationError:
        return None  # not a primary key: the ORM raises its own error for it
