"""Many people booking the last seats of one slot at the same moment.

Needs real concurrent transactions, so it runs on PostgreSQL with a
transactional test database; SQLite serialises writers and proves nothing."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from tests.factories import UserFactory
from vaccination.models import Appointment, Site, Slot, Vaccine
from vaccination.services import BookingError, book

pytestmark = [
    # serialized_rollback: the flush after a transactional test empties the
    # migrated data (roles, content types); restoring it keeps later tests,
    # and their own restores, working.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serialises writers, so it cannot show a race (set DATABASE_URL)",
    ),
]

THREADS = 20


def run_at_once(people, slot):
    barrier = threading.Barrier(len(people))
    results = [None] * len(people)

    def attempt(index, person):
        try:
            barrier.wait()
            results[index] = book(person=person, slot=slot)
        except BookingError as error:
            results[index] = error.code
        except Exception as error:  # any other failure must fail the test, with its text
            results[index] = repr(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(i, p)) for i, p in enumerate(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_twenty_people_booking_the_last_three_seats_at_once_give_exactly_three_bookings(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    site = Site.objects.create(name="Race Clinic", address="1 Fast Lane", time_zone="Europe/Madrid")
    vaccine = Vaccine.objects.create(name="Race vaccine")
    start = timezone.now() + timedelta(days=1)
    slot = Slot.objects.create(site=site, vaccine=vaccine, start=start, end=start + timedelta(minutes=15), capacity=5)
    # Two seats already taken: three are left for twenty people.
    for person in UserFactory.create_batch(2):
        book(person=person, slot=slot)
    people = UserFactory.create_batch(THREADS)
    later = start + timedelta(hours=1)
    other = Slot.objects.create(site=site, vaccine=vaccine, start=later, end=later + timedelta(hours=1), capacity=9)

    results = run_at_once(people, slot)

    booked = [r for r in results if isinstance(r, Appointment)]
    refused = [r for r in results if not isinstance(r, Appointment)]
    slot.refresh_from_db()
    print(f"\n{THREADS} concurrent bookings for 3 seats: {len(booked)} booked, {len(refused)} refused {set(refused)}")
    print(f"slot booked_count={slot.booked_count} capacity={slot.capacity}")
    assert len(booked) == 3
    assert refused == ["slot_full"] * (THREADS - 3)
    assert slot.booked_count == slot.capacity == 5
    assert Appointment.objects.filter(slot=slot).count() == 5
    assert not Appointment.objects.filter(
        person__in=[p for p, r in zip(people, results, strict=True) if r == "slot_full"]
    ).exists()
    other.refresh_from_db()
    assert other.booked_count == 0


def test_one_person_booking_two_slots_from_two_tabs_at_once_gets_one_appointment(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    site = Site.objects.create(name="Tab Clinic", address="2 Tab Street")
    vaccine = Vaccine.objects.create(name="Tab vaccine")
    start = timezone.now() + timedelta(days=1)
    slots = [
        Slot.objects.create(
            site=site,
            vaccine=vaccine,
            start=start + timedelta(hours=h),
            end=start + timedelta(hours=h, minutes=15),
            capacity=5,
        )
        for h in range(2)
    ]
    person = UserFactory()
    barrier = threading.Barrier(2)
    results = []

    def attempt(slot):
        try:
            barrier.wait()
            results.append(book(person=person, slot=slot))
        except BookingError as error:
            results.append(error.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(slot,)) for slot in slots]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert "already_booked" in results
    assert Appointment.objects.filter(person=person).count() == 1
    assert sum(Slot.objects.filter(pk__in=[s.pk for s in slots]).values_list("booked_count", flat=True)) == 1
