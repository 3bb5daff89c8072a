"""Races that only PostgreSQL can show: a walk-in and an online booking for
the last seat, and fifty people accepting three spare doses at once."""

import threading
from datetime import date, timedelta

import pytest
from django.db import connection, connections
from django.test import override_settings
from django.utils import timezone

from standby import services
from standby.errors import StandbyError
from standby.models import Offer, SpareDoses, StandbyEntry
from standby.walkins import register_walk_in
from tests.factories import UserFactory
from vaccination.models import Appointment, CheckInLog, Site, Slot, Vaccine
from vaccination.services import BookingError, book

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serialises writers, so it cannot show a race (set DATABASE_URL)",
    ),
]


def run_at_once(calls):
    """Run each callable in its own thread, released together; their results or error codes."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def attempt(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except (BookingError, StandbyError) as error:
            results[index] = error.code
        except Exception as error:  # any other failure must fail the test, with its text
            results[index] = repr(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def clinic():
    site = Site.objects.create(name="Race Clinic", address="1 Fast Lane", time_zone="UTC")
    return site, Vaccine.objects.create(name="Race vaccine")


@override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
def test_a_walk_in_and_an_online_booking_racing_for_the_last_seat_give_one_appointment(clinic_staff):
    site, vaccine = clinic()
    site.staff.add(clinic_staff)
    now = timezone.now()
    if site.local_day_bounds(site.today())[1] - now < timedelta(minutes=30):
        pytest.skip("too close to midnight UTC for a slot later today")
    start = now + timedelta(minutes=10)
    slot = Slot.objects.create(site=site, vaccine=vaccine, start=start, end=start + timedelta(minutes=5), capacity=1)
    online = UserFactory()

    for round_ in range(5):
        results = run_at_once(
            [
                lambda: book(person=online, slot=slot),
                lambda round_=round_: register_walk_in(
                    site=site,
                    vaccine=vaccine,
                    desk_user=clinic_staff,
                    first_name=f"Wally {round_}",  # a new person each round
                    last_name="Walk",
                    date_of_birth=date(1990, 1, 1),
                ),
            ]
        )
        won = [r for r in results if isinstance(r, Appointment)]
        lost = [r for r in results if not isinstance(r, Appointment)]
        assert len(won) == 1, results
        assert lost in (["slot_full"], ["no_seat_today"]), results
        slot.refresh_from_db()
        assert slot.booked_count == 1
        # Free the seat again for the next round, nobody left over.
        CheckInLog.objects.filter(appointment__slot=slot).delete()
        Appointment.objects.filter(slot=slot).delete()
        Slot.objects.filter(pk=slot.pk).update(booked_count=0)
        slot.refresh_from_db()


@override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend", STANDBY_OFFERS_PER_DOSE=20)
def test_fifty_people_accepting_three_spare_doses_at_once_give_exactly_three_appointments(clinic_staff):
    site, vaccine = clinic()
    people = UserFactory.create_batch(50)
    for person in people:
        services.join(person=person, site=site, day=site.today(), arrive_within=15)
    spare = services.declare_spare_doses(
        site=site, vaccine=vaccine, doses=3, until=timezone.now() + timedelta(hours=2), by=clinic_staff
    )
    offers = list(spare.offers.select_related("entry__person"))
    assert len(offers) == 50

    results = run_at_once(
        [
            lambda offer=offer: services.accept_offer(token=services.offer_token(offer), person=offer.entry.person)
            for offer in offers
        ]
    )

    accepted = [r for r in results if isinstance(r, Offer)]
    refused = [r for r in results if not isinstance(r, Offer)]
    print(f"\n50 acceptances of 3 spare doses: {len(accepted)} appointments, refusals {set(refused)}")
    assert len(accepted) == 3
    assert refused == ["gone"] * 47
    spare.slot.refresh_from_db()
    assert spare.slot.booked_count == 3
    assert Appointment.objects.filter(slot=spare.slot, source=Appointment.Source.OFFER).count() == 3
    assert Offer.objects.filter(status=Offer.Status.GONE).count() == 47
    # The late ones stay on the list, told kindly; the three left it.
    assert StandbyEntry.objects.active().count() == 47
    assert SpareDoses.objects.count() == 1
