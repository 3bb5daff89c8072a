"""Garbage in any form field or query parameter gets an answer a person can
read (a 4xx, or the form again with its error), never a server error.

Inputs: random Unicode (NUL bytes, bidi marks, emoji), huge and negative
numbers, impossible dates, 100,000-character strings, template and SQL
snippets, and parameters sent several times where one is expected.
"""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from fleet.forms import DriverForm, TruckForm
from fleet.models import Driver, Truck
from tests.fleet.factories import ClientFactory, ClientMembershipFactory, DriverFactory, TruckFactory
from tests.security.strategies import GARBAGE, fuzz, params
from vaccination.models import Appointment, Site, Slot, Vaccine

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinic(clinic_staff):
    site = Site.objects.create(name="Central Clinic", address="1 Main Street")
    site.staff.add(clinic_staff)
    vaccine = Vaccine.objects.create(name="Flu")
    for hours in (2, 26, 50):
        start = timezone.now() + timedelta(hours=hours)
        Slot.objects.create(site=site, vaccine=vaccine, start=start, end=start + timedelta(minutes=15), capacity=5)
    return site


@pytest.fixture
def booking(person, clinic):
    slot = clinic.slots.order_by("start").last()
    Slot.objects.filter(pk=slot.pk).update(booked_count=1)
    return Appointment.objects.create(person=person, slot=slot)


def readable(response):
    """Never a server error; a 4xx (429 included) or a page."""
    assert response.status_code < 500, response.status_code
    return response


def shown_messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


# Booking


@fuzz
@given(query=params("site", "day", "page"))
def test_the_booking_picker_survives_any_query_string(client, person, clinic, query):
    client.force_login(person)
    assert readable(client.get(reverse("vaccination:book"), query)).status_code == 200
    readable(client.get(reverse("vaccination:appointment-list"), query))


@fuzz
@given(slot=GARBAGE)
def test_booking_a_garbage_slot_books_nothing_and_says_why(client, person, clinic, slot):
    cache.clear()  # the booking rate limit would answer 429 after 20 examples
    client.force_login(person)

    response = readable(client.post(reverse("vaccination:book"), {"slot": slot}))

    assert response.status_code == 302
    if not Appointment.objects.filter(person=person).exists():
        assert shown_messages(response), "a refused booking says why"
    Appointment.objects.filter(person=person).delete()
    Slot.objects.update(booked_count=0)


@fuzz
@given(query=params("site", "day"), slot=GARBAGE)
def test_rescheduling_to_garbage_keeps_the_appointment(client, person, booking, query, slot):
    cache.clear()
    client.force_login(person)
    url = reverse("vaccination:appointment-reschedule", args=[booking.pk])

    readable(client.get(url, query))
    response = readable(client.post(url, {"slot": slot}))

    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == Appointment.Status.BOOKED


# The clinic desk


@fuzz
@given(code=GARBAGE, site=GARBAGE, attempt=GARBAGE)
def test_the_desk_answers_any_scan_in_words(client, clinic_staff, clinic, code, site, attempt):
    cache.clear()
    client.force_login(clinic_staff)

    response = readable(client.post(reverse("clinic:checkin"), {"code": code, "site": site, "attempt": attempt}))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Unknown code" in page or "invalid-feedback" in page or "Type or scan the code first." in page


@fuzz
@given(query=params("site", "q", "status", "page"))
def test_the_day_board_survives_any_query_string(client, clinic_staff, clinic, query):
    client.force_login(clinic_staff)
    assert readable(client.get(reverse("clinic:today"), query)).status_code == 200
    readable(client.get(reverse("clinic:today-rows"), query))


@fuzz
@given(lot=GARBAGE, note=GARBAGE)
def test_dose_and_undo_refuse_garbage_with_a_message(client, clinic_staff, booking, lot, note):
    client.force_login(clinic_staff)

    dose = readable(client.post(reverse("clinic:record-dose", args=[booking.pk]), {"vaccine_lot": lot}))
    undo = readable(client.post(reverse("clinic:undo", args=[booking.pk]), {"note": note}))

    assert dose.status_code == undo.status_code == 302
    assert shown_messages(dose)
    assert shown_messages(undo)
    booking.refresh_from_db()
    assert booking.dose_given_at is None  # never checked in: nothing to record


# Fleet


@pytest.fixture
def fleet():
    company = ClientFactory()
    driver = DriverFactory(client=company)
    truck = TruckFactory()
    return company, driver, truck


