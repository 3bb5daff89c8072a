"""The clinic set-up pages (campaign.views_clinics): a campaign lead creates a
clinic, sets its hours, links its staff and generates its slots."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from audit.models import Action, AuditEvent
from tests.fleet.factories import TruckFactory
from vaccination.models import Site, Slot, Vaccine
from vaccination.timetable import set_opening_hours, weekly_hours

pytestmark = pytest.mark.django_db
MADRID = ZoneInfo("Europe/Madrid")


@pytest.fixture(autouse=True)
def before_the_dates():
    with time_machine.travel(datetime(2026, 12, 1, 12, tzinfo=MADRID), tick=False):
        yield


@pytest.fixture
def lead_client(client, campaign_lead):
    client.force_login(campaign_lead)
    return client


@pytest.fixture
def site(db):
    return Site.objects.create(name="Harbour Clinic", address="1 Quay", time_zone="Europe/Madrid")


@pytest.fixture
def vaccine(db):
    return Vaccine.objects.create(name="Flu")


def hours_post(*rows):
    data = {"hours-TOTAL_FORMS": str(len(rows)), "hours-INITIAL_FORMS": "0"}
    for n, (weekday, opens, closes) in enumerate(rows):
        data |= {f"hours-{n}-weekday": weekday, f"hours-{n}-opens": opens, f"hours-{n}-closes": closes}
    return data


def slots_post(vaccine, **overrides):
    return {
        "vaccine": vaccine.pk,
        "first_day": "2026-12-07",
        "last_day": "2026-12-13",
        "minutes": "30",
        "capacity": "4",
        **overrides,
    }


def test_a_campaign_lead_creates_a_clinic_and_is_taken_to_its_hours(lead_client, campaign_lead):
    response = lead_client.post(
        reverse("campaign:clinic-create"),
        {"name": "Dock Clinic", "address": "Pier 4", "time_zone": "Europe/Madrid", "is_active": "on"},
    )

    site = Site.objects.get(name="Dock Clinic")
    assert response.status_code == 302
    assert response["Location"] == reverse("campaign:clinic-hours", args=[site.pk])
    assert site.time_zone == "Europe/Madrid"
    assert site.is_active
    assert not site.is_mobile
    event = AuditEvent.objects.get(action=Action.CLINIC_CREATE)
    assert (event.actor, event.target_id) == (campaign_lead, str(site.pk))


def test_a_mobile_clinic_is_created_with_its_truck(lead_client):
    truck = TruckFactory()

    lead_client.post(
        reverse("campaign:clinic-create"),
        {"name": "Van Clinic", "address": "Square", "time_zone": "UTC", "is_mobile": "on", "truck": truck.pk},
    )

    assert Site.objects.get(name="Van Clinic").truck == truck


def test_a_fixed_clinic_cannot_have_a_truck(lead_client):
    truck = TruckFactory()

    response = lead_client.post(
        reverse("campaign:clinic-create"), {"name": "Fixed", "address": "Street", "time_zone": "UTC", "truck": truck.pk}
    )

    assert response.status_code == 200
    assert "Only a mobile clinic is served by a truck." in response.content.decode()
    assert not Site.objects.filter(name="Fixed").exists()


def test_editing_a_clinic_is_audited_with_the_changed_fields(lead_client, site):
    lead_client.post(
        reverse("campaign:clinic-edit", args=[site.pk]),
        {"name": "Harbour Clinic", "address": "2 Quay", "time_zone": "Europe/Madrid"},
    )

    site.refresh_from_db()
    assert site.address == "2 Quay"
    assert not site.is_active
    assert AuditEvent.objects.get(action=Action.CLINIC_UPDATE).data == {"fields": ["address", "is_active"]}


def test_the_lead_sets_a_week_with_two_periods_on_monday(lead_client, site):
    response = lead_client.post(
        reverse("campaign:clinic-hours", args=[site.pk]),
        hours_post(("0", "09:00", "13:00"), ("0", "15:00", "19:00"), ("4", "10:00", "12:00"), ("", "", "")),
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("campaign:clinic-staff", args=[site.pk])
    assert weekly_hours(site) == {0: [(time(9), time(13)), (time(15), time(19))], 4: [(time(10), time(12))]}


@pytest.mark.parametrize(
    ("rows", "words"),
    [
        ((("0", "13:00", "09:00"),), "On Monday a period closes before it opens."),
        ((("1", "09:00", "13:00"), ("1", "12:00", "14:00")), "On Tuesday two periods overlap."),
        ((("2", "09:00", ""),), "Give the day, the opening time and the closing time."),
        ((("2", "nine", "13:00"),), "Enter a valid time."),
    ],
)
def test_hours_that_break_the_rules_are_refused_with_a_reason(lead_client, site, rows, words):
    set_opening_hours(site=site, hours={3: [(time(8), time(9))]})

    response = lead_client.post(reverse("campaign:clinic-hours", args=[site.pk]), hours_post(*rows))

    assert response.status_code == 200
    assert words in response.content.decode()
    assert weekly_hours(site) == {3: [(time(8), time(9))]}


def test_the_lead_links_clinic_staff_and_only_staff_are_offered(lead_client, site, clinic_staff, person):
    page = lead_client.get(reverse("campaign:clinic-staff", args=[site.pk])).content.decode()
    response = lead_client.post(reverse("campaign:clinic-staff", args=[site.pk]), {"staff": [clinic_staff.pk]})

    assert clinic_staff.email in page
    assert person.email not in page
    assert response["Location"] == reverse("campaign:clinic-slots", args=[site.pk])
    assert list(site.staff.all()) == [clinic_staff]
    assert AuditEvent.objects.filter(action=Action.CLINIC_STAFF_CHANGED, target_id=str(site.pk)).exists()


def test_someone_without_the_staff_role_cannot_be_linked(lead_client, site, person):
    response = lead_client.post(reverse("campaign:clinic-staff", args=[site.pk]), {"staff": [person.pk]})

    assert response.status_code == 200
    assert not site.staff.exists()


def test_the_preview_says_how_many_slots_and_creates_none(lead_client, site, vaccine):
    set_opening_hours(site=site, hours={day: [(time(9), time(11))] for day in range(5)})

    response = lead_client.post(reverse("campaign:clinic-slots", args=[site.pk]), slots_post(vaccine))

    assert response.status_code == 200
    assert "20 slots will be created." in response.content.decode()
    assert not Slot.objects.exists()


def test_confirming_creates_the_slots_once(lead_client, site, vaccine, campaign_lead):
    set_opening_hours(site=site, hours={day: [(time(9), time(11))] for day in range(5)})
    url = reverse("campaign:clinic-slots", args=[site.pk])

    first = lead_client.post(url, {**slots_post(vaccine), "confirm": "1"})
    again = lead_client.post(url, slots_post(vaccine))

    assert first["Location"] == reverse("campaign:clinic-detail", args=[site.pk])
    assert Slot.objects.filter(site=site, vaccine=vaccine, capacity=4).count() == 20
    assert "Nothing to create" in again.content.decode()
    assert AuditEvent.objects.get(action=Action.SLOTS_GENERATED).actor == campaign_lead


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        ({"first_day": "31/31/2026"}, "Enter a valid date."),
        ({"last_day": "yesterday"}, "Enter a valid date."),
        ({"last_day": "2026-12-01"}, "The last day must not be before the first."),
        ({"last_day": "2028-12-31"}, "Generate at most 366 days at a time."),
        ({"capacity": "0"}, "A slot has between 1 and 32767 places."),
        ({"minutes": "0"}, "A slot lasts between 1 and 1440 minutes."),
        ({"capacity": "many"}, "Enter a whole number."),
    ],
)
def test_bad_slot_input_is_refused_with_a_reason_and_creates_nothing(lead_client, site, vaccine, overrides, words):
    set_opening_hours(site=site, hours={0: [(time(9), time(11))]})

    response = lead_client.post(
        reverse("campaign:clinic-slots", args=[site.pk]), {**slots_post(vaccine, **overrides), "confirm": "1"}
    )

    assert response.status_code == 200
    assert words in response.content.decode()
    assert not Slot.objects.exists()


def test_a_clinic_without_hours_is_told_to_set_them_first(lead_client, site, vaccine):
    response = lead_client.post(reverse("campaign:clinic-slots", args=[site.pk]), slots_post(vaccine))

    assert "This clinic has no opening hours yet. Set them first." in response.content.decode()


def test_the_list_and_the_clinic_page_show_the_week_and_the_coming_slots(lead_client, site, vaccine):
    set_opening_hours(site=site, hours={0: [(time(9), time(11))]})
    lead_client.post(reverse("campaign:clinic-slots", args=[site.pk]), {**slots_post(vaccine), "confirm": "1"})

    listing = lead_client.get(reverse("campaign:clinic-list")).content.decode()
    detail = lead_client.get(reverse("campaign:clinic-detail", args=[site.pk])).content.decode()

    assert "Harbour Clinic" in listing
    assert "09:00\u201311:00" in detail  # an en dash between the times
    assert "4 slots, the first on Mon 7 Dec 09:00" in detail


def test_the_clinic_list_asks_the_same_queries_for_one_clinic_or_many(lead_client, site, django_assert_max_num_queries):
    set_opening_hours(site=site, hours={0: [(time(9), time(11))]})
    with django_assert_max_num_queries(12) as one:
        lead_client.get(reverse("campaign:clinic-list"))
    for n in range(10):
        other = Site.objects.create(name=f"Clinic {n}", address="x")
        set_opening_hours(site=other, hours={1: [(time(9), time(11))]})

    with django_assert_max_num_queries(len(one.captured_queries)):
        lead_client.get(reverse("campaign:clinic-list"))


def test_the_pages_speak_spanish(lead_client, campaign_lead, site):
    campaign_lead.language = "es"  # a signed-in user's pages follow their account's language
    campaign_lead.save(update_fields=["language"])

    response = lead_client.get(reverse("campaign:clinic-hours", args=[site.pk]))

    assert 'lang="es"' in response.content.decode()
    assert "Horario" in response.content.decode()


@pytest.mark.parametrize("name", ["clinic-detail", "clinic-edit", "clinic-hours", "clinic-staff", "clinic-slots"])
def test_an_unknown_clinic_is_not_found(lead_client, name):
    assert lead_client.get(reverse(f"campaign:{name}", args=[999999])).status_code == 404


@pytest.mark.parametrize("name", ["clinic-list", "clinic-detail"])
def test_the_read_pages_only_answer_get(lead_client, site, name):
    args = [site.pk] if name == "clinic-detail" else []
    assert lead_client.post(reverse(f"campaign:{name}", args=args)).status_code == 405


def test_the_forms_refuse_other_methods(lead_client, site):
    assert lead_client.delete(reverse("campaign:clinic-hours", args=[site.pk])).status_code == 405


def test_clinic_staff_and_anonymous_users_cannot_set_up_clinics(client, clinic_staff, site, vaccine):
    url = reverse("campaign:clinic-slots", args=[site.pk])
    assert client.post(url, {**slots_post(vaccine), "confirm": "1"}).status_code == 302
    client.force_login(clinic_staff)
    assert client.post(url, {**slots_post(vaccine), "confirm": "1"}).status_code == 403
    assert not Slot.objects.exists()


def test_the_demo_clinics_have_opening_hours_matching_their_slots():
    from vaccination.demo import SITES, seed_vaccination

    seed_vaccination({})

    for name, _address, _mobile, opens, closes, *_rest in SITES:
        assert weekly_hours(Site.objects.get(name=name)) == {day: [(opens, closes)] for day in range(7)}
    assert date.today()  # the demo ran under the frozen clock
