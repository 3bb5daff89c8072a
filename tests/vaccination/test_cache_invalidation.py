"""Every path of ours that writes data a cached page part shows marks that
data changed (pagecache.fragments), whatever way it writes: model saves are
caught by signals, but a conditional UPDATE sends none, so each one must
bump its generation itself.

Two checks: each known write path, run for real, bumps the generation of
every cached table it wrote to; and a scan of our code finds every
`.update(` call, so a new one fails here until it is added to those paths or
named as writing nothing a page part shows.
"""

import ast
import re
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection

import sqlprepared
from fleet import services as fleet_services
from fleet.models import FLEET_REGISTER
from pagecache import fragments
from tests.factories import UserFactory
from tests.fleet.factories import AssignmentFactory, DriverFactory, TruckFactory
from vaccination import checkin, services
from vaccination.models import FREE_SEATS

pytestmark = pytest.mark.django_db


# Each table a cached page part reads, and the generation that says it changed.
CACHED_TABLES = {
    "vaccination_appointment": lambda name: name.startswith("board:"),
    "vaccination_slot": lambda name: name == FREE_SEATS or name.startswith("board:"),
    "fleet_driver": lambda name: name == FLEET_REGISTER,
    "fleet_truck": lambda name: name == FLEET_REGISTER,
    "fleet_assignment": lambda name: name == FLEET_REGISTER,
}
# A write, also as the first statement of a WITH (check-in's and booking's one-statement writes).
WRITE = re.compile(r'^\s*(?:WITH\s+\w+\s+AS\s+\()?(?:UPDATE|INSERT INTO|DELETE FROM)\s+"?(\w+)"?', re.IGNORECASE)


@contextmanager
def watched(monkeypatch):
    """Record the cached tables written and the generations bumped."""
    seen = {"tables": set(), "bumped": set()}
    real_bump, real_every = fragments.bump, fragments.bump_at_most_every

    def bump(*names):
        seen["bumped"].update(names)
        real_bump(*names)

    def bump_at_most_every(seconds, name):
        seen["bumped"].add(name)  # a bump skipped within the window is still a mark
        real_every(seconds, name)

    def record(execute, sql, params, many, context):
        if (match := WRITE.match(sqlprepared.statement_sql(sql))) and match.group(1) in CACHED_TABLES:
            seen["tables"].add(match.group(1))
        return execute(sql, params, many, context)

    monkeypatch.setattr(fragments, "bump", bump)
    monkeypatch.setattr(fragments, "bump_at_most_every", bump_at_most_every)
    with connection.execute_wrapper(record):
        yield seen


def unmarked(seen):
    return sorted(table for table in seen["tables"] if not any(CACHED_TABLES[table](name) for name in seen["bumped"]))


@pytest.fixture
def today(site):
    now = datetime.combine(site.today(), datetime.min.time().replace(hour=9), tzinfo=site.tzinfo)
    with time_machine.travel(now, tick=False):
        yield now


@pytest.fixture
def desk(clinic_staff, site):
    site.staff.add(clinic_staff)
    return clinic_staff


@pytest.fixture
def booked(person, make_slot, make_appointment, today):
    return make_appointment(person, make_slot(today + timedelta(hours=1)))


def _check_in(booked, desk, site):
    return checkin.check_in(code=booked.code, desk_user=desk, site=site)


def _release_later(ctx):
    driver = AssignmentFactory().driver
    ctx["later"](lambda: fleet_services.release(driver=driver))


def _no_show_by_hand(ctx):
    with time_machine.travel(ctx["today"] + timedelta(hours=1, minutes=20), tick=False):
        services.mark_no_show(appointment=ctx["booked"], by=ctx["desk"])


