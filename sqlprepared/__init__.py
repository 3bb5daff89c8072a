"""Querysets on the hot paths, their SQL compiled by the ORM once per process.

The ORM compiles a queryset's SQL anew on every evaluation: for a lookup with
two joins that is most of a millisecond of Python, several times what the
database takes to answer it (issues 15 and 21, `make profile`). A hot path
that runs the same query shape on every request declares it once:

    _load = sqlprepared.Prepared(
        lambda code: Appointment.objects.select_related("person").filter(code=code),
        sample=("PREPARED-CODE",),
    )
    appointment = _load.first("A7K3M9")      # or .all(...), .get(...)

The queryset is built with the sample values and compiled once per database;
each call runs that SQL with its own values in the samples' places and builds
the instances as the ORM's own iterator does (its converters, `from_db`,
select_related's populators, only()'s deferred fields). A sample must be an
int or a str that the compiled parameters hold exactly once, unchanged:
anything else is refused when the query is first compiled, so a queryset that
a value shapes (an `__in` list, a None that becomes IS NULL) cannot be
declared. Plain Django, no app imports: any app may use it.

Reads a request needs before it acts, and that do not depend on each other,
can share one round trip (`Together`): a booking's slot and the person's
bookings, a scan's clinics and appointment.

    _both = sqlprepared.Together(_slot, _bookings)
    slots, bookings = _both.all((slot_id,), (person_id,))

On PostgreSQL the statement is also prepared on the server, once per
connection (`PREPARE`), and each call sends `EXECUTE name(values)`: the
database then parses and plans it once instead of on every call, which is
most of its work for a lookup by key with a join or two (`make profile`'s
database side: the desk's and booking's look-ups 210-330 µs -> 70-85 µs of the
server's CPU). The `PREPARE` is a connection's set-up, like Django's own `SET
TIME ZONE`: it is sent on the driver's cursor and not counted among a
request's queries. Statements live as long as the connection, so this is off
where connections do not outlive a request (CONN_MAX_AGE = 0), and behind a
pooler that hands each transaction another server connection (PgBouncer in
transaction mode): set SQLPREPARED_ON_SERVER = False there
(VAXFLEET_DB_PREPARED_STATEMENTS=0, docs/deploy.md).
"""

import itertools
import logging
import re
import threading

from django.conf import settings
from django.db import connections, router
from django.db.backends.signals import connection_created
from django.db.models.query import get_related_populators

logger = logging.getLogger(__name__)
_names = itertools.count(1)


class NotPreparable(ValueError):
    """The queryset cannot be run with other values in its samples' places."""


def _numbered(sql: str) -> str:
    """The compiled SQL with PostgreSQL's $1, $2... for the driver's %s (and
    its %% unescaped: PREPARE is sent without parameters)."""
    counter = itertools.count(1)
    return re.sub(r"%[s%]", lambda mark: "%" if mark.group() == "%%" else f"${next(counter)}", sql)


def _forget_server_statements(sender, connection, **kwargs):
    # A new connection (first, or after CONN_MAX_AGE or an error closed the
    # last one) holds no prepared statement yet.
    connection.__dict__.pop("_sqlprepared_names", None)


connection_created.connect(_forget_server_statements, dispatch_uid="sqlprepared")


