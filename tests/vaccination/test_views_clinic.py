"""The clinic pages: the desk, one appointment at the desk, the day board, and
who may see them."""

import re
import zoneinfo
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from fleet.models import Assignment, Driver, Truck
from tests.factories import UserFactory
from vaccination import services
from vaccination.checkin import check_in
from vaccination.models import Appointment, CheckInLog, Site

# Some tests pick their role fixture by name at run time: the mark tells
# pytest-django they use the database, so they run before transactional tests.
pytestmark = pytest.mark.django_db

MADRID = zoneinfo.ZoneInfo("Europe/Madrid")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=MADRID)  # a Wednesday
DESK = reverse("clinic:checkin")
BOARD = reverse("clinic:today")
ROWS = reverse("clinic:today-rows")


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def desk(client, clinic_staff, site):
    site.staff.add(clinic_staff)
    client.force_login(clinic_staff)
    return client


@pytest.fixture
def today_slot(make_slot):
    return make_slot(NOW.replace(hour=10, minute=30), capacity=50)


@pytest.fixture
def booked(person, today_slot, make_appointment):
    person.date_of_birth = date(1950, 3, 14)
    person.save()
    return make_appointment(person, today_slot)


def scan(client, code, **extra):
    return client.post(DESK, {"code": code, **extra})


# The desk


def test_the_desk_has_one_autofocused_code_field_and_the_camera_script(desk, site):
    response = desk.get(DESK)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="code"' in html
    assert "autofocus" in html
    assert "js/checkin-desk.js" in html
    assert "vendor/jsqr/jsQR.js" in html
    assert "<script>" not in html
    assert " style=" not in html
    assert site.name in html


def test_a_valid_code_shows_the_big_green_answer_with_name_birth_date_time_and_dose(desk, booked):
    response = scan(desk, booked.code.lower())

    html = response.content.decode()
    assert response.status_code == 200
    assert 'role="status"' in html
    assert "desk-result-ok" in html
    assert "Checked in" in html
    assert "Pat Person" in html
    assert "14 Mar 1950" in html
    assert "10:30" in html
    assert "Comirnaty, dose 1" in html
    booked.refresh_from_db()
    assert booked.status == Appointment.Status.CHECKED_IN


def test_a_code_with_spaces_and_dashes_in_any_case_is_accepted(desk, booked):
    code = booked.code.lower()
    response = scan(desk, f" {code[:4]}-{code[4:]} ")
    assert "desk-result-ok" in response.content.decode()


def test_an_unknown_code_shows_red_with_words(desk):
    html = scan(desk, "ZZZZZZZZ").content.decode()
    assert 'role="alert"' in html
    assert "desk-result-refused" in html
    assert "Unknown code" in html
    assert "No appointment has the code ZZZZZZZZ" in html


def test_a_second_scan_says_already_checked_in_at_the_time_by_the_nurse(desk, booked, frozen):
    scan(desk, booked.code)
    frozen.shift(timedelta(minutes=9))
    html = scan(desk, booked.code).content.decode()
    assert "Already checked in" in html
    assert "At 10:00 by Nora Nurse." in html
    assert "Nothing changed." in html


def test_a_code_for_another_day_says_when_it_is_booked(desk, person, make_slot, make_appointment):
    appointment = make_appointment(person, make_slot(datetime(2026, 11, 26, 10, 30, tzinfo=MADRID)))
    html = scan(desk, appointment.code).content.decode()
    assert "Not today" in html
    assert "Booked for Thu 26 Nov 10:30." in html


def test_a_cancelled_code_says_cancelled(desk, person, today_slot, make_appointment):
    appointment = make_appointment(person, today_slot, status=Appointment.Status.CANCELLED)
    html = scan(desk, appointment.code).content.decode()
    assert "Cancelled appointment" in html
    assert "was cancelled" in html


def test_a_no_show_code_says_missed(desk, person, today_slot, make_appointment):
    appointment = make_appointment(person, today_slot, status=Appointment.Status.NO_SHOW)
    assert "Marked as missed" in scan(desk, appointment.code).content.decode()


