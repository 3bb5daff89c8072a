"""Each clinic's own calendar days, counted in the database.

A dose given at 00:30 in Madrid counts on that Madrid day, whatever the
server's zone. `LocalDate` is the day of an instant in the time zone stored
on the clinic row, so one GROUP BY serves clinics in several zones with no
query per zone; `coarse_bounds` gives the indexed range that surely holds
those days, for the exact filter on `LocalDate` to narrow. The campaign
overview and fleet readiness's clinic days both count days this way.
"""

from datetime import UTC, date, datetime, time, timedelta

from django.db import NotSupportedError
from django.db.models import DateField, Func

# No clinic is further than this from UTC: the coarse range on the indexed
# column that the exact local-day filter then narrows.
MAX_UTC_OFFSET = timedelta(hours=14)


class LocalDate(Func):
    """The calendar day of a timestamp in a time zone read from a column."""

    output_field = DateField()
    arity = 2

    def as_postgresql(self, compiler, connection, **extra):
        # timestamptz AT TIME ZONE 'Europe/Madrid' is the wall-clock time there.
        return self.as_sql(compiler, connection, template="((%(expressions)s))::date", arg_joiner=" AT TIME ZONE ")

    def as_sqlite(self, compiler, connection, **extra):
        # Django's own SQLite function for TruncDate; it takes the zone per row.
        return self.as_sql(
            compiler, connection, template="django_datetime_cast_date(%(expressions)s, 'UTC')", arg_joiner=", "
        )

    def as_sql(self, compiler, connection, **extra):
        if connection.vendor not in ("postgresql", "sqlite"):
            raise NotSupportedError("LocalDate supports PostgreSQL and SQLite")
        return super().as_sql(compiler, connection, **extra)


def coarse_bounds(first_day: date, last_day: date) -> tuple[datetime, datetime]:
    """Instants that surely contain every clinic's local days first_day..last_day."""
    start = datetime.combine(first_day, time.min, tzinfo=UTC) - MAX_UTC_OFFSET
    end = datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=UTC) + MAX_UTC_OFFSET
    return start, end
