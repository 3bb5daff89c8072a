"""The booking page's first steps (vaccination.finder): choose the vaccine,
then the clinic nearest to a town, a postcode or the browser's location,
with its opening days, access and next free time."""

import io
from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from fleet.models import Assignment
from places.models import Place
from tests.factories import UserFactory
from tests.fleet.factories import DriverFactory, TruckFactory
from tests.pages import queries_of
from vaccination import services
from vaccination.models import Site, Slot, Vaccine

pytestmark = pytest.mark.django_db
URL = reverse("vaccination:book")
MADRID = "Europe/Madrid"


@pytest.fixture
def towns(db):
    # Made-up towns: Hillcrest is in the north, Millbrook in the south, two Villanuevas.
    for code, name, region, lat, lon in [
        ("28930", "Hillcrest", "Valle Norte", 40.5210, -3.6480),
        ("28940", "Millbrook", "Valle Sur", 40.3190, -3.8620),
        ("28960", "Villanueva", "Valle Norte", 40.5010, -3.6650),
        ("28970", "Villanueva", "Valle Sur", 40.3310, -3.7980),
    ]:
        Place.objects.create(country="ES", postcode=code, name=name, region=region, latitude=lat, longitude=lon)


def clinic(name, lat=None, lon=None, **fields):
    return Site.objects.create(
        name=name, address=f"1 {name} Road", time_zone=MADRID, latitude=lat, longitude=lon, **fields
    )


@pytest.fixture
def covid(db):
    return Vaccine.objects.create(
        name="COVID-19",
        doses_required=2,
        min_days_between_doses=21,
        who_for="People aged 65 and over.",
        who_for_es="Personas de 65 años o más.",
        speak_to_clinician_if="you had a severe allergic reaction to a vaccine.",
        speak_to_clinician_if_es="ha tenido una reacción alérgica grave a una vacuna.",
    )


@pytest.fixture
def flu(db):
    return Vaccine.objects.create(name="Flu", who_for="People aged 60 and over.")


def open_days(site, vaccine, days, opens=time(9), closes=time(17), minutes=60, capacity=2):
    for day in days:
        Slot.objects.generate(
            site=site,
            vaccine=vaccine,
            first_day=day,
            last_day=day,
            opens=opens,
            closes=closes,
            minutes=minutes,
            capacity=capacity,
        )


def tomorrow():
    return timezone.localdate() + timedelta(days=1)


@pytest.fixture
def clinics(covid, flu):
    """North (near Hillcrest), South (near Millbrook), and one without coordinates."""
    north = clinic("North Hall", 40.4830, -3.6900, step_free_access=True, parking=False)
    south = clinic("South Centre", 40.3500, -3.8200, access_notes="Lift at the back.", access_notes_es="Ascensor.")
    nowhere = clinic("Annex Without Map")
    for site in (north, south, nowhere):
        open_days(site, covid, [tomorrow()])
    open_days(north, flu, [tomorrow()])
    return north, south, nowhere


def names(response):
    return [site.name for site in response.context["sites"]]


def test_clinics_are_listed_nearest_first_from_a_town_with_the_distance(client, towns, clinics):
    response = client.get(URL, {"q": "millbrook"})

    assert names(response) == ["South Centre", "North Hall", "Annex Without Map"]
    page = response.content.decode()
    assert "Clinics nearest to Millbrook" in page
    assert "5.0 km" in page  # Millbrook to South Centre, in a straight line


def test_a_postcode_finds_its_town(client, towns, clinics):
    response = client.get(URL, {"q": "28930"})

    assert names(response)[0] == "North Hall"
    assert "Clinics nearest to 28930 Hillcrest" in response.content.decode()


def test_without_a_search_clinics_are_listed_by_name_without_distances(client, towns, clinics):
    response = client.get(URL)

    assert names(response) == ["Annex Without Map", "North Hall", "South Centre"]
    assert " km<" not in response.content.decode()


def test_an_unknown_place_says_so_suggests_names_and_still_lists_every_clinic(client, towns, clinics):
    page = client.get(URL, {"q": "Hilcrest"}).content.decode()

    assert "We could not find a town or postcode called “Hilcrest”." in page
    assert 'href="/appointments/book/?q=Hillcrest">Hillcrest</a>' in page
    assert "Every clinic is listed below." in page
    assert page.count('class="clinic-card') == 3


def test_an_ambiguous_name_lists_the_places_to_choose_from(client, towns, clinics):
    page = client.get(URL, {"q": "Villanueva"}).content.decode()

    assert "More than one place is called “Villanueva”." in page
    assert 'href="/appointments/book/?q=Villanueva%2C+Valle+Norte">Villanueva, Valle Norte</a>' in page
    assert client.get(URL, {"q": "Villanueva, Valle Sur"}).context["sites"][0].name == "South Centre"