def test_another_clinics_code_names_the_clinic(desk, person, make_slot, make_appointment):
    other = Site.objects.create(name="Northside Hall", address="3 Market Square", time_zone="Europe/Madrid")
    appointment = make_appointment(person, make_slot(NOW.replace(hour=11), slot_site=other))
    html = scan(desk, appointment.code).content.decode()
    assert "Another clinic" in html
    assert "Booked at Northside Hall, Wed 25 Nov 11:00." in html


def test_the_same_form_sent_twice_answers_green_twice(desk, booked):
    page = desk.get(DESK).content.decode()
    attempt = page.split('name="attempt" value="')[1].split('"')[0]
    first = scan(desk, booked.code, attempt=attempt)
    again = scan(desk, booked.code, attempt=attempt)
    assert "desk-result-ok" in first.content.decode()
    assert "desk-result-ok" in again.content.decode()
    assert "sent twice" in again.content.decode()
    assert CheckInLog.objects.count() == 1


def test_an_empty_code_asks_for_one(desk):
    html = scan(desk, "").content.decode()
    assert "Type or scan the code first." in html
    assert not CheckInLog.objects.exists()


def test_the_desk_works_for_the_chosen_site_among_the_staff_members_own(
    desk, clinic_staff, person, make_slot, make_appointment
):
    other = Site.objects.create(name="Northside Hall", address="3 Market Square", time_zone="Europe/Madrid")
    other.staff.add(clinic_staff)
    appointment = make_appointment(person, make_slot(NOW.replace(hour=11), slot_site=other))
    scan(desk, appointment.code, site=other.pk)
    assert CheckInLog.objects.get().site == other


def test_a_site_the_staff_member_does_not_work_at_cannot_be_chosen(desk, site):
    other = Site.objects.create(name="Northside Hall", address="3 Market Square")
    response = desk.get(DESK, {"site": other.pk})
    assert response.context["site"] == site


def test_staff_without_a_clinic_are_told_to_ask_for_one(client, clinic_staff):
    client.force_login(clinic_staff)
    html = client.get(DESK).content.decode()
    assert "You are not assigned to a clinic yet." in html
    assert client.post(DESK, {"code": "ABCDEFGH"}).status_code == 200
    assert not CheckInLog.objects.exists()


# Dose and undo


def test_the_nurse_records_the_lot_after_check_in(desk, booked, clinic_staff):
    scan(desk, booked.code)
    response = desk.post(reverse("clinic:record-dose", args=[booked.pk]), {"vaccine_lot": "FK1234"})
    assert response.status_code == 302
    booked.refresh_from_db()
    assert booked.vaccine_lot == "FK1234"
    assert booked.dose_given_by == clinic_staff
    page = desk.get(response.url).content.decode()
    assert "Dose recorded for Pat Person, lot FK1234." in page


def test_recording_a_dose_needs_the_lot(desk, booked):
    scan(desk, booked.code)
    desk.post(reverse("clinic:record-dose", args=[booked.pk]), {"vaccine_lot": ""})
    booked.refresh_from_db()
    assert booked.dose_given_at is None


def test_recording_a_dose_before_check_in_is_refused(desk, booked):
    response = desk.post(reverse("clinic:record-dose", args=[booked.pk]), {"vaccine_lot": "FK1"}, follow=True)
    assert "is not checked in" in response.content.decode()


def test_undo_within_the_window_books_again_and_is_logged(desk, booked, frozen):
    scan(desk, booked.code)
    frozen.shift(timedelta(minutes=2))
    page = desk.get(reverse("clinic:appointment", args=[booked.pk])).content.decode()
    assert "Undo check-in" in page
    response = desk.post(reverse("clinic:undo", args=[booked.pk]), {"note": "Wrong phone"}, follow=True)
    assert "Check-in of Pat Person undone." in response.content.decode()
    booked.refresh_from_db()
    assert booked.status == Appointment.Status.BOOKED
    assert CheckInLog.objects.get(action="undo").note == "Wrong phone"


def test_undo_needs_a_reason(desk, booked):
    scan(desk, booked.code)
    desk.post(reverse("clinic:undo", args=[booked.pk]), {"note": ""})
    booked.refresh_from_db()
    assert booked.is_checked_in


