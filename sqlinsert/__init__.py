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

`one_statement(sql, params)` runs such a bigger statement (prepared on the
server once per connection, sqlprepared.execute) as its own transaction: a
statement is atomic by itself, so outside a transaction it needs no BEGIN
and no COMMIT (two round trips fewer), and a constraint it breaks undoes
all of it. Inside a caller's transaction it runs under a
savepoint, so that an error the caller expects (an IntegrityError) leaves
that transaction usable.

Rows written here send no model signals (as QuerySet.update sends none).
"""

import contextlib
import json

from django.db import connections, router, transaction
from django.db.models import Field
from django.db.models.expressions import Expression

import sqlprepared

_quoted_columns: dict[tuple, tuple] = {}


def _quoted(model, connection) -> tuple:
    """(field, its column quoted, whether its value is read as it is) of each
    of the model's concrete fields, worked out once per model and database
    vendor. A field read as it is has Field's own pre_save (no auto_now):
    its value is the instance's attribute."""
    key = (model, connection.vendor)
    if key not in _quoted_columns:
        quote = connection.ops.quote_name
        _quoted_columns[key] = tuple(
            (field, quote(field.column), type(field).pre_save is Field.pre_save)
            for field in model._meta.concrete_fields
        )
    return _quoted_columns[key]


def _columns(instance, connection, stand_in=None):
    """The columns, their SQL (a %s each, or `stand_in`'s SQL, see insert_sql)
    and their parameters. A nullable column whose value is None is left out:
    with no default of its own in the database (a db_default is an
    Expression, left out too) it is NULL all the same, and a shorter
    statement is less for the driver to quote and the server to read."""
    fields, values, params = [], [], []
    for field, column, as_it_is in _quoted(type(instance), connection):
        value = getattr(instance, field.attname) if as_it_is else field.pre_save(instance, add=True)
        if value is None and (field.primary_key or field.null):
            continue  # the database draws the key; NULL is the column's default
        if isinstance(value, Expression):
            continue  # a db_default: the database fills it in
        fields.append(column)
        named = stand_in is not None and field.attname in stand_in[2]
        sql, value_params = _standing_in(field, value, stand_in) if named else (None, ())
        if sql is None:
            sql, value_params = "%s", [field.get_db_prep_save(value, connection)]
        values.append(sql)
        params += value_params
    return fields, values, params


def _standing_in(field, value, stand_in):
    """(sql, params) for a value that holds `stand_in`'s number: the number
    itself becomes its SQL; text and JSON holding it get it replaced, as text,
    by that SQL's value. (None, ()) for any other value."""
    number, sql, _fields = stand_in
    if type(value) is int and value == number:
        return sql, []
    if isinstance(value, str) and str(number) in value:
        return f"replace(%s, %s, ({sql})::text)", [value, str(number)]
    if field.get_internal_type() == "JSONField":
        text = json.dumps(value, cls=field.encoder)
        if str(number) in text:
            return f"replace(%s, %s, ({sql})::text)::jsonb", [text, str(number)]
    return None, ()


def insert_sql(
    instance,
    *,
    using=None,
    select_from: str = "",
    on_conflict_nothing: bool = False,
    returning=(),
    stand_in: tuple[int, str, frozenset] | None = None,
):
    """(sql, params) of an INSERT of `instance`; with `select_from` (a CTE's
    name), one row per row of it, so none when it is empty.

    `stand_in` (PostgreSQL): (a number, an SQL expression, the fields that
    carry it) for a row that names another row written by the same
    statement (a new appointment's audit event and message, before the
    database has drawn its id): those fields hold the number where that id
    belongs (a foreign key, the target's id as text, inside a JSON object),
    and the INSERT puts the expression's value there (e.g. "made"."id" of a
    CTE `made`). Other fields are written as they are, whatever they hold."""
    connection = connections[using or router.db_for_write(type(instance))]
    quote = connection.ops.quote_name
    columns, values, params = _columns(instance, connection, stand_in)
    values = ", ".join(values)
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
            saved(row, row_pk, using)
    else:
        for row in along:
            row_sql, row_params = insert_sql(row, using=using, returning=[row._meta.pk.column])
            with connection.cursor() as cursor:
                cursor.execute(row_sql, row_params)
                saved(row, cursor.fetchone()[0], using)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            found = cursor.fetchone()
        inserted = found[0] if found is not None else None
    if inserted is None:
        return False
    saved(instance, inserted, using)
    return True


def saved(instance, pk, using) -> None:
    """`instance` was written with primary key `pk` (by a statement of the caller's)."""
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
        sqlprepared.execute(cursor, sql, params, using=using)  # planned once per connection
        return cursor.fetchone()


def is_unique_violation(error: Exception) -> bool:
    """Whether the IntegrityError `error` is a unique constraint's (SQLSTATE
    23505, as PostgreSQL's drivers report it)."""
    cause = error.__cause__
    return getattr(cause, "pgcode", None) == "23505" or getattr(cause, "sqlstate", None) == "23505"


def broke(error: Exception, constraint: str) -> bool:
    """Whether the IntegrityError `error` is the named constraint's, as
    PostgreSQL's drivers (psycopg 2 and 3) report it."""
    diagnostics = getattr(error.__cause__, "diag", None)
    return getattr(diagnostics, "constraint_name", None) == constraint