class _Statement:
    """An SQL statement prepared on the server (PostgreSQL) once per
    connection: its name, how to make it, how to run it."""

    def __init__(self, sql: str, param_count: int, vendor: str):
        self.sql = sql
        self.name = f"sqlprepared_{next(_names)}"
        self.prepare = f"PREPARE {self.name} AS {_numbered(sql)}"
        self.execute = f"EXECUTE {self.name}" + (f"({', '.join(['%s'] * param_count)})" if param_count else "")
        self.on_server = vendor == "postgresql"
        _by_name[self.name] = sql

    def run(self, cursor, connection, params) -> None:
        """Run the statement on Django's `cursor` with `params`: EXECUTE where
        the connection holds it (preparing it first), else the plain SQL."""
        cursor.execute(self.execute if self._prepared(connection) else self.sql, params)

    def fetch_all(self, db: str, params) -> list:
        """Every row the statement answers with `params`, on database `db`."""
        connection = connections[db]
        with connection.cursor() as cursor:
            self.run(cursor, connection, params)
            return cursor.fetchall()

    def _prepared(self, connection) -> bool:
        """Whether this connection holds the statement, preparing it if not.
        A PREPARE that fails (the server cannot tell a parameter's type, say)
        is logged once and the plain SQL is used from then on; inside a
        transaction a savepoint keeps the failure from aborting it."""
        if not self.on_server or not getattr(settings, "SQLPREPARED_ON_SERVER", True):
            return False
        if connection.settings_dict.get("CONN_MAX_AGE") == 0:
            return False  # the connection ends with the request: preparing would cost a round trip each time
        names = connection.__dict__.setdefault("_sqlprepared_names", set())
        if self.name in names:
            return True
        raw = connection.connection
        guarded = not raw.autocommit  # in a transaction (or about to begin one)
        with raw.cursor() as cursor:
            try:
                cursor.execute(
                    f"SAVEPOINT {self.name}; {self.prepare}; RELEASE SAVEPOINT {self.name}" if guarded else self.prepare
                )
            except connection.Database.Error as error:  # the driver's own: this cursor is not Django's
                if guarded:
                    cursor.execute(f"ROLLBACK TO SAVEPOINT {self.name}; RELEASE SAVEPOINT {self.name}")
                self.on_server = False
                logger.warning(
                    "sqlprepared: could not prepare %s on the server (%s); running it as plain SQL", self.name, error
                )
                return False
        names.add(self.name)
        return True


# Every statement's SQL by its name, for statement_sql().
_by_name: dict[str, str] = {}
_EXECUTE = re.compile(r"EXECUTE (sqlprepared_\d+)\b")


def statement_sql(sql: str) -> str:
    """The SQL that `sql` runs: a prepared statement's own for `EXECUTE
    sqlprepared_N(...)`, else `sql` itself (for tests and tools that read the
    queries a request sent)."""
    match = _EXECUTE.match(sql)
    return _by_name.get(match.group(1), sql) if match else sql


# Statements given as SQL (execute()), by their text; a bound on memory, and
# on the statements a connection holds.
MAX_STATEMENTS = 64
_statements: dict[tuple[str, str], _Statement] = {}
_statements_lock = threading.Lock()


def execute(cursor, sql: str, params, *, using: str = "default") -> None:
    """Run `sql` (an INSERT or UPDATE a hot path writes the same way on every
    request, its values in `params`) on Django's `cursor`, prepared on the
    server once per connection like the querysets above: the server parses
    and plans a statement of a few CTEs (most of a millisecond) once instead
    of on every request. Read the answer from `cursor` as usual."""
    connection = connections[using]
    key = (using, sql)
    statement = _statements.get(key)
    if statement is None:
        with _statements_lock:
            if len(_statements) >= MAX_STATEMENTS:
                for dropped in _statements.values():
                    _by_name.pop(dropped.name, None)
                _statements.clear()  # the connections' names stay valid; new ones are made as needed
            statement = _statements.setdefault(key, _Statement(sql, len(params), connection.vendor))
    statement.run(cursor, connection, params)


