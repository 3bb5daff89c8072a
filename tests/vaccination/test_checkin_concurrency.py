"""Desks scanning one code at the same moment.

Needs real concurrent transactions, so it runs on PostgreSQL with a
transactional test database; SQLite serialises writers and proves nothing."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from accounts.roles import Role
from audit.models import Action, AuditEvent
from tests.factories import UserFactory
from vaccination.checkin import check_in, new_attempt
from vaccination.models import Appointment, CheckInLog, Site, Slot, Vaccine

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serialises writers, so it cannot show a race (set DATABASE_URL)",
    ),
]

DESKS = 8


def scan_at_once(calls):
    """Run each (desk_user, site, attempt) check-in in its own thread, released together."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def attempt(index, code, desk_user, site, form):
        try:
            barrier.wait()
            results[index] = check_in(code=code, desk_user=desk_user, site=site, attempt=form).reason
        except Exception as error:  # any other failure must fail the test, with its text
            results[index] = repr(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(i, *call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.fixture
def todays_appointment():
    site = Site.objects.create(name="Race Clinic", address="1 Fast Lane", time_zone="Europe/Madrid")
    vaccine = Vaccine.objects.create(name="Race vaccine")
    # A slot that is on now can be checked in, whatever the time of day.
    start = timezone.now()
    slot = Slot.objects.create(
        site=site, vaccine=vaccine, start=start, end=start + timedelta(minutes=15), capacity=1, booked_count=1
    )
    return Appointment.objects.create(person=UserFactory(), slot=slot)


def test_eight_desks_scanning_one_code_at_once_give_exactly_one_check_in(todays_appointment):
    site = todays_appointment.slot.site
    desks = UserFactory.create_batch(DESKS, roles=[Role.CLINIC_STAFF])
    site.staff.add(*desks)

    results = scan_at_once([(todays_appointment.code, desk, site, new_attempt()) for desk in desks])

    print(f"\n{DESKS} desks scanning one code at once: {sorted(results)}")
    assert sorted(results) == ["already_checked_in"] * (DESKS - 1) + ["checked_in"]
    todays_appointment.refresh_from_db()
    assert todays_appointment.status == Appointment.Status.CHECKED_IN
    winner = desks[results.index("checked_in")]
    assert todays_appointment.checked_in_by == winner
    assert CheckInLog.objects.filter(reason="checked_in").count() == 1
    assert CheckInLog.objects.count() == DESKS


def test_one_desk_form_sent_twice_at_once_gives_the_same_answer_twice_and_one_log(todays_appointment):
    site = todays_appointment.slot.site
    desk = UserFactory(roles=[Role.CLINIC_STAFF])
    site.staff.add(desk)
    form = new_attempt()

    results = scan_at_once([(todays_appointment.code, desk, site, form)] * 2)

    print(f"\none form sent twice at once: {results}")
    assert results == ["checked_in", "checked_in"]
    assert CheckInLog.objects.count() == 1


def test_outside_a_transaction_a_check_in_whose_log_clashes_writes_nothing_at_all(todays_appointment):
    """A check-in is one statement, its own transaction (no BEGIN, no COMMIT):
    when its log row breaks the one-per-attempt rule, the UPDATE and the audit
    row in the same statement are undone with it, and the desk gets the first
    answer given to that form."""
    site = todays_appointment.slot.site
    desk = UserFactory(roles=[Role.CLINIC_STAFF])
    site.staff.add(desk)
    form = new_attempt()
    first = check_in(code="ZZZZZZZZ", desk_user=desk, site=site, attempt=form)  # a refused scan logs the form
    assert not connection.in_atomic_block

    again = check_in(code=todays_appointment.code, desk_user=desk, site=site, attempt=form)

    assert (again.reason, again.repeated) == (first.reason, True)
    todays_appointment.refresh_from_db()
    assert todays_appointment.status == Appointment.Status.BOOKED
    assert not AuditEvent.objects.filter(action=Action.CHECK_IN).exists()
    assert list(CheckInLog.objects.values_list("reason", flat=True)) == [first.reason]
    # The next form checks the person in, with its audit row.
    assert check_in(code=todays_appointment.code, desk_user=desk, site=site, attempt=new_attempt()).ok
    assert AuditEvent.objects.filter(action=Action.CHECK_IN, target_id=str(todays_appointment.pk)).count() == 1
