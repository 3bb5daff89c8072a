"""INSERT statements for a model instance, for the hot paths that fold
several writes into fewer round trips (the desk's check-in, the outbox).
Plain Django, no app imports: any app may use it.

`insert_unless_duplicate(obj)` writes the row with one statement, or nothing
when a unique constraint already holds one like it (ON CONFLICT DO NOTHING:
PostgreSQL, and SQLite 3.35+), without the savepoint that catching an
IntegrityError needs (two more round trips).

`insert_sql(obj, select_from=...)` is the SQL and parameters of an INSERT of
`obj` to run inside a bigger statement (a CTE on PostgreSQL), once per row of
`select_from`.

`one_statement(sql, params)` runs such a bigger statement as its own
transaction: a statement is atomic by itself, so outside a transaction it
needs no BEGIN and no COMMIT (two round trips fewer), and a constraint it
breaks undoes all of it. Inside a caller's transaction it runs under a
savepoint, so that an error the caller expects (an IntegrityError) leaves
that transaction usable.

Rows written here send no model signals (as QuerySet.update sends none).
"""

import contextlib

from django.db import connections, router, transaction
from django.db.models.expressions import Expression


def _columns(instance, connection):
    fields, params = [], []
    for field in instance._meta.concrete_fields:
        value = field.pre_save(instance, add=True)
        if field.primary_key and value is None:
            continue  # the database draws it
        if isinstance(value, Expression):
            continue  # a db_default: the database fills it in
        fields.append(connection.ops.quote_name(field.column))
        params.append(field.get_db_prep_save(value, connection))
    return fields, params


def insert_sql(instance, *, using=None, select_from: str = "", on_conflict_nothing: bool = False, returning=()):
    """(sql, params) of an INSERT of `instance`; with `select_from` (a CTE's
    name), one row per row of it, so none when it is empty."""
    connection = connections[using or router.db_for_write(type(instance))]
    quote = connection.ops.quote_name
    columns, params = _columns(instance, connection)
    values = ", ".join(["%s"] * len(params))
    sql = f"INSERT INTO {quote(instance._meta.db_table)} ({', '.join(columns)}) "
    # Names quoted from the model, every value a parameter.
    sql += f"SELECT {values} FROM {quote(select_from)}" if select_from else f"VALUES ({values})"  # noqa: S608  # nosec B608
    if on_conflict_nothing:
        sql += " ON CONFLICT DO NOTHING"
    if returning:
        sql += " RETURNING " + ", ".join(quote(column) for column in returning)
    return sql, params


def insert_unless_duplicate(instance, *, using=None, along=()) -> bool:
    """Insert `instance` unless a unique constraint already holds such a row.
    True (and the primary key set) when inserted, False when it was a duplicate.

    `along`: other new rows (an audit event) written whether or not `instance`
    was a duplicate, in the same statement on PostgreSQL (an INSERT each in a
    CTE ahead of it: one round trip for all), one statement each before it
    elsewhere. Their primary keys are set too."""
    using = using or router.db_for_write(type(instance))
    connection = connections[using]
    pk = instance._meta.pk
    sql, params = insert_sql(instance, using=using, on_conflict_nothing=True, returning=[pk.column])
    if along and connection.vendor == "postgresql":
        ctes, outputs, cte_params = [], [], []
        for n, row in enumerate(along):
            row_sql, row_params = insert_sql(row, using=using, returning=[row._meta.pk.column])
            ctes.append(f"along{n} AS ({row_sql})")
            outputs.append(f"(SELECT * FROM along{n})")  # noqa: S608  # nosec B608
            cte_params += row_params
        # The CTEs' parameters come first, in their order, then the main row's.
        # Names quoted from the models, every value a parameter.
        params = [*cte_params, *params]
        sql = f"WITH {', '.join(ctes)}, main AS ({sql}) SELECT (SELECT * FROM main), {', '.join(outputs)}"  # noqa: S608  # nosec B608
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            inserted, *along_pks = cursor.fetchone()
        for row, row_pk in zip(along, along_pks, strict=True):
            _saved(row, row_pk, using)
    else:
        for row in along:
            row_sql, row_params = insert_sql(row, using=using, returning=[row._meta.pk.column])
            with connection.cursor() as cursor:
                cursor.execute(row_sql, row_params)
                _saved(row, cursor.fetchone()[0], using)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            found = cursor.fetchone()
        inserted = found[0] if found is not None else None
    if inserted is None:
        return False
    _saved(instance, inserted, using)
    return True


def _saved(instance, pk, using) -> None:
    setattr(instance, instance._meta.pk.attname, pk)
    instance._state.adding = False
    instance._state.db = using


def one_statement(sql: str, params, *, using: str = "default"):
    """Run `sql` as its own transaction (see above) and return its first row
    (None when it gives none). Raises the database's errors, having undone
    the whole statement."""
    connection = connections[using]
    guard = transaction.atomic(using=using) if connection.in_atomic_block else contextlib.nullcontext()
    with guard, connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def broke(error: Exception, constraint: str) -> bool:
    """Whether the IntegrityError `error` is the named constraint's, as
    PostgreSQL's drivers (psycopg 2 and 3) report it."""
    diagnostics = getattr(error.__cause__, "diag", None)
    return getattr(diagnostics, "constraint_name", None) == constraint
