"""A person's own appointment pages (their appointments, one appointment),
kept rendered in the shared cache for as long as nothing they show changed.

These pages are read far more often than anything on them changes (a person
opens their code at the door, again in the queue), yet each view cost a
query through five tables and a template that converts every time to the
clinic's time zone: several times a page that does nothing (issue 21).

The key is a fingerprint PostgreSQL gives in one small query of our own
(prepared once per process, so no ORM query is built per request): each
row the page shows (the appointments of the person and of the people they
care for, their slots, clinics, vaccines and people) with its row version:
`xmin` (the transaction that wrote it) and `ctid` (where that version lies;
every UPDATE writes a new version elsewhere, even twice in one transaction),
which every write of the row changes, whoever makes it: a page, the API, the
admin, the worker, a bulk update or raw SQL. Nothing needs to be told to
forget a page. The fingerprint also holds where each appointment
stands against the clock (started, ended, missed: what the page words
differently as time passes) and whether its vaccine asks screening questions.
Language, today's date and the code's digest are in every fragment key.

The pages are each person's own: the key holds the reader's id as well as
their rows, and each reader's CSRF token is put in on the way out.
Elsewhere than PostgreSQL (SQLite for make run) pages are rendered fresh.
"""

import functools
import hashlib

from django.contrib.auth import get_user_model
from django.db import connection
from django.template.loader import render_to_string
from django.utils import timezone

from pagecache import fragments
from vaccination.models import NO_SHOW_GRACE, Appointment, ScreeningQuestion, Site, Slot, Vaccine

# A safety net only: the fingerprint already changes with everything shown.
SECONDS = 600


@functools.cache
def _fingerprint_sql() -> str:
    def table(model):
        return connection.ops.quote_name(model._meta.db_table)

    def column(model, name):
        return connection.ops.quote_name(model._meta.get_field(name).column)

    user = get_user_model()
    a, s = Appointment, Slot
    # Table and column names from the models, quoted; every value is a parameter.
    return f"""
        SELECT a.{column(a, "id")},
               a.xmin::text, a.ctid::text, s.xmin::text, s.ctid::text, c.xmin::text, c.ctid::text,
               v.xmin::text, v.ctid::text, p.xmin::text, p.ctid::text,
               (s.{column(s, "start")} <= %(now)s)::int
               + (s.{column(s, "end")} <= %(now)s)::int
               + (s.{column(s, "end")} <= %(missed_before)s)::int,
               EXISTS (SELECT 1 FROM {table(ScreeningQuestion)} q
                       WHERE q.{column(ScreeningQuestion, "vaccine")} = v.{column(Vaccine, "id")})
        FROM {table(a)} a
        JOIN {table(s)} s ON s.{column(s, "id")} = a.{column(a, "slot")}
        JOIN {table(Site)} c ON c.{column(Site, "id")} = s.{column(s, "site")}
        JOIN {table(Vaccine)} v ON v.{column(Vaccine, "id")} = s.{column(s, "vaccine")}
        JOIN {table(user)} p ON p.{column(user, "id")} = a.{column(a, "person")}
        WHERE p.{column(user, "id")} = %(person)s OR p.{column(user, "carer")} = %(person)s
        ORDER BY a.{column(a, "id")}
    """  # noqa: S608


def fingerprint(user) -> str | None:
    """A digest of every row the person's appointment pages show and of where
    each appointment stands against the clock; None where the database keeps
    no row versions (SQLite): then the pages are rendered fresh."""
    if connection.vendor != "postgresql":
        return None
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(_fingerprint_sql(), {"now": now, "missed_before": now - NO_SHOW_GRACE, "person": user.pk})
        rows = cursor.fetchall()
    return hashlib.blake2b(repr(rows).encode(), digest_size=16).hexdigest()


def kept(request, kind: str, vary_on: tuple, compute):
    """`compute()` (parts of one of the reader's own pages, their forms
    written with CSRF_TOKEN: see render_part), kept under the reader's
    fingerprint."""
    user = request.user
    key = fingerprint(user)
    if key is None:
        return compute()
    return fragments.cached_value(f"own-{kind}", (), (user.pk, key, *vary_on), compute, timeout=SECONDS)


def render_part(request, template: str, context: dict) -> str:
    """A part of the reader's page, rendered with a stand-in for the CSRF token."""
    return render_to_string(template, {**context, "user": request.user, "csrf_token": fragments.CSRF_TOKEN})


with_token = fragments.with_csrf_token
