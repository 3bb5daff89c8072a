import datetime

import pytest
import time_machine
from django.urls import reverse

from fleet.models import Driver
from fleet.views.common import PAGE_SIZE, BoundedPaginator
from tests.fleet.factories import AssignmentFactory, ClientFactory, DriverFactory, TruckFactory

pytestmark = pytest.mark.django_db
URL = reverse("fleet:driver-list")


def names(response):
    return [driver.last_name for driver in response.context["page_obj"]]


@pytest.fixture
def staff_client(client, clinic_staff):
    client.force_login(clinic_staff)
    return client


def test_driver_list_shows_drivers_with_their_current_truck(staff_client):
    assignment = AssignmentFactory(driver__last_name="Zamora", truck__code="TRK-0042")

    response = staff_client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Zamora" in html
    assert "TRK-0042" in html
    assert f'href="{reverse("fleet:truck-detail", args=[assignment.truck.pk])}"' in html


@pytest.mark.parametrize(
    "query",
    ["zamo", "ALBA ZAM", "b-77", "600 123", "alba.z@", "trk-004", "0042"],
)
def test_driver_search_matches_name_licence_phone_email_and_current_truck_code(staff_client, query):
    zamora = DriverFactory(
        first_name="Alba",
        last_name="Zamora",
        licence_number="B-7788",
        phone="+34 600 123 999",
        email="alba.z@example.org",
    )
    AssignmentFactory(driver=zamora, truck=TruckFactory(code="TRK-0042"))
    DriverFactory(last_name="Other", phone="+34 611 000 000")

    response = staff_client.get(URL, {"q": query})

    assert names(response) == ["Zamora"]


def test_driver_search_ignores_a_truck_the_driver_no_longer_drives(staff_client):
    old = AssignmentFactory(truck__code="TRK-0042")
    old.until = old.since + datetime.timedelta(hours=1)
    old.save()

    response = staff_client.get(URL, {"q": "TRK-0042"})

    assert names(response) == []
    assert "No driver matches" in response.content.decode()


def test_driver_list_filters_by_active(staff_client):
    DriverFactory(last_name="Active")
    DriverFactory(last_name="Resting", is_active=False)

    assert names(staff_client.get(URL, {"active": "yes"})) == ["Active"]
    assert names(staff_client.get(URL, {"active": "no"})) == ["Resting"]
    assert names(staff_client.get(URL)) == ["Active", "Resting"]


def test_driver_list_filters_by_client_company(staff_client):
    acme = ClientFactory(name="Acme")
    DriverFactory(last_name="Acmeson", client=acme)
    DriverFactory(last_name="Freelance")

    assert names(staff_client.get(URL, {"client": acme.pk})) == ["Acmeson"]


@time_machine.travel(datetime.datetime(2026, 6, 1, 12, tzinfo=datetime.UTC))
@pytest.mark.parametrize(
    ("licence", "expected"),
    [
        ("expired", ["Lapsed"]),
        ("expiring", ["Soon", "Today"]),
        ("attention", ["Lapsed", "Soon", "Today"]),
        ("", ["Fine", "Lapsed", "Soon", "Today"]),
    ],
)
def test_driver_list_filters_by_licence_expiry(staff_client, licence, expected):
    DriverFactory(last_name="Lapsed", licence_expiry=datetime.date(2026, 5, 31))
    DriverFactory(last_name="Today", licence_expiry=datetime.date(2026, 6, 1))
    DriverFactory(last_name="Soon", licence_expiry=datetime.date(2026, 7, 1))
    DriverFactory(last_name="Fine", licence_expiry=datetime.date(2026, 7, 2))

    assert names(staff_client.get(URL, {"licence": licence})) == expected


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["Able", "Baker", "Carter"]),
        ("-name", ["Carter", "Baker", "Able"]),
        ("licence", ["Carter", "Able", "Baker"]),
        ("-expiry", ["Baker", "Carter", "Able"]),
        ("client", ["Baker", "Carter", "Able"]),
        ("nonsense", ["Able", "Baker", "Carter"]),
    ],
)
def test_driver_list_sorts_by_the_chosen_column(staff_client, sort, expected):
    DriverFactory(last_name="Able", licence_number="L-2", licence_expiry=datetime.date(2030, 1, 1))
    DriverFactory(
        last_name="Baker",
        licence_number="L-3",
        licence_expiry=datetime.date(2032, 1, 1),
        client=ClientFactory(name="A"),
    )
    DriverFactory(
        last_name="Carter",
        licence_number="L-1",
        licence_expiry=datetime.date(2031, 1, 1),
        client=ClientFactory(name="B"),
    )

    assert names(staff_client.get(URL, {"sort": sort})) == expected