def test_undo_after_the_window_is_refused_and_not_offered(desk, booked, frozen):
    scan(desk, booked.code)
    frozen.shift(timedelta(minutes=11))
    assert "Undo check-in" not in desk.get(reverse("clinic:appointment", args=[booked.pk])).content.decode()
    response = desk.post(reverse("clinic:undo", args=[booked.pk]), {"note": "late"}, follow=True)
    assert "can only be undone within 10 minutes" in response.content.decode()


def test_another_clinics_appointment_is_404_at_the_desk(desk, person, make_slot, make_appointment):
    other = Site.objects.create(name="Northside Hall", address="3 Market Square")
    appointment = make_appointment(person, make_slot(NOW.replace(hour=11), slot_site=other))
    assert desk.get(reverse("clinic:appointment", args=[appointment.pk])).status_code == 404
    assert desk.post(reverse("clinic:record-dose", args=[appointment.pk]), {"vaccine_lot": "X"}).status_code == 404
    assert desk.post(reverse("clinic:undo", args=[appointment.pk]), {"note": "x"}).status_code == 404


# The day board


def test_the_board_lists_todays_appointments_in_time_order_with_counts(
    desk, site, booked, other_person, make_slot, make_appointment
):
    early = make_appointment(other_person, make_slot(NOW.replace(hour=9)))
    missed = make_appointment(UserFactory(last_name="Missed"), make_slot(NOW.replace(hour=8)), status="no_show")
    make_appointment(UserFactory(last_name="Gone"), make_slot(NOW.replace(hour=12)), status="cancelled")
    make_appointment(UserFactory(last_name="Tomorrow"), make_slot(NOW + timedelta(days=1)))
    check_in(code=early.code, desk_user=site.staff.get(), site=site)

    response = desk.get(BOARD)

    assert list(response.context["page_obj"]) == [missed, early, booked]
    # Places: 50 at 10:30 and 3 at each of 8:00, 9:00 and 12:00; 3 taken (the cancelled one freed its seat).
    assert response.context["counts"] == {
        "booked": 3,
        "checked_in": 1,
        "expected": 1,
        "no_show": 1,
        "doses": 0,
        "capacity": 59,
        "seats_left": 56,
    }
    html = response.content.decode()
    assert "clinic-board.js" in html
    assert "still expected" in html


def test_the_board_searches_by_name_or_code(desk, booked, other_person, today_slot, make_appointment):
    other = make_appointment(other_person, today_slot)
    assert list(desk.get(BOARD, {"q": "olive"}).context["page_obj"]) == [other]
    assert list(desk.get(BOARD, {"q": booked.code[:5].lower()}).context["page_obj"]) == [booked]
    assert list(desk.get(BOARD, {"q": "nobody"}).context["page_obj"]) == []


def test_the_board_rows_partial_is_the_table_alone(desk, booked):
    response = desk.get(ROWS)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert booked.code in html


def test_the_board_is_paginated(desk, make_slot, make_appointment):
    slot = make_slot(NOW.replace(hour=11), capacity=100)
    for person in UserFactory.create_batch(30):
        make_appointment(person, slot)
    first = desk.get(BOARD)
    assert len(first.context["page_obj"]) == 25
    assert len(desk.get(BOARD, {"page": 2}).context["page_obj"]) == 5


@pytest.mark.parametrize("rows", [1, 40])
def test_the_board_takes_the_same_number_of_queries_whatever_its_size(
    desk, site, rows, make_slot, make_appointment, django_assert_max_num_queries
):
    slot = make_slot(NOW.replace(hour=11), capacity=100)
    staff = site.staff.get()
    for person in UserFactory.create_batch(rows):
        appointment = make_appointment(person, slot)
        check_in(code=appointment.code, desk_user=staff, site=site)
    desk.get(BOARD)  # the first visit remembers the clinic in the session
    # Rendered afresh (not from the cache): session, user (roles with it),
    # sites, counts, the day's places, rows; the counts give the page count.
    cache.clear()
    with django_assert_max_num_queries(6):
        desk.get(BOARD)
    cache.clear()
    with django_assert_max_num_queries(6):
        desk.get(ROWS)


