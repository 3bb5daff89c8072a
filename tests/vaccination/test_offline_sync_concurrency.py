"""Offline desks syncing at the same moment (issue 18): the sync keeps the
desk's one-success guarantee, and a queue sent twice at once (two tabs, a
retry) applies once.

Needs real concurrent transactions, so it runs on PostgreSQL with a
transactional test database; SQLite serialises writers and proves nothing."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from accounts.roles import Role
from tests.factories import UserFactory, recent_start_today
from vaccination.checkin import new_attempt
from vaccination.models import Appointment, CheckInLog, Site, Slot, Vaccine
from vaccination.offline import DOSE, Scan, sync_scans

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serialises writers, so it cannot show a race (set DATABASE_URL)",
    ),
]

DESKS = 6


def sync_at_once(calls):
    """Run each (desk_user, site, scans) sync in its own thread, released together."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, desk_user, site, scans):
        try:
            barrier.wait()
            results[index] = [result.reason for result in sync_scans(scans=scans, desk_user=desk_user, site=site)]
        except Exception as error:  # any other failure must fail the test, with its text
            results[index] = repr(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, *call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.fixture
def todays_appointments():
    site = Site.objects.create(name="Race Clinic", address="1 Fast Lane", time_zone="Europe/Madrid")
    vaccine = Vaccine.objects.create(name="Race vaccine")
    start = recent_start_today(site)
    slot = Slot.objects.create(
        site=site, vaccine=vaccine, start=start, end=start + timedelta(minutes=15), capacity=5, booked_count=3
    )
    return [Appointment.objects.create(person=UserFactory(), slot=slot) for _ in range(3)]


def scans_of(appointments):
    # A minute ago, so the scan is today at the clinic unless midnight just passed there.
    at = max(timezone.now() - timedelta(minutes=1), appointments[0].slot.start)
    return [Scan(code=a.code, attempt=new_attempt(), scanned_at=at) for a in appointments]


def test_desks_syncing_the_same_offline_scans_at_once_check_each_person_in_once(todays_appointments):
    site = todays_appointments[0].slot.site
    desks = UserFactory.create_batch(DESKS, roles=[Role.CLINIC_STAFF])
    site.staff.add(*desks)
    # Each desk scanned the three people, in a different order: no deadlock, one winner each.
    calls = [
        (desk, site, scans_of(todays_appointments[i % 3 :] + todays_appointments[: i % 3]))
        for i, desk in enumerate(desks)
    ]

    results = sync_at_once(calls)

    print(f"\n{DESKS} desks syncing three offline scans at once: {results}")
    assert all(isinstance(answers, list) for answers in results), results
    assert sum(answers.count("checked_in") for answers in results) == 3
    assert Appointment.objects.filter(status=Appointment.Status.CHECKED_IN).count() == 3
    assert CheckInLog.objects.filter(reason="checked_in").count() == 3
    assert CheckInLog.objects.count() == DESKS * 3


def test_one_queue_sent_twice_at_once_applies_once_and_answers_both_alike(todays_appointments):
    site = todays_appointments[0].slot.site
    desk = UserFactory(roles=[Role.CLINIC_STAFF])
    site.staff.add(desk)
    queue = scans_of(todays_appointments)

    results = sync_at_once([(desk, site, queue), (desk, site, queue)])

    print(f"\none queue sent twice at once: {results}")
    assert results == [["checked_in"] * 3, ["checked_in"] * 3]
    assert CheckInLog.objects.count() == 3


def test_one_queue_with_doses_sent_twice_at_once_records_each_dose_once(todays_appointments):
    site = todays_appointments[0].slot.site
    desk = UserFactory(roles=[Role.CLINIC_STAFF])
    site.staff.add(desk)
    scans = scans_of(todays_appointments)
    doses = [Scan(code=s.code, attempt=new_attempt(), scanned_at=s.scanned_at, kind=DOSE, lot="FK1") for s in scans]
    queue = [item for pair in zip(scans, doses, strict=True) for item in pair]

    results = sync_at_once([(desk, site, queue), (desk, site, queue)])

    print(f"\none queue with doses sent twice at once: {results}")
    assert results == [["checked_in", "dose_recorded"] * 3] * 2
    assert Appointment.objects.filter(dose_given_at__isnull=False, dose_given_by=desk).count() == 3
    assert CheckInLog.objects.count() == 6
