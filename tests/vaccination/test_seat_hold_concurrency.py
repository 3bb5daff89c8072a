"""Holds and bookings racing for the last seats of one slot: the slot is never
over capacity, and each seat goes to exactly one of them.

Needs real concurrent transactions, so it runs on PostgreSQL with a
transactional test database (see test_concurrency)."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from tests.factories import UserFactory
from vaccination import holds
from vaccination.models import Appointment, SeatHold, Site, Slot, Vaccine
from vaccination.services import BookingError, book

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serialises writers, so it cannot show a race (set DATABASE_URL)",
    ),
]


def run_at_once(attempts):
    barrier = threading.Barrier(len(attempts))
    results = [None] * len(attempts)

    def attempt(index, action):
        try:
            barrier.wait()
            results[index] = action()
        except BookingError as error:
            results[index] = error.code
        except Exception as error:  # any other failure must fail the test, with its text
            results[index] = repr(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(i, a)) for i, a in enumerate(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.fixture
def slot(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    site = Site.objects.create(name="Race Clinic", address="1 Fast Lane", time_zone="Europe/Madrid")
    vaccine = Vaccine.objects.create(name="Race vaccine")
    start = timezone.now() + timedelta(days=1)
    return Slot.objects.create(site=site, vaccine=vaccine, start=start, end=start + timedelta(minutes=15), capacity=3)


def test_holds_and_bookings_racing_for_the_last_two_seats_never_overbook(slot):
    book(person=UserFactory(), slot=slot)  # two seats left for sixteen
    people = UserFactory.create_batch(8)
    attempts = [lambda p=p: book(person=p, slot=slot) for p in people] + [lambda: holds.hold_seat(slot=slot)] * 8

    results = run_at_once(attempts)

    won = [r for r in results if isinstance(r, Appointment | SeatHold)]
    slot.refresh_from_db()
    assert len(won) == 2
    assert [r for r in results if r not in won] == ["slot_full"] * 14
    assert slot.booked_count == 3
    assert Appointment.objects.filter(slot=slot).count() + SeatHold.objects.filter(slot=slot).count() == 3


def test_held_seats_becoming_bookings_while_others_book_take_no_second_seat(slot):
    held = [holds.hold_seat(slot=slot) for _ in range(2)]  # one seat left
    holders, others = UserFactory.create_batch(2), UserFactory.create_batch(6)
    attempts = [lambda h=h, p=p: holds.book_held(hold=h, person=p) for h, p in zip(held, holders, strict=True)]
    attempts += [lambda p=p: book(person=p, slot=slot) for p in others]

    results = run_at_once(attempts)

    slot.refresh_from_db()
    assert all(isinstance(r, Appointment) for r in results[:2])
    assert sorted(r if isinstance(r, str) else "booked" for r in results[2:]) == ["booked"] + ["slot_full"] * 5
    assert slot.booked_count == slot.capacity == 3
    assert Appointment.objects.filter(slot=slot).count() == 3
    assert not SeatHold.objects.exists()


def test_a_run_out_hold_released_by_the_sweep_and_by_bookings_at_once_frees_its_seat_once(slot):
    hold = holds.hold_seat(slot=slot)
    for _ in range(2):
        book(person=UserFactory(), slot=slot)  # full, one seat of it held
    SeatHold.objects.filter(pk=hold.pk).update(
        created_at=timezone.now() - timedelta(hours=1), expires_at=timezone.now() - timedelta(minutes=1)
    )
    people = UserFactory.create_batch(4)
    attempts = [holds.release_expired_holds] * 4 + [lambda p=p: book(person=p, slot=slot) for p in people]

    results = run_at_once(attempts)

    slot.refresh_from_db()
    booked = [r for r in results[4:] if isinstance(r, Appointment)]
    assert len(booked) == 1
    assert sum(results[:4]) <= 1  # the sweeps; a booking may have released it first
    assert slot.booked_count == 3
    assert Appointment.objects.filter(slot=slot).count() == 3
    assert not SeatHold.objects.exists()
