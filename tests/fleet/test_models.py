import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from fleet.models import Assignment, Driver, LicenceStatus, Truck
from tests.fleet.factories import AssignmentFactory, DriverFactory, TruckFactory

pytestmark = pytest.mark.django_db


def test_truck_code_is_stored_upper_case_and_trimmed():
    truck = TruckFactory(code=" trk-0042 ", plate="1234 abc")

    truck.refresh_from_db()
    assert truck.code == "TRK-0042"
    assert truck.plate == "1234 ABC"


def test_truck_code_is_unique_whatever_the_letter_case():
    TruckFactory(code="TRK-0042")

    with pytest.raises(IntegrityError), transaction.atomic():
        TruckFactory(code="trk-0042")


def test_the_database_refuses_a_lower_case_truck_code_written_around_the_model():
    truck = TruckFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Truck.objects.filter(pk=truck.pk).update(code="trk-9999")


@pytest.mark.parametrize("code", ["TRK42", "TRK-42", "TRUCK-0042", "TR-0042", "TRK-00A2", ""])
def test_truck_validation_refuses_a_code_of_the_wrong_format(code):
    truck = TruckFactory.build(code=code)

    with pytest.raises(ValidationError) as error:
        truck.full_clean()

    assert "code" in error.value.message_dict


def test_truck_validation_names_a_duplicate_code_in_another_case():
    TruckFactory(code="TRK-0042")
    truck = TruckFactory.build(code="trk-0042")

    with pytest.raises(ValidationError, match="already exists"):
        truck.full_clean()


def test_truck_plate_is_unique():
    TruckFactory(plate="1234 ABC")

    with pytest.raises(IntegrityError), transaction.atomic():
        TruckFactory(plate="1234 abc")


def test_licence_number_is_unique_whatever_the_letter_case():
    DriverFactory(licence_number="B-1234")

    with pytest.raises(IntegrityError), transaction.atomic():
        DriverFactory(licence_number="b-1234")


def test_a_driver_has_at_most_one_current_truck():
    current = AssignmentFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        AssignmentFactory(driver=current.driver)


def test_a_truck_has_at_most_one_current_driver():
    current = AssignmentFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        AssignmentFactory(truck=current.truck)


def test_ended_assignments_are_kept_as_history_for_the_same_pair():
    first = AssignmentFactory()
    first.until = first.since + datetime.timedelta(hours=1)
    first.save()

    AssignmentFactory(driver=first.driver, truck=first.truck, since=first.until)

    assert Assignment.objects.filter(driver=first.driver).count() == 2


def test_an_assignment_cannot_end_before_it_starts():
    assignment = AssignmentFactory()
    assignment.until = assignment.since - datetime.timedelta(minutes=1)

    with pytest.raises(IntegrityError), transaction.atomic():
        assignment.save()


@pytest.mark.parametrize(
    ("expiry", "status"),
    [
        (datetime.date(2026, 5, 31), LicenceStatus.EXPIRED),
        (datetime.date(2026, 6, 1), LicenceStatus.EXPIRING),
        (datetime.date(2026, 7, 1), LicenceStatus.EXPIRING),
        (datetime.date(2026, 7, 2), LicenceStatus.VALID),
    ],
)
def test_licence_status_warns_thirty_days_ahead(expiry, status):
    driver = DriverFactory.build(licence_expiry=expiry)

    assert driver.licence_status(today=datetime.date(2026, 6, 1)) == status


def test_search_text_follows_the_current_truck_code():
    assignment = AssignmentFactory(truck=TruckFactory(code="TRK-0777"))

    assert Driver.objects.search("trk-07").get() == assignment.driver

    assignment.truck.code = "TRK-0888"
    assignment.truck.save()

    assert not Driver.objects.search("TRK-0777").exists()
    assert Driver.objects.search("0888").get() == assignment.driver


def test_a_driver_in_the_future_is_not_born_yet():
    driver = DriverFactory.build(date_of_birth=timezone.localdate() + datetime.timedelta(days=1))

    with pytest.raises(ValidationError) as error:
        driver.full_clean()

    assert "date_of_birth" in error.value.message_dict


def test_trigram_indexes_exist_on_postgresql_only():
    with connection.cursor() as cursor:
        names = {
            index
            for index, info in connection.introspection.get_constraints(cursor, "fleet_driver").items()
            if info["index"]
        }
    if connection.vendor == "postgresql":
        assert "fleet_driver_search_trgm" in names
    else:
        assert "fleet_driver_search_trgm" not in names
