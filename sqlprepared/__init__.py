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
"""

import threading

from django.db import connections, router
from django.db.models.query import get_related_populators


class NotPreparable(ValueError):
    """The queryset cannot be run with other values in its samples' places."""


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
        self.converters = compiler.get_converters([column for column, _sql, _alias in compiler.select])

    def rows(self, values):
        params = list(self.params)
        for place, value in zip(self.slots, values, strict=True):
            params[place] = value
        with connections[self.db].cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        if self.converters:
            rows = self.compiler.apply_converters(rows, self.converters)
        return rows

    def instances(self, values):
        # Populators hold no state between rows; made per call, as the ORM does.
        populators = get_related_populators(self.klass_info, self.compiler.select, self.db)
        found = []
        for row in self.rows(values):
            instance = self.model.from_db(self.db, self.init_list, row[self.start : self.end])
            for populator in populators:
                populator.populate(row, instance)
            found.append(instance)
        return found


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
