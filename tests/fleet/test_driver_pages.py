import datetime

import pytest
import time_machine
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from accounts.roles import Role, has_role
from fleet.models import Assignment, Driver, TruckStatus
from tests.factories import UserFactory
from tests.fleet.factories import AssignmentFactory, ClientFactory, DriverFactory, TruckFactory

pytestmark = pytest.mark.django_db


def detail(driver):
    return reverse("fleet:driver-detail", args=[driver.pk])


def test_driver_page_shows_personal_information_current_truck_and_history(client, clinic_staff):
    old = AssignmentFactory(driver__last_name="Zamora", truck__code="TRK-0001")
    old.until = old.since + datetime.timedelta(days=3)
    old.save()
    AssignmentFactory(driver=old.driver, truck__code="TRK-0002")
    client.force_login(clinic_staff)

    response = client.get(detail(old.driver))

    assert response.status_code == 200
    html = response.content.decode()
    assert old.driver.licence_number in html
    assert [assignment.truck.code for assignment in response.context["history"]] == ["TRK-0002", "TRK-0001"]
    assert response.context["current"].truck.code == "TRK-0002"
    assert "Assign truck" not in html
    assert "Release" not in html


@time_machine.travel(datetime.datetime(2026, 6, 1, 12, tzinfo=datetime.UTC))
def test_driver_page_warns_when_the_licence_expires_within_30_days(client, clinic_staff):
    driver = DriverFactory(licence_expiry=datetime.date(2026, 6, 11))
    client.force_login(clinic_staff)

    html = client.get(detail(driver)).content.decode()

    assert "The driving licence expires in 10 days." in html


@time_machine.travel(datetime.datetime(2026, 6, 1, 12, tzinfo=datetime.UTC))
def test_driver_page_says_an_expired_licence_has_expired(client, clinic_staff):
    driver = DriverFactory(licence_expiry=datetime.date(2026, 5, 1))
    client.force_login(clinic_staff)

    assert "The driving licence has expired." in client.get(detail(driver)).content.decode()


@pytest.mark.parametrize("history", [1, 30])
def test_driver_page_runs_the_same_number_of_queries_whatever_the_history(
    client, fleet_manager, django_assert_max_num_queries, history
):
    driver = DriverFactory(client=ClientFactory())
    start = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
    for day in range(history):
        AssignmentFactory(
            driver=driver,
            since=start + datetime.timedelta(days=day),
            until=start + datetime.timedelta(days=day, hours=8),
            assigned_by=fleet_manager,
            ended_by=fleet_manager,
        )
    TruckFactory.create_batch(5)
    client.force_login(fleet_manager)
    # Django keeps content types for the life of the process; whether an
    # earlier test in this worker already looked it up must not matter.
    ContentType.objects.get_for_model(Driver)

    # session, user (roles and permissions with it), driver, history, free trucks, changes,
    # and the driver's documents (readiness's section)
    with django_assert_max_num_queries(8):
        response = client.get(detail(driver))

    assert len(response.context["history"]) == history


def test_fleet_manager_assigns_a_free_truck_and_sees_it_in_the_history(client, fleet_manager):
    driver, truck = DriverFactory(), TruckFactory(code="TRK-0042")
    client.force_login(fleet_manager)

    response = client.post(reverse("fleet:driver-assign", args=[driver.pk]), {"truck": truck.pk}, follow=True)

    assert response.redirect_chain[-1][0] == detail(driver)
    assert "TRK-0042 is now assigned to" in response.content.decode()
    assignment = Assignment.objects.get(driver=driver)
    assert assignment.truck == truck
    assert assignment.assigned_by == fleet_manager


def test_assigning_a_taken_truck_explains_how_to_reassign(client, fleet_manager):
    taken = AssignmentFactory(driver__first_name="Tom", driver__last_name="Taken")
    driver = DriverFactory()
    client.force_login(fleet_manager)

    response = client.post(reverse("fleet:driver-assign", args=[driver.pk]), {"truck": taken.truck.pk}, follow=True)

    assert "Tom Taken already drives this truck" in response.content.decode()
    assert not Assignment.objects.filter(driver=driver).exists()


def test_reassigning_takes_the_truck_from_its_driver_in_one_step(client, fleet_manager):
    taken = AssignmentFactory()
    driver = DriverFactory()
    client.force_login(fleet_manager)

    client.post(reverse("fleet:driver-assign", args=[driver.pk]), {"truck": taken.truck.pk, "reassign": "on"})

    assert Assignment.objects.get(truck=taken.truck, until__isnull=True).driver == driver
    taken.refresh_from_db()
    assert taken.ended_by == fleet_manager


def test_a_truck_in_maintenance_cannot_be_chosen(client, fleet_manager):
    driver = DriverFactory()
    truck = TruckFactory(status=TruckStatus.MAINTENANCE)
    client.force_login(fleet_manager)

    response = client.post(reverse("fleet:driver-assign", args=[driver.pk]), {"truck": truck.pk}, follow=True)

    assert "Choose a truck in service" in response.content.decode()
    assert not Assignment.objects.exists()