def test_the_browsers_location_orders_the_clinics_and_is_rounded(client, clinics):
    response = client.get(URL, {"lat": "40.35123456", "lon": "-3.82098765"})

    assert names(response) == ["South Centre", "North Hall", "Annex Without Map"]
    origin = response.context["search"].origin
    assert (origin.latitude, origin.longitude) == (40.35, -3.82)
    assert "Clinics nearest to your location" in response.content.decode()


def test_a_typed_town_wins_over_an_earlier_location(client, towns, clinics):
    response = client.get(URL, {"q": "Hillcrest", "lat": "40.35", "lon": "-3.82"})

    assert names(response)[0] == "North Hall"


@pytest.mark.parametrize(
    "params",
    [
        {"lat": "999", "lon": "-3.8"},
        {"lat": "40.3", "lon": "-181"},
        {"lat": "nan", "lon": "inf"},
        {"lat": "40.3"},
        {"lat": "north", "lon": "west"},
    ],
)
def test_a_location_that_cannot_be_used_says_so_and_lists_clinics_by_name(client, clinics, params):
    response = client.get(URL, params)

    assert response.status_code == 200
    assert "We could not use that location." in response.content.decode()
    assert names(response) == ["Annex Without Map", "North Hall", "South Centre"]


@pytest.mark.parametrize("garbage", ["x" * 101, "Hill\x00crest", "%' OR 1=1 --", "<script>alert(1)</script>"])
def test_garbage_in_the_search_box_gets_a_page_not_an_error(client, towns, clinics, garbage):
    response = client.get(URL, {"q": garbage})

    assert response.status_code == 200
    assert len(response.context["sites"]) == 3
    assert "<script>alert(1)" not in response.content.decode()


def test_the_vaccine_comes_first_with_who_it_is_for_and_when_to_speak_to_a_clinician(client, clinics):
    page = client.get(URL).content.decode()

    assert page.index("1. Choose a vaccine") < page.index("2. Choose a clinic")
    assert "People aged 65 and over." in page
    assert "you had a severe allergic reaction to a vaccine." in page


def test_choosing_a_vaccine_lists_only_its_clinics_and_its_times(client, covid, flu, clinics):
    north, _south, _nowhere = clinics

    response = client.get(URL, {"vaccine": flu.pk})

    assert names(response) == ["North Hall"]
    response = client.get(URL, {"vaccine": flu.pk, "site": north.pk, "day": tomorrow().isoformat()})
    assert {slot.vaccine for slot in response.context["slots"]} == {flu}
    assert response.context["slots"]


def test_links_keep_the_vaccine_and_the_search(client, covid, towns, clinics):
    north, _south, _nowhere = clinics

    response = client.get(URL, {"vaccine": covid.pk, "q": "Hillcrest"})

    assert f'href="/appointments/book/?vaccine={covid.pk}&amp;q=Hillcrest&amp;site={north.pk}"' in (
        response.content.decode()
    )
    response = client.get(URL, {"vaccine": covid.pk, "q": "Hillcrest", "site": north.pk})
    # The days are the clinic's own (its time zone): near midnight they are not the server's.
    second = response.context["days"][1]
    assert second["link"] == f"?vaccine={covid.pk}&q=Hillcrest&site={north.pk}&day={second['date'].isoformat()}"


def test_a_clinic_shows_its_access_and_its_next_free_time(client, clinics):
    north, _south, _nowhere = clinics
    first = Slot.objects.filter(site=north).order_by("start").first()
    for slot in Slot.objects.filter(site=north, start=first.start):  # the first hour is full, for both vaccines
        services.book(person=UserFactory(), slot=slot)
        services.book(person=UserFactory(), slot=slot)

    page = client.get(URL).content.decode()

    card = page[page.index("North Hall") : page.index("South Centre")]
    assert "Step-free access" in card
    assert "No parking" in card
    assert f"{tomorrow():%a} {tomorrow().day} {tomorrow():%b} 10:00" in card
    assert "Lift at the back." in page


def test_a_clinic_without_access_information_shows_none(client, clinics):
    page = client.get(URL).content.decode()

    card = page[page.index("Annex Without Map") : page.index("North Hall")]
    assert "Access" not in card


