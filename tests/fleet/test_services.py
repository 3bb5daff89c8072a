import threading

import pytest
from django.db import connection, connections

from fleet.models import Assignment, Driver, TruckStatus
from fleet.services import FleetError, assign, release
from tests.fleet.factories import AssignmentFactory, DriverFactory, TruckFactory


@pytest.mark.django_db
def test_assign_gives_a_free_truck_to_a_driver_and_records_who(fleet_manager):
    driver, truck = DriverFactory(), TruckFactory()

    assignment = assign(driver=driver, truck=truck, by=fleet_manager)

    assert assignment.is_current
    assert assignment.assigned_by == fleet_manager
    assert driver.current_assignment.truck == truck


@pytest.mark.django_db
def test_assign_refuses_a_truck_another_driver_has():
    taken = AssignmentFactory()

    with pytest.raises(FleetError) as error:
        assign(driver=DriverFactory(), truck=taken.truck)

    assert error.value.code == "truck_taken"
    assert error.value.details["driver"] == taken.driver
    assert Assignment.objects.count() == 1


@pytest.mark.django_db
def test_assign_refuses_a_driver_who_already_has_a_truck():
    taken = AssignmentFactory()

    with pytest.raises(FleetError) as error:
        assign(driver=taken.driver, truck=TruckFactory())

    assert error.value.code == "driver_has_truck"
    assert error.value.details["truck"] == taken.truck


@pytest.mark.django_db
def test_assign_says_when_the_pair_is_already_current():
    taken = AssignmentFactory()

    with pytest.raises(FleetError) as error:
        assign(driver=taken.driver, truck=taken.truck, reassign=True)

    assert error.value.code == "already_assigned"


@pytest.mark.django_db
def test_reassign_closes_both_old_assignments_and_opens_the_new_one(fleet_manager):
    mine = AssignmentFactory()
    theirs = AssignmentFactory()

    new = assign(driver=mine.driver, truck=theirs.truck, by=fleet_manager, reassign=True)

    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.until == theirs.until == new.since
    assert mine.ended_by == theirs.ended_by == fleet_manager
    assert list(Assignment.objects.filter(until__isnull=True)) == [new]
    # The other driver is no longer found by the truck's code.
    assert list(Driver.objects.search(theirs.truck.code)) == [mine.driver]


@pytest.mark.django_db
@pytest.mark.parametrize("status", [TruckStatus.MAINTENANCE, TruckStatus.RETIRED])
def test_assign_refuses_a_truck_that_is_not_in_service(status):
    with pytest.raises(FleetError) as error:
        assign(driver=DriverFactory(), truck=TruckFactory(status=status))

    assert error.value.code == "truck_not_active"


@pytest.mark.django_db
def test_assign_refuses_an_inactive_driver():
    with pytest.raises(FleetError) as error:
        assign(driver=DriverFactory(is_active=False), truck=TruckFactory())

    assert error.value.code == "driver_inactive"


@pytest.mark.django_db
def test_release_ends_the_current_assignment_and_keeps_it_in_the_history(fleet_manager):
    current = AssignmentFactory()

    released = release(driver=current.driver, by=fleet_manager)

    assert released.pk == current.pk
    assert released.until is not None
    assert released.ended_by == fleet_manager
    assert current.driver.current_assignment is None
    assert not Driver.objects.search(current.truck.code).exists()


@pytest.mark.django_db
def test_release_refuses_a_driver_without_a_truck():
    with pytest.raises(FleetError) as error:
        release(driver=DriverFactory())

    assert error.value.code == "not_assigned"


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite serialises all writers; the race needs PostgreSQL"
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_managers_assigning_the_same_truck_at_once_give_it_to_one_driver():
    truck = TruckFactory()
    drivers = [DriverFactory() for _ in range(6)]
    barrier = threading.Barrier(len(drivers))
    results = []

    def attempt(driver):
        barrier.wait()
        try:
            assign(driver=driver, truck=truck)
            results.append("ok")
        except FleetError as error:
            results.append(error.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(driver,)) for driver in drivers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == ["ok"] + ["truck_taken"] * 5
    assert Assignment.objects.filter(truck=truck, until__isnull=True).count() == 1