PATHS = {
    # The slot made before the watch: the booking's own statement must show as a write.
    "book": lambda ctx: services.book(person=ctx["booker"], slot=ctx["bookable"]),
    "cancel": lambda ctx: services.cancel(appointment=ctx["booked"], by=ctx["booked"].person),
    "reschedule": lambda ctx: services.reschedule(
        appointment=ctx["booked"], slot=ctx["make_slot"](ctx["today"] + timedelta(hours=3))
    ),
    "check_in": lambda ctx: _check_in(ctx["booked"], ctx["desk"], ctx["site"]),
    "record_dose": lambda ctx: (
        _check_in(ctx["booked"], ctx["desk"], ctx["site"]),
        checkin.record_dose(appointment=ctx["booked"], lot="LOT-1", by=ctx["desk"]),
    ),
    "undo_check_in": lambda ctx: (
        _check_in(ctx["booked"], ctx["desk"], ctx["site"]),
        checkin.undo_check_in(appointment=ctx["booked"], by=ctx["desk"], note="wrong person", site=ctx["site"]),
    ),
    "mark_no_shows": lambda ctx: ctx["later"](lambda: call_command("mark_no_shows", verbosity=0)),
    "mark_no_show": lambda ctx: _no_show_by_hand(ctx),
    "undo_no_show": lambda ctx: (
        _no_show_by_hand(ctx),
        services.mark_no_show(appointment=ctx["booked"], by=ctx["desk"], undo=True),
    ),
    "fleet_assign": lambda ctx: fleet_services.assign(driver=DriverFactory(), truck=TruckFactory()),
    "fleet_release": lambda ctx: _release_later(ctx),
}


@pytest.mark.parametrize("path", sorted(PATHS))
def test_every_write_path_marks_the_cached_data_it_changes(path, monkeypatch, site, desk, booked, make_slot, today):
    def later(run):  # the next day: slots ended, an assignment can end
        with time_machine.travel(today + timedelta(days=1, hours=3), tick=False):
            run()

    ctx = {"site": site, "desk": desk, "booked": booked, "make_slot": make_slot, "today": today, "later": later}
    ctx |= {"bookable": make_slot(today + timedelta(hours=2)), "booker": UserFactory()}
    with watched(monkeypatch) as seen:
        PATHS[path](ctx)

    assert seen["tables"], f"{path} wrote no cached table: the test no longer exercises it"
    assert unmarked(seen) == []


def test_a_conditional_update_that_forgets_to_mark_is_caught(monkeypatch, booked):
    from vaccination.models import Appointment

    with watched(monkeypatch) as seen:
        Appointment.objects.filter(pk=booked.pk).update(status=Appointment.Status.NO_SHOW)

    assert unmarked(seen) == ["vaccination_appointment"]


# Every function of ours that calls QuerySet.update(): either a path above,
# or why what it writes is shown by no cached page part.
UPDATE_CALLERS = {
    "outbox/__init__.py:_claim": "the outbox's own rows: no page part",
    "outbox/__init__.py:_finish": "the outbox's own rows: no page part",
    "outbox/__init__.py:forget": "the outbox's own rows: no page part",
    "outbox/admin.py:retry_now": "the outbox's own rows: no page part",
    "vaccination/management/commands/send_appointment_reminders.py:claim_reminder": (
        "reminder_sent_at: shown nowhere cached"
    ),
    "vaccination/services.py:_take_seat": "book, reschedule",
    # _take_seat's inner function: the seat it takes bumps FREE_SEATS in _take_seat.
    "vaccination/services.py:take": "book, reschedule, hold_seat",
    "vaccination/services.py:release_holds": "release_expired_holds, release_hold (bumps FREE_SEATS)",
    # check_in's one-statement take (vaccination/checkin.py): the board is bumped by its caller.
    "vaccination/checkin.py:_take": "check_in",
    "accounts/phones.py:convert_rows": "phone numbers: no cached page part (a migration, report_bad_phones)",
    "accounts/phones.py:retry_notes": "phone numbers: no cached page part (report_bad_phones --retry)",
    "vaccination/services.py:_free_seat": "cancel, reschedule",
    "vaccination/checkin.py:check_in": "check_in",
    "vaccination/checkin.py:record_dose": "record_dose",
    "vaccination/checkin.py:undo_check_in": "undo_check_in",
    "vaccination/services.py:mark_no_shows": "mark_no_shows",
    "vaccination/services.py:mark_no_show": "mark_no_show, undo_no_show",
    "vaccination/demo.py:seed_vaccination": "seed_demo forgets every cached part (bump_all)",
    "fleet/demo.py:seed_fleet": "seed_demo forgets every cached part (bump_all)",
    "fleet/services.py:link_login": "a driver's login account: the cached fleet lists do not show it",
    "accounts/authz.py:load": "the rights copy: no page part",
    "api/models.py:touch": "API tokens: no page part",
    "api/models.py:revoke": "API tokens: no page part",
    "api/signals.py:_revoke_tokens": "API tokens: no page part",
    "audit/models.py:anonymise_labels": "audit events: no page part",
    # Stock: its pages and the desk's lot list are never cached; the day board's
    # dose count moves with record_dose above.
    "stock/services.py:_change": "stock levels: no cached page part",
    "stock/services.py:quarantine_for": "lot status: no cached page part",
    "stock/services.py:_decide": "quarantine decisions: no cached page part",
    "stock/services.py:release": "lot status: no cached page part",
    "stock/services.py:discard": "lot status: no cached page part",
    "stock/demo.py:_give_demo_doses": "seed_demo forgets every cached part (bump_all)",
    "standby/walkins.py:register_walk_in": "Appointment.source: no page part (the check-in after it marks the board)",
    "standby/services.py:_take_dose": "Appointment.source: no page part (the booking marked its seat)",
    "standby/services.py:_book_running_slot": "a started spare-dose slot: never in the picker; the new appointment's "
    "save marks its board",
    "standby/services.py:leave": "standby entries and offers: no page part",
    "standby/services.py:accept_offer": "standby entries and offers: no page part",
    "standby/services.py:refresh_offers": "offers: no page part",
    "standby/personal_data.py:_leave_every_list": "standby entries and offers: no page part",
}