@time_machine.travel(datetime(2026, 11, 30, 7, 0, tzinfo=timezone.get_fixed_timezone(0)), tick=False)
def test_opening_days_and_hours_are_read_from_the_coming_weeks_slots(client, covid):
    monday = date(2026, 11, 30)
    weekly = clinic("Weekly Clinic")
    open_days(weekly, covid, [monday, monday + timedelta(days=2), monday + timedelta(days=4)])
    open_days(weekly, covid, [monday + timedelta(days=5)], opens=time(10), closes=time(13))
    workdays = clinic("Workday Clinic")
    open_days(workdays, covid, [monday + timedelta(days=n) for n in range(5)])

    page = client.get(URL).content.decode()

    assert "Mon, Wed, Fri · 09:00\N{EN DASH}17:00" in page
    assert "Sat · 10:00\N{EN DASH}13:00" in page
    assert "Mon\N{EN DASH}Fri · 09:00\N{EN DASH}17:00" in page


def test_a_mobile_clinic_shows_where_its_van_stands_on_which_days_and_nothing_of_its_driver(client, covid):
    truck = TruckFactory()
    driver = DriverFactory(first_name="Dolores", last_name="Drivewell")
    Assignment.objects.create(driver=driver, truck=truck)
    van = clinic("Market Square Van", 40.4, -3.7, is_mobile=True, truck=truck)
    day = tomorrow()
    open_days(van, covid, [day, day + timedelta(days=1), day + timedelta(days=2), day + timedelta(days=5)])

    page = client.get(URL).content.decode()

    assert "The van is here on" in page
    assert "1 Market Square Van Road" in page
    span = f"{day:%a} {day.day} {day:%b} \N{EN DASH} "
    assert span in page
    assert "Drivewell" not in page
    assert truck.code not in page
    assert truck.plate not in page


def test_moving_an_appointment_keeps_its_vaccine(client, person, covid, flu, clinics):
    north, _south, _nowhere = clinics
    appointment = services.book(person=person, slot=Slot.objects.filter(site=north, vaccine=flu).first())
    client.force_login(person)

    response = client.get(reverse("vaccination:appointment-reschedule", args=[appointment.pk]), {"vaccine": covid.pk})

    page = response.content.decode()
    assert "Choose a vaccine" not in page
    assert "1. Choose a clinic" in page
    assert names(response) == ["North Hall"]


def test_booking_for_someone_cared_for_searches_the_same_way(client, person, towns, clinics):
    dependent = UserFactory(carer=person)
    client.force_login(person)

    response = client.get(reverse("vaccination:book-for", args=[dependent.pk]), {"q": "Millbrook"})

    assert names(response)[0] == "South Centre"


def test_spanish_readers_get_the_vaccine_and_access_texts_in_spanish_or_english_when_missing(client, covid, clinics):
    client.cookies["django_language"] = "es"

    page = client.get(URL).content.decode()

    assert "Personas de 65 años o más." in page
    assert "ha tenido una reacción alérgica grave a una vacuna." in page
    assert "Ascensor." in page
    assert "People aged 60 and over." in page  # the flu vaccine has no Spanish text yet


@pytest.mark.parametrize("count", [1, 12])
def test_a_search_makes_the_same_number_of_queries_with_one_clinic_or_many(
    client, person, covid, towns, count, django_assert_max_num_queries
):
    for n in range(count):
        site = clinic(f"Clinic {n:02d}", 40.4 + n / 100, -3.7, is_mobile=n % 2 == 1)
        open_days(site, covid, [tomorrow(), tomorrow() + timedelta(days=1)])
    first = Site.objects.order_by("name").first()
    client.force_login(person)

    # session, user, vaccines, places (search), clinics, their opening days and free seats,
    # the person's doses, the clinic's days, slots
    with django_assert_max_num_queries(9):
        response = client.get(URL, {"vaccine": covid.pk, "q": "Hillcrest", "site": first.pk})

    assert len(response.context["sites"]) == count
    with django_assert_max_num_queries(10):  # a name with suggestions reads the names once more
        client.get(URL, {"vaccine": covid.pk, "q": "Hilcrest"})


def test_nearby_locations_share_one_cached_page_and_another_town_does_not(client, clinics):
    first, _page = queries_of(client, URL, {"lat": "40.3512", "lon": "-3.8209"})

    again, _page = queries_of(client, URL, {"lat": "40.3498", "lon": "-3.8151"})  # rounds to the same

    assert again < first
    elsewhere, page = queries_of(client, URL, {"lat": "40.48", "lon": "-3.69"})
    assert elsewhere == first
    assert page.index("North Hall") < page.index("South Centre")


def test_reloading_the_place_table_shows_in_searches_at_once(client, clinics, tmp_path):
    assert "We could not find" in client.get(URL, {"q": "Newtown"}).content.decode()
    path = tmp_path / "ES.txt"
    path.write_text("ES\t28111\tNewtown\tValle Sur\t\t\t\t\t\t40.35\t-3.82\t4\n", encoding="utf-8")
    call_command("load_places", str(path), stdout=io.StringIO())

    assert "Clinics nearest to Newtown" in client.get(URL, {"q": "Newtown"}).content.decode()