@pytest.mark.parametrize("rows", [1, 40])
def test_a_mobile_clinics_board_takes_the_same_number_of_queries_whatever_its_size(
    desk, site, fleet_manager, rows, make_slot, make_appointment, django_assert_max_num_queries
):
    site.is_mobile = True
    site.truck = Truck.objects.create(code="TRK-0042", plate="1234ABC", make="Iveco", model="Daily", year=2022)
    site.save()
    driver = Driver.objects.create(
        first_name="Diego", last_name="Driver", licence_number="L-1", licence_expiry=date(2030, 1, 1)
    )
    Assignment.objects.create(driver=driver, truck=site.truck, assigned_by=fleet_manager)
    slot = make_slot(NOW.replace(hour=11), capacity=100)
    for person in UserFactory.create_batch(rows):
        make_appointment(person, slot)
    desk.get(BOARD)
    # the same six, and the truck's driver; and whether the truck is ready today
    # (readiness answers vaccination.hooks.board_notices with five queries)
    cache.clear()
    with django_assert_max_num_queries(12):
        desk.get(BOARD)
    # the rows it polls every few seconds leave the truck out
    cache.clear()
    with django_assert_max_num_queries(6):
        desk.get(ROWS)


def test_the_board_is_served_from_the_cache_until_an_appointment_there_changes(
    desk, site, booked, clinic_staff, django_assert_max_num_queries
):
    desk.get(BOARD)
    # session, user, sites: no counts and no rows
    with django_assert_max_num_queries(3):
        assert booked.code in desk.get(BOARD).content.decode()


def counts(client):
    html = client.get(ROWS).content.decode()
    return {
        label: int(number) for number, label in re.findall(r'<span class="board-count">(\d+)</span> ([a-z -]+)<', html)
    }


def test_a_check_in_at_the_desk_shows_at_once_on_the_board(desk, booked):
    assert counts(desk)["checked in"] == 0

    scan(desk, booked.code)

    assert counts(desk)["checked in"] == 1


def test_a_dose_and_an_undo_show_at_once_on_the_board(desk, booked):
    scan(desk, booked.code)
    assert counts(desk)["doses given"] == 0

    desk.post(reverse("clinic:record-dose", args=[booked.pk]), {"vaccine_lot": "LOT-1"})
    assert counts(desk)["doses given"] == 1


def test_an_undone_check_in_shows_at_once_on_the_board(desk, booked):
    scan(desk, booked.code)
    assert counts(desk)["checked in"] == 1

    desk.post(reverse("clinic:undo", args=[booked.pk]), {"note": "Wrong person"})

    assert counts(desk)["checked in"] == 0


def test_a_booking_and_a_cancellation_today_show_at_once_on_the_board(
    desk, other_person, today_slot, django_capture_on_commit_callbacks
):
    assert counts(desk)["booked"] == 0

    # Committed, as each request is: an online booking marks the board when
    # its transaction commits (at most every SEATS_BUMP_SECONDS: vaccination.signals).
    with django_capture_on_commit_callbacks(execute=True):
        appointment = services.book(person=other_person, slot=today_slot)
    assert counts(desk)["booked"] == 1

    services.cancel(appointment=appointment, by=other_person)
    assert counts(desk)["booked"] == 0


def test_the_board_of_a_mobile_clinic_shows_the_truck_and_its_driver(desk, site, fleet_manager):
    site.is_mobile = True
    site.truck = Truck.objects.create(code="TRK-0042", plate="1234ABC", make="Iveco", model="Daily", year=2022)
    site.save()
    driver = Driver.objects.create(
        first_name="Diego",
        last_name="Driver",
        phone="+34 600 000 000",
        licence_number="L-1",
        licence_expiry=date(2030, 1, 1),
    )
    Assignment.objects.create(driver=driver, truck=site.truck, assigned_by=fleet_manager)

    html = desk.get(BOARD).content.decode()

    assert "TRK-0042" in html
    assert "Diego Driver" in html
    assert "+34 600 00 00 00" in html  # stored in E.164, shown spaced


