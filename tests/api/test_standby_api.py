"""The API of walk-ins, standby, offers and dependents: the same rules and
error codes as the pages."""

from datetime import date, datetime, time, timedelta

import pytest
from django.urls import reverse

from standby import services
from standby.models import Offer, StandbyEntry
from tests.api.conftest import bearer
from tests.factories import UserFactory
from vaccination.models import Appointment, Site, Slot, Vaccine

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(clinic_staff):
    site = Site.objects.create(name="Central", address="1 Main Street", time_zone="Europe/Madrid")
    site.staff.add(clinic_staff)
    return site


@pytest.fixture
def vaccine():
    return Vaccine.objects.create(name="Flu")


@pytest.fixture
def noon(site, time_machine):
    time_machine.move_to(datetime.combine(site.today(), time(12), tzinfo=site.tzinfo), tick=False)


def later_today(site, vaccine, hour=14, capacity=2):
    start = datetime.combine(site.today(), time(hour), tzinfo=site.tzinfo)
    return Slot.objects.create(
        site=site, vaccine=vaccine, start=start, end=start + timedelta(minutes=15), capacity=capacity
    )


def walk_in(**overrides):
    return {"first_name": "Wanda", "last_name": "Walker", "date_of_birth": "1980-05-17", **overrides}


def test_a_walk_in_through_the_api_is_checked_in(noon, site, vaccine, clinic_staff):
    later_today(site, vaccine)
    response = bearer(clinic_staff).post(reverse("api:walk-in-list"), walk_in(vaccine=vaccine.pk), format="json")
    assert response.status_code == 201
    assert response.json()["status"] == "checked_in"
    assert Appointment.objects.get().source == Appointment.Source.WALK_IN


def test_a_possible_duplicate_answers_409_with_the_matches(noon, site, vaccine, clinic_staff):
    later_today(site, vaccine)
    known = UserFactory(first_name="Wanda", last_name="Walker", date_of_birth=date(1980, 5, 17))
    api = bearer(clinic_staff)

    response = api.post(reverse("api:walk-in-list"), walk_in(vaccine=vaccine.pk), format="json")
    assert response.status_code == 409
    assert response.json()["error"]["matches"][0]["id"] == known.pk

    response = api.post(reverse("api:walk-in-list"), walk_in(vaccine=vaccine.pk, person=known.pk), format="json")
    assert response.status_code == 201


def test_a_walk_in_born_in_the_future_is_400(noon, site, vaccine, clinic_staff):
    later_today(site, vaccine)
    future = (site.today() + timedelta(days=1)).isoformat()
    response = bearer(clinic_staff).post(
        reverse("api:walk-in-list"), walk_in(vaccine=vaccine.pk, date_of_birth=future), format="json"
    )
    assert (response.status_code, response.json()["error"]["code"]) == (400, "future_birth")


def test_standby_join_leave_and_a_past_day(noon, site, person):
    api = bearer(person)
    yesterday = (site.today() - timedelta(days=1)).isoformat()
    refused = api.post(
        reverse("api:standby-list"), {"site": site.pk, "day": yesterday, "arrive_within": 15}, format="json"
    )
    assert refused.json()["error"]["code"] == "past_day"

    joined = api.post(
        reverse("api:standby-list"), {"site": site.pk, "any_day": True, "arrive_within": 30}, format="json"
    )
    assert joined.status_code == 201
    entry = joined.json()["id"]
    assert api.post(reverse("api:standby-leave", args=[entry])).status_code == 200
    assert not StandbyEntry.objects.active().exists()


def test_spare_doses_through_the_api_and_an_offer_accepted_then_used_again(noon, site, vaccine, clinic_staff, person):
    services.join(person=person, site=site, day=site.today(), arrive_within=15)
    declared = bearer(clinic_staff).post(
        reverse("api:spare-doses-list"), {"vaccine": vaccine.pk, "doses": 1, "until_time": "15:00"}, format="json"
    )
    assert declared.status_code == 201
    assert declared.json()["offered"] == 1

    api = bearer(person)
    offer = api.get(reverse("api:offer-list")).json()["results"][0]
    accepted = api.post(reverse("api:offer-accept", args=[offer["id"]]))
    again = api.post(reverse("api:offer-accept", args=[offer["id"]]))

    assert accepted.status_code == 200
    assert accepted.json()["status"] == "booked"
    assert (again.status_code, again.json()["error"]["code"]) == (409, "used")
    assert Offer.objects.get().status == Offer.Status.ACCEPTED


def test_a_carer_books_for_a_dependent_and_nobody_else_can(site, vaccine, person, other_person):
    start = datetime.combine(site.today() + timedelta(days=2), time(10), tzinfo=site.tzinfo)
    slot = Slot.objects.create(site=site, vaccine=vaccine, start=start, end=start + timedelta(minutes=15), capacity=2)
    api = bearer(person)
    child = api.post(
        reverse("api:dependent-list"),
        {"first_name": "Kim", "last_name": "P", "date_of_birth": "2015-01-01"},
        format="json",
    ).json()["id"]

    booked = api.post(reverse("api:appointment-list"), {"slot": slot.pk, "person": child}, format="json")
    refused = bearer(other_person).post(
        reverse("api:appointment-list"), {"slot": slot.pk, "person": child}, format="json"
    )

    assert booked.status_code == 201
    assert refused.status_code == 404
    assert Appointment.objects.get().person_id == child
    future = (date.today() + timedelta(days=3)).isoformat()
    bad = api.post(
        reverse("api:dependent-list"), {"first_name": "A", "last_name": "B", "date_of_birth": future}, format="json"
    )
    assert bad.json()["error"]["code"] == "future_birth"
