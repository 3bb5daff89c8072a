from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F

from vaccination.models import CODE_ALPHABET, Appointment, Site, Slot, new_confirmation_code


def test_confirmation_codes_are_eight_typeable_characters():
    codes = {new_confirmation_code() for _ in range(500)}

    assert len(codes) == 500
    for code in codes:
        assert len(code) == 8
        assert set(code) <= set(CODE_ALPHABET)
    assert not set("0O1IL") & set(CODE_ALPHABET)


def test_a_slot_can_never_hold_more_bookings_than_its_capacity(slot):
    Slot.objects.filter(pk=slot.pk).update(booked_count=slot.capacity)

    with pytest.raises(IntegrityError), transaction.atomic():
        Slot.objects.filter(pk=slot.pk).update(booked_count=F("booked_count") + 1)


def test_a_slot_must_end_after_it_starts(site, vaccine, slot):
    with pytest.raises(IntegrityError), transaction.atomic():
        Slot.objects.create(
            site=site, vaccine=vaccine, start=slot.start + timedelta(days=1), end=slot.start, capacity=1
        )


def test_a_slot_needs_at_least_one_seat(make_slot):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_slot(capacity=0)


def test_the_same_start_cannot_be_generated_twice_for_a_clinic_and_vaccine(make_slot, slot):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_slot(start=slot.start)


def test_a_person_holds_at_most_one_booked_appointment(person, make_slot, make_appointment, slot):
    make_appointment(person, slot)
    later = make_slot(start=slot.start + timedelta(hours=1))

    with pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.create(person=person, slot=later)


def test_cancelled_appointments_do_not_count_towards_the_one_booked_rule(person, slot, make_appointment):
    make_appointment(person, slot, status=Appointment.Status.CANCELLED)
    make_appointment(person, slot, status=Appointment.Status.CANCELLED)

    assert make_appointment(person, slot).status == "booked"


def test_confirmation_codes_are_unique(person, other_person, slot, make_appointment):
    first = make_appointment(person, slot)

    with pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.create(person=other_person, slot=slot, code=first.code)


def test_an_unknown_status_is_refused_by_the_database(person, slot):
    with pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.create(person=person, slot=slot, status="lost")


def test_a_checked_in_appointment_records_when(person, slot):
    with pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.create(person=person, slot=slot, status=Appointment.Status.CHECKED_IN)


def test_a_site_refuses_an_unknown_time_zone(db):
    site = Site(name="Nowhere", address="-", time_zone="Mars/Olympus")

    with pytest.raises(ValidationError, match="time zone"):
        site.full_clean()


def test_a_new_site_uses_the_campaign_time_zone_by_default(settings):
    settings.TIME_ZONE = "Europe/Lisbon"

    assert Site(name="Lisbon").time_zone == "Europe/Lisbon"


def test_seats_left_counts_down_as_seats_are_taken(slot):
    slot.booked_count = 2

    assert slot.seats_left == slot.capacity - 2
