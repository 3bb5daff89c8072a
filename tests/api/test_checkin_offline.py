"""The offline desk's two endpoints (issue 18): the day's roster a desk keeps
on its device, and the sync of the scans it made offline."""

import uuid
import zoneinfo
from datetime import datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.roles import Role
from tests.factories import UserFactory
from vaccination.models import Appointment, CheckInLog, Site, Slot, Vaccine
from vaccination.offline import MAX_SCANS

pytestmark = pytest.mark.django_db

MADRID = zoneinfo.ZoneInfo("Europe/Madrid")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=MADRID)
ROSTER = reverse("api:checkin-roster")
SYNC = reverse("api:checkin-sync")


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def site(clinic_staff):
    site = Site.objects.create(name="Lakeside", address="Car park", time_zone="Europe/Madrid")
    site.staff.add(clinic_staff)
    return site


@pytest.fixture
def vaccine():
    return Vaccine.objects.create(name="Comirnaty", doses_required=2)


def book(site, vaccine, start, **fields):
    slot = Slot.objects.filter(site=site, start=start).first() or Slot.objects.create(
        site=site, vaccine=vaccine, start=start, end=start + timedelta(minutes=15), capacity=10
    )
    person = UserFactory(first_name="Rosa", last_name="Ramos")
    person.date_of_birth = datetime(1948, 5, 2).date()
    person.save()
    return Appointment.objects.create(person=person, slot=slot, **fields)


@pytest.fixture
def today(site, vaccine):
    return book(site, vaccine, NOW.replace(hour=11))


@pytest.fixture
def desk(clinic_staff):
    client = APIClient()
    client.force_login(clinic_staff)
    return client


def scan(code, *, minutes_ago=5, attempt=None):
    return {
        "code": code,
        "attempt": attempt or uuid.uuid4().hex,
        "scanned_at": (NOW - timedelta(minutes=minutes_ago)).isoformat(),
    }


def sync(client, site, scans):
    return client.post(f"{SYNC}?site={site.pk}", scans, format="json")


# The roster


def test_the_roster_lists_todays_appointments_with_only_what_the_nurse_needs(desk, site, vaccine, today):
    tomorrow = book(site, vaccine, NOW.replace(hour=9) + timedelta(days=1))

    response = desk.get(f"{ROSTER}?site={site.pk}")

    assert response.status_code == 200
    body = response.json()
    assert body["day"] == "2026-11-25"
    assert body["site"] == {"id": site.pk, "name": "Lakeside", "time_zone": "Europe/Madrid"}
    (row,) = body["appointments"]
    assert set(row) == {
        "code",
        "name",
        "date_of_birth",
        "start",
        "vaccine",
        "dose_number",
        "flags",
        "status",
        "dose_given",
        "checked_in_at",
        "checked_in_by",
    }
    assert (row["code"], row["name"], row["date_of_birth"], row["status"]) == (
        today.code,
        "Rosa Ramos",
        "1948-05-02",
        "booked",
    )
    # Another day's code, without the person's name, so offline can say "not today".
    (other,) = body["other_days"]
    assert other["code"] == tomorrow.code
    assert datetime.fromisoformat(other["start"]) == tomorrow.slot.start