def test_fleet_manager_releases_the_current_truck(client, fleet_manager):
    current = AssignmentFactory(truck__code="TRK-0042")
    client.force_login(fleet_manager)

    response = client.post(reverse("fleet:driver-release", args=[current.driver.pk]), follow=True)

    assert "TRK-0042 was released" in response.content.decode()
    current.refresh_from_db()
    assert current.until is not None
    assert current.ended_by == fleet_manager


def test_releasing_a_driver_without_a_truck_says_so(client, fleet_manager):
    driver = DriverFactory()
    client.force_login(fleet_manager)

    response = client.post(reverse("fleet:driver-release", args=[driver.pk]), follow=True)

    assert "This driver has no current truck." in response.content.decode()


def test_clinic_staff_cannot_assign_or_release(client, clinic_staff):
    current = AssignmentFactory()
    client.force_login(clinic_staff)

    assert client.post(reverse("fleet:driver-release", args=[current.driver.pk])).status_code == 403
    assert (
        client.post(reverse("fleet:driver-assign", args=[DriverFactory().pk]), {"truck": TruckFactory().pk}).status_code
        == 403
    )
    assert Assignment.objects.get().until is None


def test_assign_to_a_missing_driver_is_404(client, fleet_manager):
    client.force_login(fleet_manager)

    assert client.post(reverse("fleet:driver-assign", args=[999999]), {"truck": TruckFactory().pk}).status_code == 404


DRIVER_DATA = {
    "first_name": "Nadia",
    "last_name": "Novak",
    "licence_number": " b-123 456 ",
    "licence_expiry": "2030-05-01",
    "phone": "+34 600 111 222",
    "email": "Nadia@Example.org",
    "date_of_birth": "1980-02-03",
    "address": "2 Depot Road",
    "client": "",
    "is_active": "on",
    "login_email": "",
}


def test_fleet_manager_adds_a_driver_and_the_change_is_recorded(client, fleet_manager):
    client.force_login(fleet_manager)

    response = client.post(reverse("fleet:driver-create"), DRIVER_DATA)

    driver = Driver.objects.get()
    assert response["Location"] == detail(driver)
    assert driver.licence_number == "B-123 456"
    assert driver.email == "nadia@example.org"
    assert LogEntry.objects.get().user == fleet_manager


def test_adding_a_driver_links_the_login_account_and_gives_it_the_driver_role(client, fleet_manager):
    account = UserFactory(email="nadia@example.org")
    client.force_login(fleet_manager)

    client.post(reverse("fleet:driver-create"), {**DRIVER_DATA, "login_email": "NADIA@example.org"})

    assert Driver.objects.get().user == account
    account.refresh_from_db()
    assert has_role(account, Role.DRIVER)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("licence_number", "B-777", "already exists"),
        ("licence_number", "b-777", "already exists"),
        ("login_email", "taken@example.org", "Another driver already signs in with this email"),
        ("phone", "call me", "phone number"),
        ("licence_expiry", "", "required"),
    ],
)
def test_driver_form_explains_what_is_wrong(client, fleet_manager, field, value, message):
    DriverFactory(licence_number="B-777", login_email="taken@example.org")
    client.force_login(fleet_manager)

    response = client.post(reverse("fleet:driver-create"), {**DRIVER_DATA, field: value})

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert Driver.objects.count() == 1


def test_fleet_manager_edits_a_driver(client, fleet_manager):
    driver = DriverFactory(first_name="Old")
    client.force_login(fleet_manager)

    response = client.post(reverse("fleet:driver-edit", args=[driver.pk]), {**DRIVER_DATA, "first_name": "New"})

    assert response.status_code == 302
    driver.refresh_from_db()
    assert driver.first_name == "New"
    assert "first_name" in LogEntry.objects.get().change_message


def test_making_a_driver_inactive_releases_their_truck(client, fleet_manager):
    current = AssignmentFactory(truck__code="TRK-0042")
    client.force_login(fleet_manager)
    data = {**DRIVER_DATA, "licence_number": current.driver.licence_number}
    del data["is_active"]

    response = client.post(reverse("fleet:driver-edit", args=[current.driver.pk]), data, follow=True)

    assert "TRK-0042 was released" in response.content.decode()
    current.refresh_from_db()
    assert current.until is not None
    assert current.ended_by == fleet_manager


def test_a_spanish_fleet_manager_is_refused_an_assignment_in_spanish(client, fleet_manager):
    fleet_manager.language = "es"
    fleet_manager.save(update_fields=["language"])
    taken = AssignmentFactory(driver__first_name="Tom", driver__last_name="Taken")
    driver = DriverFactory()
    client.force_login(fleet_manager)

    response = client.post(reverse("fleet:driver-assign", args=[driver.pk]), {"truck": taken.truck.pk}, follow=True)

    assert "Tom Taken ya conduce esta furgoneta" in response.content.decode()
