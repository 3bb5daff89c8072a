"""One booked appointment per person and vaccine: flu and COVID together,
never two of the same vaccine, on every path and under concurrency."""

import threading
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.urls import reverse
from django.utils import timezone

from standby import walkins
from standby.errors import StandbyError
from tests.factories import UserFactory
from vaccination import services
from vaccination.models import Appointment, Site, Slot, Vaccine
from vaccination.services import BookingError

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite serialises writers, so it cannot show a race (set DATABASE_URL)",
)


@pytest.fixture
def flu(db):
    return Vaccine.objects.create(name="Flu", doses_required=1)


@pytest.fixture
def flu_slot(make_slot, flu):
    return make_slot(slot_vaccine=flu)


def test_a_person_can_hold_a_covid_and_a_flu_appointment_together(person, slot, flu_slot):
    covid = services.book(person=person, slot=slot)
    flu = services.book(person=person, slot=flu_slot)

    assert {covid.vaccine, flu.vaccine} == {slot.vaccine, flu_slot.vaccine}
    assert Appointment.objects.booked().filter(person=person).count() == 2


def test_a_second_appointment_of_the_same_vaccine_is_refused(person, make_slot):
    services.book(person=person, slot=make_slot())
    later = make_slot(start=timezone.now() + timedelta(days=2))

    with pytest.raises(BookingError) as refused:
        services.book(person=person, slot=later)

    assert refused.value.code == "already_booked"


def test_the_database_refuses_two_booked_appointments_of_one_vaccine(person, slot, make_slot):
    Appointment.objects.create(person=person, slot=slot)
    later = make_slot(start=timezone.now() + timedelta(days=2))

    with pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.create(person=person, slot=later)


def test_the_appointment_carries_its_slots_vaccine_however_it_is_written(person, slot, flu, make_slot):
    # bulk_create skips save(); on PostgreSQL a trigger fills the vaccine in.
    if connection.vendor != "postgresql":
        pytest.skip("the trigger is PostgreSQL's; elsewhere save() copies the vaccine")
    flu_slot = make_slot(start=slot.start + timedelta(hours=1), slot_vaccine=flu)
    [appointment] = Appointment.objects.bulk_create([Appointment(person=person, slot=slot, code="BULK2345")])
    Appointment.objects.filter(pk=appointment.pk).update(slot=flu_slot)

    assert Appointment.objects.get(pk=appointment.pk).vaccine == flu_slot.vaccine
    Slot.objects.filter(pk=flu_slot.pk).update(vaccine=slot.vaccine)
    assert Appointment.objects.get(pk=appointment.pk).vaccine == slot.vaccine


def test_the_booking_page_lists_every_appointment_held_and_still_offers_times(client, person, slot, flu_slot):
    services.book(person=person, slot=slot)
    client.force_login(person)

    response = client.get(reverse("vaccination:book"), {"site": slot.site_id})

    page = response.content.decode()
    assert "You can hold one appointment for each vaccine" in page
    assert "Comirnaty at Central Clinic" in page
    assert [a.pk for a in response.context["holding"]] == [Appointment.objects.get(person=person).pk]
    assert 'form="slot-form"' in page  # the times keep their buttons: flu can still be booked


def test_my_appointments_offers_booking_while_one_is_held(client, person, slot):
    services.book(person=person, slot=slot)
    client.force_login(person)

    page = client.get(reverse("vaccination:appointment-list")).content.decode()

    assert reverse("vaccination:book") in page
    assert "Book another vaccine" in page


def test_a_walk_in_holding_flu_is_still_vaccinated_against_covid(clinic_staff, site, flu, make_slot):
    site.staff.add(clinic_staff)
    person = UserFactory(date_of_birth=timezone.localdate() - timedelta(days=365 * 40))
    services.book(person=person, slot=make_slot(slot_vaccine=flu))
    now_slot = make_slot(start=timezone.now() + timedelta(minutes=10), minutes=60)

    try:
        appointment = walkins.register_walk_in(
            desk_user=clinic_staff,
            site=site,
            vaccine=now_slot.vaccine,
            person=person,
            first_name=person.first_name,
            last_name=person.last_name,
            date_of_birth=person.date_of_birth,
        )
    except StandbyError as error:
        pytest.fail(f"refused: {error.code}")

    assert appointment.vaccine == now_slot.vaccine
    assert Appointment.objects.booked().filter(person=person, vaccine=flu).exists()


def _book_at_once(person, slots):
    barrier = threading.Barrier(len(slots))
    results = []

    def attempt(slot):
        try:
            barrier.wait()
            results.append(services.book(person=person, slot=slot))
        except BookingError as error:
            results.append(error.code)
        except Exception as error:  # any other failure must fail the test, with its text
            results.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(slot,)) for slot in slots]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _race_slots(*vaccines):
    site = Site.objects.create(name="Race Clinic", address="1 Fast Lane", time_zone="Europe/Madrid")
    start = timezone.now() + timedelta(days=1)
    return [
        Slot.objects.create(
            site=site,
            vaccine=v,
            start=start + timedelta(hours=n),
            end=start + timedelta(hours=n, minutes=15),
            capacity=3,
        )
        for n, v in enumerate(vaccines)
    ]


@on_postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_simultaneous_bookings_of_one_vaccine_give_one_appointment(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    covid = Vaccine.objects.create(name="Race COVID")
    person = UserFactory()

    results = _book_at_once(person, _race_slots(covid, covid))

    assert sorted(r if isinstance(r, str) else "booked" for r in results) == ["already_booked", "booked"]
    assert Appointment.objects.filter(person=person).count() == 1


@on_postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_simultaneous_covid_and_flu_bookings_both_succeed(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    person = UserFactory()
    slots = _race_slots(Vaccine.objects.create(name="Race COVID"), Vaccine.objects.create(name="Race flu"))

    results = _book_at_once(person, slots)

    assert all(isinstance(r, Appointment) for r in results), results
    assert Appointment.objects.booked().filter(person=person).count() == 2