def _update_callers():
    base = Path(settings.BASE_DIR).resolve()
    ours = [Path(c.path).resolve() for c in apps.get_app_configs() if Path(c.path).parent == base]
    found = set()
    for folder in ours:
        for path in folder.rglob("*.py"):
            if "migrations" in path.parts or folder.name == "benchmarks":
                continue
            tree = ast.parse(path.read_text())
            for function in ast.walk(tree):
                if not isinstance(function, ast.FunctionDef):
                    continue
                for node in ast.walk(function):
                    if (
                        isinstance(node, ast.Call)
                        and isinstance(node.func, ast.Attribute)
                        and node.func.attr == "update"
                        and not isinstance(node.func.value, ast.Name | ast.Dict)  # dict.update / context.update
                        and any(isinstance(arg, ast.keyword) for arg in node.keywords)
                    ):
                        found.add(f"{path.relative_to(base)}:{function.name}")
    return found


def test_every_update_call_of_ours_is_a_checked_path_or_says_why_it_marks_nothing():
    assert sorted(_update_callers() - set(UPDATE_CALLERS)) == []


def test_a_burst_of_online_bookings_marks_the_board_once_a_window_and_a_change_at_the_desk_at_once(
    site, make_slot, today, django_capture_on_commit_callbacks
):
    """When bookings open, hundreds a second each marking the clinic's board
    would make every look at it a miss: a new online booking marks it at most
    every SEATS_BUMP_SECONDS (the first at once); anything else at once."""
    from vaccination.models import SEATS_BUMP_SECONDS, Appointment, day_board

    slot = make_slot(today + timedelta(hours=2), capacity=10)
    board = day_board(site.pk)

    def generation():
        return fragments.generations(board)[0]

    def book(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return services.book(person=UserFactory(), slot=slot, **kwargs)

    before = generation()
    first = book()
    after_first = generation()
    book()
    assert after_first != before  # the first of a burst shows at once
    assert generation() == after_first  # the next ones within the board's life (BOARD_SECONDS)

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(appointment=first, by=first.person)
    after_cancel = generation()
    walk_in = book(source=Appointment.Source.WALK_IN)
    assert after_cancel != after_first  # a cancellation at once
    assert generation() != after_cancel  # a booking made at the desk at once
    assert walk_in.source == Appointment.Source.WALK_IN

    after_walk_in = generation()
    with time_machine.travel(today + timedelta(seconds=SEATS_BUMP_SECONDS + 1), tick=False):
        book()
        assert generation() != after_walk_in  # the window closed: the next online booking shows at once