class _Compiled:
    def __init__(self, queryset, samples, db):
        compiler = queryset.query.get_compiler(using=db)
        sql, params = compiler.as_sql()
        params = list(params)
        self.slots = []
        for sample in samples:
            if not isinstance(sample, int | str) or isinstance(sample, bool):
                raise NotPreparable(f"A sample must be an int or a str, not {sample!r}")
            places = [n for n, param in enumerate(params) if type(param) is type(sample) and param == sample]
            if len(places) != 1:
                raise NotPreparable(f"The sample {sample!r} is {len(places)} times in the query's parameters")
            self.slots.append(places[0])
        self.sql, self.params = sql, params
        self.compiler = compiler
        klass_info = compiler.klass_info
        if klass_info is None or compiler.annotation_col_map:
            raise NotPreparable("Only querysets of model instances without annotations")
        self.model = klass_info["model"]
        select_fields = klass_info["select_fields"]
        self.start, self.end = select_fields[0], select_fields[-1] + 1
        self.init_list = [column[0].target.attname for column in compiler.select[self.start : self.end]]
        self.klass_info = klass_info
        self.db = db
        self.order = self._order(compiler)
        self.converters = compiler.get_converters([column for column, _sql, _alias in compiler.select])
        self.statement = _Statement(sql, len(params), connections[db].vendor)
        # select_related's populators, made once: the ORM makes them for each
        # query, but they keep nothing of a row (RelatedPopulator.populate
        # reads the row and sets the instances), and making them cost as much
        # as building the instances of a one-row read.
        self.populators = get_related_populators(klass_info, compiler.select, db)

    @staticmethod
    def _order(compiler) -> list[tuple[int, str]] | None:
        """The ORDER BY as (place in the selected columns, its SQL words),
        for reading it together with others (Together); None when a term is
        not one of the selected columns."""
        columns = [column for column, _sql, _alias in compiler.select]
        order = []
        for expression, _compiled in compiler.get_order_by():
            term = getattr(expression, "expression", None)
            if term not in columns:
                return None
            words = "DESC" if expression.descending else "ASC"
            if expression.nulls_first:
                words += " NULLS FIRST"
            elif expression.nulls_last:
                words += " NULLS LAST"
            order.append((columns.index(term), words))
        return order

    def params_for(self, values) -> list:
        params = list(self.params)
        for place, value in zip(self.slots, values, strict=True):
            params[place] = value
        return params

    def rows(self, values):
        return self.converted(self.statement.fetch_all(self.db, self.params_for(values)))

    def converted(self, rows):
        if self.converters:
            rows = self.compiler.apply_converters(rows, self.converters)
        return rows

    def build(self, rows) -> list:
        """The instances of `rows` (converted), as the ORM's iterator builds them."""
        populators = self.populators
        found = []
        for row in rows:
            instance = self.model.from_db(self.db, self.init_list, row[self.start : self.end])
            for populator in populators:
                populator.populate(row, instance)
            found.append(instance)
        return found

    def instances(self, values):
        return self.build(self.rows(values))


class Prepared:
    """`build(*values)` -> a queryset, compiled once per database with `sample`
    as its values, then run with each call's values."""

    def __init__(self, build, *, sample: tuple):
        self.build = build
        self.sample = tuple(sample)
        self._compiled: dict[str, _Compiled] = {}
        self._lock = threading.Lock()

    def _model(self):
        model = self.__dict__.get("model")
        if model is None:
            model = self.model = self.build(*self.sample).model
        return model

    def _for(self) -> _Compiled:
        db = router.db_for_read(self._model())
        compiled = self._compiled.get(db)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(db)
                if compiled is None:
                    compiled = self._compiled[db] = _Compiled(self.build(*self.sample).using(db), self.sample, db)
        return compiled

    def all(self, *values) -> list:
        """The instances the queryset `build(*values)` gives, in its order."""
        return self._for().instances(values)

    def first(self, *values):
        """The first instance, or None. Every row is read: a builder that may
        match several orders and slices ([:1]) as it wishes."""
        found = self.all(*values)
        return found[0] if found else None

    def get(self, *values):
        """The one instance, with the ORM's DoesNotExist and MultipleObjectsReturned."""
        found = self.all(*values)
        model = self._model()
        if not found:
            raise model.DoesNotExist(f"{model._meta.object_name} matching query does not exist.")
        if len(found) > 1:
            raise model.MultipleObjectsReturned(f"get() returned more than one {model._meta.object_name}")
        return found[0]

    def forget(self) -> None:
        """Compile again on the next call (a test that changed the schema or settings)."""
        with self._lock:
            self._compiled.clear()


