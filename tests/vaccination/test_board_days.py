"""The day board beyond today: other days, places, late arrivals, no-shows
marked and undone from the board, and what an empty day says."""

import zoneinfo
from datetime import datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from audit.models import Action, AuditEvent
from tests.factories import UserFactory
from vaccination.models import Appointment, Site

pytestmark = pytest.mark.django_db

MADRID = zoneinfo.ZoneInfo("Europe/Madrid")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=MADRID)  # a Wednesday
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
def started(person, make_slot, make_appointment):
    """Booked for 9:45: fifteen minutes late now."""
    return make_appointment(person, make_slot(NOW - timedelta(minutes=15)))


def _day(response):
    return response.context["day"]


def test_the_board_shows_another_day_with_its_appointments(desk, site, make_slot, make_appointment):
    make_appointment(UserFactory(last_name="Mañana"), make_slot(NOW + timedelta(days=1)))
    make_appointment(UserFactory(last_name="Hoy"), make_slot(NOW + timedelta(hours=1)))

    response = desk.get(BOARD, {"site": site.pk, "day": "2026-11-26"})

    assert _day(response).isoformat() == "2026-11-26"
    html = response.content.decode()
    assert "Mañana" in html
    assert "Hoy" not in html
    assert f'href="?site={site.pk}&amp;day=2026-11-25"' in html  # previous day
    assert f'href="?site={site.pk}&amp;day=2026-11-27"' in html  # next day
    assert "Back to today" in html


@pytest.mark.parametrize("day", ["yesterday", "2026-02-30", "2026-11-10", "2027-01-25"])
def test_a_malformed_or_out_of_range_day_shows_today_and_says_so(desk, site, day):
    response = desk.get(BOARD, {"site": site.pk, "day": day})

    assert response.status_code == 200
    assert _day(response) == site.today()
    assert "That day cannot be shown" in response.content.decode()


def test_the_navigation_stops_at_its_bounds(desk, site):
    response = desk.get(BOARD, {"site": site.pk, "day": "2027-01-24"})  # 60 days ahead

    assert response.context["next_day"] is None
    assert response.context["previous_day"].isoformat() == "2027-01-23"


def test_the_board_shows_the_days_places_and_how_many_are_free(desk, site, make_slot, make_appointment):
    slot = make_slot(NOW + timedelta(hours=2), capacity=10)
    make_appointment(UserFactory(), slot)

    html = desk.get(BOARD).content.decode()

    assert "10 places this day, 9 still free." in html


def test_a_person_still_booked_fifteen_minutes_past_their_time_is_flagged_late(desk, started, frozen):
    html = desk.get(BOARD).content.decode()
    assert "board-row-late" in html
    assert ">Late<" in html

    frozen.move_to(NOW - timedelta(minutes=1))
    html = desk.get(BOARD).content.decode()
    assert ">Late<" not in html


def test_late_is_not_flagged_on_another_day(desk, site, person, make_slot, make_appointment):
    make_appointment(person, make_slot(NOW - timedelta(days=1)))

    html = desk.get(BOARD, {"site": site.pk, "day": "2026-11-24"}).content.decode()

    assert ">Late<" not in html


def test_staff_mark_a_no_show_from_the_board_and_it_shows_at_once(desk, site, started, clinic_staff):
    response = desk.post(reverse("clinic:no-show", args=[started.pk]))

    assert response.status_code == 302
    assert response.url == f"{BOARD}?site={site.pk}&day=2026-11-25#appointment-{started.pk}"
    started.refresh_from_db()
    assert started.status == Appointment.Status.NO_SHOW
    assert AuditEvent.objects.filter(action=Action.NO_SHOW, actor=clinic_staff).count() == 1
    page = desk.get(response.url).content.decode()
    assert "is marked as a no-show" in page
    assert reverse("clinic:undo-no-show", args=[started.pk]) in page


def test_undo_from_the_board_books_the_person_again(desk, started):
    desk.post(reverse("clinic:no-show", args=[started.pk]))

    response = desk.post(reverse("clinic:undo-no-show", args=[started.pk]))

    started.refresh_from_db()
    assert started.status == Appointment.Status.BOOKED
    assert "is booked again" in desk.get(response.url).content.decode()


def test_a_refused_no_show_says_why(desk, person, make_slot, make_appointment):
    later = make_appointment(person, make_slot(NOW + timedelta(hours=1)))

    response = desk.post(reverse("clinic:no-show", args=[later.pk]), follow=True)

    assert "has not started yet" in response.content.decode()
    later.refresh_from_db()
    assert later.status == Appointment.Status.BOOKED


def test_the_cached_rows_hold_no_csrf_token_the_page_does(desk, started):
    page = desk.get(BOARD).content.decode()
    rows = desk.get(ROWS).content.decode()

    assert 'form="board-action"' in rows
    assert "csrfmiddlewaretoken" not in rows
    assert 'id="board-action"' in page
    assert "csrfmiddlewaretoken" in page


def test_an_empty_open_day_says_so_and_names_the_next_booked_day(desk, site, make_slot, make_appointment):
    make_slot(NOW + timedelta(days=1))  # open tomorrow, nobody booked
    make_appointment(UserFactory(), make_slot(NOW + timedelta(days=3)))

    html = desk.get(BOARD, {"site": site.pk, "day": "2026-11-26"}).content.decode()

    assert "The clinic is open this day; nobody has booked yet." in html
    assert "Next day with bookings:" in html
    assert f'href="?site={site.pk}&amp;day=2026-11-28"' in html


def test_an_empty_closed_day_says_the_clinic_is_closed(desk, site):
    html = desk.get(BOARD, {"site": site.pk, "day": "2026-11-29"}).content.decode()

    assert "The clinic is closed this day" in html
    assert "No later day has bookings yet." in html


def test_staff_cannot_mark_another_clinics_appointment(desk, person, make_slot, make_appointment):
    elsewhere = Site.objects.create(name="Other Clinic", address="2 Side Street", time_zone="Europe/Madrid")
    theirs = make_appointment(person, make_slot(NOW - timedelta(minutes=15), slot_site=elsewhere))

    assert desk.post(reverse("clinic:no-show", args=[theirs.pk])).status_code == 404
    assert desk.post(reverse("clinic:undo-no-show", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Appointment.Status.BOOKED


@pytest.mark.parametrize("name", ["clinic:no-show", "clinic:undo-no-show"])
def test_the_no_show_actions_refuse_other_roles_anonymous_and_get(client, request, started, desk, name):
    url = reverse(name, args=[started.pk])
    assert desk.get(url).status_code == 405
    client.logout()
    anonymous = client.post(url)
    assert anonymous.status_code == 302
    assert "/accounts/login/" in anonymous.url
    for role in ["person", "fleet_manager", "driver", "client_user"]:
        client.force_login(request.getfixturevalue(role))
        assert client.post(url).status_code == 403
    started.refresh_from_db()
    assert started.status == Appointment.Status.BOOKED