def test_sort_links_keep_the_filters_and_reverse_the_current_sort(staff_client):
    DriverFactory()

    html = staff_client.get(URL, {"q": "x", "sort": "name", "page": "2"}).content.decode()

    assert 'href="?q=x&amp;sort=-name"' in html
    assert 'aria-sort="ascending"' in html


def test_driver_list_paginates(staff_client):
    DriverFactory.create_batch(PAGE_SIZE + 3)

    first = staff_client.get(URL)
    second = staff_client.get(URL, {"page": 2, "q": ""})

    assert len(first.context["page_obj"]) == PAGE_SIZE
    assert len(second.context["page_obj"]) == 3
    assert f"Showing 1\N{EN DASH}{PAGE_SIZE} of {PAGE_SIZE + 3}" in first.content.decode()
    assert staff_client.get(URL, {"page": "999"}).context["page_obj"].number == 2


def test_driver_list_count_stops_at_the_limit(staff_client, monkeypatch):
    monkeypatch.setattr(BoundedPaginator, "limit", 5)
    DriverFactory.create_batch(7)

    response = staff_client.get(URL)

    paginator = response.context["page_obj"].paginator
    assert paginator.count == 5
    assert paginator.count_is_capped
    assert "More than 5 drivers match" in response.content.decode()


def test_an_invalid_filter_value_is_ignored_rather_than_failing(staff_client):
    DriverFactory(last_name="Still")

    assert names(staff_client.get(URL, {"client": "not-a-number", "licence": "bogus"})) == ["Still"]


@pytest.mark.parametrize("count", [1, 40])
def test_driver_list_runs_the_same_number_of_queries_whatever_the_size(
    staff_client, django_assert_max_num_queries, count
):
    client_company = ClientFactory()
    for driver in DriverFactory.create_batch(count, client=client_company):
        AssignmentFactory(driver=driver)

    # session, user (roles and permissions with it), licence summary, companies (filter), count, page
    with django_assert_max_num_queries(6):
        response = staff_client.get(URL, {"q": "", "sort": "client"})

    assert len(response.context["page_obj"]) == min(count, PAGE_SIZE)


def test_fleet_manager_sees_add_and_export_buttons_clinic_staff_does_not(client, clinic_staff, fleet_manager):
    client.force_login(clinic_staff)
    assert "Add driver" not in client.get(URL).content.decode()
    client.force_login(fleet_manager)
    html = client.get(URL).content.decode()
    assert "Add driver" in html
    assert "Export CSV" in html


def test_search_uses_the_lower_case_search_column():
    driver = DriverFactory(first_name="ÁNGEL", last_name="Núñez")

    assert Driver.objects.search("  ángel   NÚÑ ").get() == driver


def test_a_deep_page_shows_the_same_drivers_in_the_same_order_with_their_trucks(
    staff_client, django_assert_max_num_queries
):
    DriverFactory.create_batch(130, first_name="Deep")
    in_order = list(Driver.objects.order_by("last_name", "first_name", "id"))
    AssignmentFactory(driver=in_order[110], truck=TruckFactory(code="DEP-0110"))
    expected = [driver.last_name for driver in in_order]

    # session, user, licence summary, companies, count, the page's ids, its rows
    with django_assert_max_num_queries(7):
        response = staff_client.get(URL, {"page": 5})

    assert names(response) == expected[100:125]
    assert "DEP-0110" in response.content.decode()
    assert response.context["page_obj"].number == 5