# Who may see what


CLINIC_GETS = [DESK, BOARD, ROWS]


@pytest.mark.parametrize("url", CLINIC_GETS)
def test_anonymous_visitors_go_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("url", CLINIC_GETS)
@pytest.mark.parametrize("role", ["person", "driver", "fleet_manager", "client_user"])
def test_other_roles_get_403(client, request, url, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get(url).status_code == 403
    assert client.post(DESK, {"code": "ABCDEFGH"}).status_code == 403


@pytest.mark.parametrize("name", ["clinic:appointment", "clinic:record-dose", "clinic:undo"])
@pytest.mark.parametrize("role", ["person", "driver", "fleet_manager", "client_user"])
def test_other_roles_get_403_on_appointment_actions(client, request, booked, name, role):
    client.force_login(request.getfixturevalue(role))
    method = client.get if name == "clinic:appointment" else client.post
    assert method(reverse(name, args=[booked.pk])).status_code == 403


@pytest.mark.parametrize("name", ["clinic:appointment", "clinic:record-dose", "clinic:undo"])
def test_anonymous_visitors_go_to_login_from_appointment_actions(client, booked, name):
    method = client.get if name == "clinic:appointment" else client.post
    assert method(reverse(name, args=[booked.pk])).status_code == 302


def test_the_person_cannot_check_themselves_in(client, person, booked):
    client.force_login(person)
    assert client.post(DESK, {"code": booked.code}).status_code == 403
    booked.refresh_from_db()
    assert booked.status == Appointment.Status.BOOKED


def test_wrong_methods_get_405(desk, booked):
    assert desk.delete(DESK).status_code == 405
    assert desk.post(BOARD).status_code == 405
    assert desk.post(ROWS).status_code == 405
    assert desk.post(reverse("clinic:appointment", args=[booked.pk])).status_code == 405
    assert desk.get(reverse("clinic:record-dose", args=[booked.pk])).status_code == 405
    assert desk.get(reverse("clinic:undo", args=[booked.pk])).status_code == 405


def test_a_superuser_may_use_the_desk_for_any_clinic(client, superuser, site, booked):
    client.force_login(superuser)
    assert "desk-result-ok" in client.post(DESK, {"code": booked.code}).content.decode()


# The person's side


def test_the_appointment_page_says_when_the_person_was_checked_in(client, person, booked, site, clinic_staff):
    site.staff.add(clinic_staff)
    check_in(code=booked.code, desk_user=clinic_staff, site=site)
    client.force_login(person)
    html = client.get(reverse("vaccination:appointment-detail", args=[booked.pk])).content.decode()
    assert "Checked in at 10:00" in html


def test_the_desk_lists_its_own_last_scans_here(desk, booked, clinic_staff, site):
    scan(desk, "ZZZZZZZZ")
    scan(desk, booked.code)
    other = UserFactory()
    site.staff.add(other)
    check_in(code="YYYYYYYY", desk_user=other, site=site)  # another desk's scan is not ours

    html = desk.get(DESK).content.decode()

    assert re.findall(r"desk-recent-reason desk-recent-(\w+)", html) == ["checked_in", "unknown"]
    assert booked.person.get_full_name() in html
    assert "YYYYYYYY" not in html


def test_the_board_counts_filter_the_rows_by_status(desk, site, booked, other_person, today_slot, make_appointment):
    missed = make_appointment(other_person, today_slot, status=Appointment.Status.NO_SHOW)
    arrived = make_appointment(UserFactory(), today_slot)
    check_in(code=arrived.code, desk_user=site.staff.get(), site=site)

    assert list(desk.get(BOARD, {"status": "booked"}).context["page_obj"]) == [booked]
    assert list(desk.get(BOARD, {"status": "checked_in"}).context["page_obj"]) == [arrived]
    assert list(desk.get(ROWS, {"status": "no_show"}).context["page_obj"]) == [missed]
    assert len(desk.get(BOARD, {"status": "nonsense"}).context["page_obj"]) == 3