class Together:
    """Several Prepared querysets read in one round trip: `all(values of the
    first, values of the second, ...)` -> (the first's instances, the
    second's, ...), each list as its own `all()` would give it, in its order.

    A request that needs two unrelated reads before it can act (the slot a
    booking names and the person's own bookings) pays one round trip instead
    of two: on a machine where a round trip costs the app more CPU than the
    database's work, that is most of the second read's cost. The querysets
    are compiled once, as Prepared's, into one statement: each one's SELECT
    (its own ORDER BY and slice inside) is a branch of a UNION ALL, marked by
    its number, its columns in a place of their own and NULLs (cast to the
    other branches' types) in the rest; the rows are then sorted by branch
    and each branch's own order. A queryset ordered by anything but its
    selected columns is refused (NotPreparable)."""

    def __init__(self, *prepared: Prepared):
        if len(prepared) < 2:
            raise ValueError("Together reads two querysets or more")
        self.prepared = prepared
        self._compiled: dict[str, _Union] = {}
        self._lock = threading.Lock()

    def _for(self) -> "_Union":
        parts = [prepared._for() for prepared in self.prepared]
        db = parts[0].db
        union = self._compiled.get(db)
        if union is None:
            with self._lock:
                union = self._compiled.get(db)
                if union is None:
                    union = self._compiled[db] = _Union(parts)
        return union

    def all(self, *values_each: tuple) -> tuple[list, ...]:
        return self._for().instances(values_each)


class _Union:
    def __init__(self, parts: list[_Compiled]):
        if len({part.db for part in parts}) > 1:
            raise NotPreparable("Querysets of different databases cannot be read together")
        if any(part.order is None for part in parts):
            raise NotPreparable("A queryset ordered by a column it does not select cannot be read with others")
        self.parts, self.db = parts, parts[0].db
        connection = connections[self.db]
        nulls = [
            [
                f"CAST(NULL AS {column.output_field.cast_db_type(connection)})"
                for column, _sql, _alias in part.compiler.select
            ]
            for part in parts
        ]
        self.places = []
        branches = []
        start = 1  # after the branch's number
        for number, part in enumerate(parts):
            width = len(nulls[number])
            self.places.append((start, start + width))
            columns = [str(number), *(null for other in nulls[:number] for null in other), f"q{number}.*"]
            columns += [null for other in nulls[number + 1 :] for null in other]
            # The ORM's compiled SQL, its values parameters; casts to its columns' own types.
            branches.append(f"SELECT {', '.join(columns)} FROM ({part.sql}) q{number}")  # noqa: S608  # nosec B608
            start += width
        # The branch first, then each branch's own order: another branch's
        # columns are NULL in a row, so they never part two rows of this one.
        order = ["1"]
        for part, (start, _end) in zip(parts, self.places, strict=True):
            order += [f"{start + place + 1} {words}" for place, words in part.order]
        sql = f"{' UNION ALL '.join(branches)} ORDER BY {', '.join(order)}"
        self.statement = _Statement(sql, sum(len(part.params) for part in parts), connection.vendor)

    def instances(self, values_each) -> tuple[list, ...]:
        if len(values_each) != len(self.parts):
            raise TypeError(f"Values for {len(self.parts)} querysets, not {len(values_each)}")
        params = [
            param for part, values in zip(self.parts, values_each, strict=True) for param in part.params_for(values)
        ]
        rows = self.statement.fetch_all(self.db, params)
        found = []
        for number, (part, (start, end)) in enumerate(zip(self.parts, self.places, strict=True)):
            mine = [row[start:end] for row in rows if row[0] == number]
            found.append(part.build(part.converted(mine)))
        return tuple(found)