def test_the_roster_costs_the_same_queries_for_one_or_many_appointments(
    desk, site, vaccine, today, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        desk.get(f"{ROSTER}?site={site.pk}")
    for minutes in range(20):
        book(site, vaccine, NOW.replace(hour=12) + timedelta(minutes=minutes))
    with django_assert_max_num_queries(12):
        response = desk.get(f"{ROSTER}?site={site.pk}")
    assert len(response.json()["appointments"]) == 21


def test_the_roster_of_a_clinic_the_nurse_does_not_work_at_is_refused(desk, vaccine):
    other = Site.objects.create(name="Elsewhere", address="2 Road")
    response = desk.get(f"{ROSTER}?site={other.pk}")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["site"]


def test_the_roster_is_refused_to_a_person_who_is_not_staff(person, site):
    client = APIClient()
    client.force_login(person)
    assert client.get(f"{ROSTER}?site={site.pk}").status_code == 403


def test_the_roster_is_refused_without_a_session():
    assert APIClient().get(ROSTER).status_code in (401, 403)


def test_the_roster_refuses_post(desk, site):
    assert desk.post(f"{ROSTER}?site={site.pk}").status_code == 405


# The sync


def test_sync_checks_in_at_the_time_it_was_scanned_and_answers_each_scan(desk, site, today, clinic_staff):
    scans = [scan(today.code.lower(), minutes_ago=7), scan("ZZZZZZZZ"), scan(today.code)]

    response = sync(desk, site, scans)

    assert response.status_code == 200
    answers = response.json()
    assert [a["attempt"] for a in answers] == [s["attempt"] for s in scans]
    assert [a["result"] for a in answers] == ["checked_in", "unknown", "already_checked_in"]
    assert answers[2]["headline"] == "Already checked in"
    assert answers[2]["message"].startswith("At 09:53 by ")
    today.refresh_from_db()
    assert today.status == Appointment.Status.CHECKED_IN
    assert today.checked_in_at == NOW - timedelta(minutes=7)
    assert today.checked_in_by == clinic_staff
    assert CheckInLog.objects.filter(user=clinic_staff).count() == 3


def test_a_replayed_batch_gets_its_first_answers_and_checks_no_one_in_twice(desk, site, today):
    scans = [scan(today.code), scan("ZZZZZZZZ")]
    first = sync(desk, site, scans).json()

    again = sync(desk, site, scans).json()

    assert [a["result"] for a in again] == [a["result"] for a in first] == ["checked_in", "unknown"]
    assert all(a["repeated"] for a in again)
    assert CheckInLog.objects.count() == 2


def test_two_desks_syncing_one_code_scanned_offline_give_one_success_and_one_conflict(desk, site, today):
    other_nurse = UserFactory(first_name="Olga", last_name="Other", roles=[Role.CLINIC_STAFF])
    site.staff.add(other_nurse)
    other_desk = APIClient()
    other_desk.force_login(other_nurse)

    first = sync(other_desk, site, [scan(today.code, minutes_ago=18)]).json()
    second = sync(desk, site, [scan(today.code, minutes_ago=20)]).json()

    assert first[0]["result"] == "checked_in"
    assert second[0]["result"] == "already_checked_in"
    assert second[0]["message"] == "At 09:42 by Olga Other."
    assert Appointment.objects.filter(status=Appointment.Status.CHECKED_IN).count() == 1


def test_a_scan_of_a_booking_cancelled_since_is_answered_cancelled(desk, site, today):
    Appointment.objects.filter(pk=today.pk).update(status=Appointment.Status.CANCELLED)
    (answer,) = sync(desk, site, [scan(today.code)]).json()
    assert answer["result"] == "cancelled"
    assert answer["headline"] == "Cancelled appointment"


def test_a_scan_made_just_before_midnight_counts_for_its_own_day(desk, site, vaccine, frozen):
    late = book(site, vaccine, NOW.replace(hour=23, minute=45))
    frozen.move_to(NOW.replace(hour=23, minute=50))
    scanned = scan(late.code, minutes_ago=0)
    scanned["scanned_at"] = NOW.replace(hour=23, minute=50).isoformat()
    frozen.move_to(NOW.replace(hour=23, minute=50) + timedelta(minutes=30))  # synced after midnight

    (answer,) = sync(desk, site, [scanned]).json()

    assert answer["result"] == "checked_in"


@pytest.mark.parametrize(
    ("bad", "code"),
    [
        ({"scanned_at": (NOW + timedelta(hours=1)).isoformat()}, "future"),
        ({"scanned_at": (NOW - timedelta(days=3)).isoformat()}, "too_old"),
        ({"attempt": "not-a-desk-attempt"}, "bad_attempt"),
    ],
)
def test_a_batch_with_one_bad_scan_is_refused_whole_and_nothing_is_applied(desk, site, today, bad, code):
    response = sync(desk, site, [scan(today.code), {**scan("ZZZZZZZZ"), **bad}])

    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
    assert "Scan 2" in response.json()["error"]["message"]
    today.refresh_from_db()
    assert today.status == Appointment.Status.BOOKED
    assert not CheckInLog.objects.exists()


def test_a_batch_repeating_an_attempt_is_refused_whole(desk, site, today):
    twice = scan(today.code)
    response = sync(desk, site, [twice, dict(twice)])
    assert response.json()["error"]["code"] == "duplicate_attempt"
    assert not CheckInLog.objects.exists()


def test_a_batch_of_ten_thousand_scans_is_refused_with_the_limit_and_nothing_applied(
    desk, site, today, django_assert_max_num_queries
):
    scans = [scan(today.code)] * 10_000
    with django_assert_max_num_queries(8):
        response = sync(desk, site, scans)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "too_many"
    assert str(MAX_SCANS) in error["message"]
    assert not CheckInLog.objects.exists()


def test_a_batch_that_is_not_a_list_or_has_malformed_items_is_refused(desk, site):
    assert sync(desk, site, {"code": "X"}).status_code == 400
    response = sync(desk, site, [{"code": "X", "attempt": uuid.uuid4().hex, "scanned_at": "yesterday"}])
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_a_batch_for_a_clinic_the_nurse_does_not_work_at_is_refused(desk, today):
    other = Site.objects.create(name="Elsewhere", address="2 Road")
    response = sync(desk, other, [scan(today.code)])
    assert response.status_code == 400
    assert not CheckInLog.objects.exists()


def test_a_batch_from_someone_who_is_not_staff_is_refused(person, site, today):
    client = APIClient()
    client.force_login(person)
    assert sync(client, site, [scan(today.code)]).status_code == 403
    assert not CheckInLog.objects.exists()


def test_a_batch_sent_with_the_session_but_without_the_csrf_token_is_refused(clinic_staff, site, today):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(clinic_staff)
    assert sync(client, site, [scan(today.code)]).status_code == 403
    assert not CheckInLog.objects.exists()


def test_sync_refuses_get(desk, site):
    assert desk.get(f"{SYNC}?site={site.pk}").status_code == 405
