"""A person's own appointment pages (their appointments, one appointment),
kept rendered in the shared cache for as long as nothing they show changed.

These pages are read far more often than anything on them changes (a person
opens their code at the door, again in the queue), yet each view cost a
query through five tables and a template that converts every time to the
clinic's time zone: several times a page that does nothing (issue 21).

The key is a fingerprint PostgreSQL gives in one call of a function of ours
(its plan kept for the session, no ORM query built per request): each
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

import logging

from django.db import ProgrammingError, connection
from django.template.loader import render_to_string
from django.utils import timezone

from pagecache import fragments
from vaccination.models import NO_SHOW_GRACE

logger = logging.getLogger(__name__)

# A safety net only: the fingerprint already changes with everything shown.
SECONDS = 600


def fingerprint(user) -> str | None:
    """A digest of every row the person's appointment pages show and of where
    each appointment stands against the clock (the database function of
    migration vaccination 0016, whose plan PostgreSQL keeps for the
    session); None where the database keeps no row versions (SQLite): then
    the pages are rendered fresh."""
    if connection.vendor != "postgresql":
        return None
    now = timezone.now()
    with connection.cursor() as cursor:
        try:
            cursor.execute("SELECT vaxfleet_own_pages_fingerprint(%s, %s, %s)", [user.pk, now, now - NO_SHOW_GRACE])
        except ProgrammingError:
            # The function is missing (a database restored without it, a
            # migration rolled back): the pages are drawn fresh, as on SQLite.
            if connection.in_atomic_block:
                raise  # the transaction is spoilt: a savepoint per page would cost more than the page
            logger.error("vaxfleet_own_pages_fingerprint is missing: run manage.py migrate")
            return None
        return cursor.fetchone()[0]


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
