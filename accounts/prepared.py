"""The user row by primary key, its SQL built once per process.

Every signed-in request loads its user by primary key (Django's
ModelBackend.get_user: `User.objects.get(pk=...)`). The database answers
that in a tenth of a millisecond, but building the query through the ORM
(the filter, the compiler, twenty quoted columns) cost about seven times as
much, per request: about half of what a signed-in page with nothing else to
do cost (issue 21, `make profile`, "F0 signed in").

So the manager's `get(pk=...)` runs the manager's own queryset through
`sqlprepared` (compiled once, the ORM's converters and `Model.from_db`): the
same row, the same instance, the same exceptions. Any other lookup, and a
manager bound to a database of its own, goes the ORM's usual way.
"""

from django.core.exceptions import ValidationError

import sqlprepared

_by_pk: dict[type, sqlprepared.Prepared] = {}


def get_by_pk(manager, pk):
    """`manager.get(pk=pk)`, through SQL compiled once; None where it cannot
    be (the caller then asks the ORM, which gives its own answer or error)."""
    if manager._db is not None:
        return None  # db_manager("other"): not the router's database
    model = manager.model
    try:
        key = model._meta.pk.to_python(pk)  # a session keeps it as a string
    except ValidationError:
        return None
    if not isinstance(key, int):
        return None
    if model not in _by_pk:
        _by_pk[model] = sqlprepared.Prepared(lambda value: manager.get_queryset().filter(pk=value), sample=(918273645,))
    return _by_pk[model].get(key)