@fuzz
@given(query=params("q", "active", "client", "licence", "sort", "page"))
def test_the_driver_list_and_export_survive_any_query_string(client, fleet_manager, fleet, query):
    client.force_login(fleet_manager)
    assert readable(client.get(reverse("fleet:driver-list"), query)).status_code == 200
    export = readable(client.get(reverse("fleet:driver-export"), query))
    b"".join(export.streaming_content) if export.streaming else export.content


@fuzz
@given(query=params("q", "status", "sort", "page", "truck"))
def test_the_truck_list_and_a_driver_page_survive_any_query_string(client, fleet_manager, fleet, query):
    _company, driver, _truck = fleet
    client.force_login(fleet_manager)
    assert readable(client.get(reverse("fleet:truck-list"), query)).status_code == 200
    assert readable(client.get(reverse("fleet:driver-detail", args=[driver.pk]), query)).status_code == 200


@pytest.fixture
def member(client_user, fleet):
    ClientMembershipFactory(user=client_user, client=fleet[0])
    return client_user


@fuzz
@given(query=params("q", "page"))
def test_the_client_portal_survives_any_query_string(client, member, query):
    client.force_login(member)
    assert readable(client.get(reverse("fleet:client"), query)).status_code == 200


# Every field of the fleet forms, and the driver form's extra login field.
DRIVER_FIELDS = (*DriverForm.Meta.fields, "login_email")
TRUCK_FIELDS = tuple(TruckForm.Meta.fields)


@fuzz
@given(data=params(*DRIVER_FIELDS))
def test_the_driver_form_refuses_garbage_with_field_errors(client, fleet_manager, data):
    client.force_login(fleet_manager)
    before = Driver.objects.count()

    response = readable(client.post(reverse("fleet:driver-create"), data))

    if response.status_code == 200:
        assert response.context["form"].errors
        assert Driver.objects.count() == before
    else:
        assert response.status_code == 302  # it happened to be a valid driver


@fuzz
@given(data=params(*TRUCK_FIELDS))
def test_the_truck_form_refuses_garbage_with_field_errors(client, fleet_manager, fleet, data):
    _company, _driver, truck = fleet
    client.force_login(fleet_manager)

    created = readable(client.post(reverse("fleet:truck-create"), data))
    edited = readable(client.post(reverse("fleet:truck-edit", args=[truck.pk]), data))

    for response in (created, edited):
        assert response.status_code == 302 or response.context["form"].errors
    assert Truck.objects.filter(pk=truck.pk).exists()


@fuzz
@given(data=params("truck", "reassign"))
def test_assigning_a_garbage_truck_is_refused_with_a_message(client, fleet_manager, fleet, data):
    _company, driver, _truck = fleet
    client.force_login(fleet_manager)

    response = readable(client.post(reverse("fleet:driver-assign", args=[driver.pk]), data))

    assert response.status_code == 302
    assert shown_messages(response)


# Accounts


@fuzz
@given(data=params("first_name", "last_name", "phone", "date_of_birth"))
def test_the_profile_form_refuses_garbage_with_field_errors(client, person, data):
    client.force_login(person)

    response = readable(client.post(reverse("accounts:profile"), data))

    assert response.status_code == 302 or response.context["form"].errors


@fuzz
@given(data=params("login", "password", "remember"))
def test_the_sign_in_form_refuses_garbage(client, person, data):
    cache.clear()  # or the failed-login limit answers every later example

    response = readable(client.post(reverse("account_login"), data))

    assert response.status_code in (200, 429)
    assert "_auth_user_id" not in client.session


@fuzz
@given(data=params("email", "first_name", "last_name", "password1", "password2"))
def test_the_sign_up_form_refuses_garbage(client, data):
    cache.clear()
    readable(client.post(reverse("account_signup"), data))


@fuzz
@given(password=GARBAGE)
def test_the_deletion_form_refuses_a_wrong_password(client, person, password):
    cache.clear()
    client.force_login(person)

    response = readable(client.post(reverse("accounts:delete"), {"password": password}))

    assert response.status_code == 200
    assert response.context["form"].errors["password"]  # not yours, required, or no NUL bytes
    person.refresh_from_db()
    assert person.is_active


# Identifiers in the path


@fuzz
@given(pk=st.one_of(st.integers(min_value=0, max_value=10**30), st.sampled_from([2**31, 2**63, 2**64])))
def test_an_unknown_or_huge_id_in_the_path_is_404(client, superuser, pk):
    client.force_login(superuser)
    for name in (
        "vaccination:appointment-detail",
        "clinic:appointment",
        "fleet:driver-detail",
        "fleet:truck-detail",
        "fleet:client-driver",
    ):
        assert client.get(reverse(name, args=[pk])).status_code == 404, name
