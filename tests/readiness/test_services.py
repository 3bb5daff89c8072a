import datetime

import pytest
from django.utils import timezone

from audit.models import Action, AuditEvent
from fleet.models import Assignment, TruckStatus
from readiness import services
from readiness.clinic_days import at_risk_days
from readiness.errors import ReadinessError
from readiness.models import Defect, Inspection, OdometerReading
from tests.fleet.factories import AssignmentFactory, DriverFactory, TruckFactory
from tests.readiness.factories import (
    ChecklistItemFactory,
    DocumentFactory,
    ServicePlanFactory,
    mobile_clinic_day,
    ready_truck,
)

pytestmark = pytest.mark.django_db


def window():
    today = timezone.localdate()
    return today, today + datetime.timedelta(days=13)


def answers(items, failed=()):
    return {item.pk: {"passed": item not in failed, "note": "broken" if item in failed else ""} for item in items}


@pytest.fixture
def checklist():
    return [ChecklistItemFactory(name="Tyres", critical=True), ChecklistItemFactory(name="Radio")]


def test_a_critical_failed_item_takes_the_truck_out_of_service_and_flags_its_clinic_days(checklist, fleet_manager):
    truck = ready_truck()
    driver = truck.current_assignment.driver
    site, day = mobile_clinic_day(truck, booked=4)
    assert at_risk_days(*window()) == []

    inspection = services.submit_inspection(driver=driver, truck=truck, answers=answers(checklist, [checklist[0]]))

    truck.refresh_from_db()
    assert truck.status == TruckStatus.MAINTENANCE
    assert not inspection.passed
    assert Defect.objects.blocking().filter(truck=truck).count() == 1
    assert AuditEvent.objects.filter(action=Action.TRUCK_OUT_OF_SERVICE, target_id=str(truck.pk)).exists()
    [risk] = at_risk_days(*window())
    assert (risk.site, risk.day, risk.booked) == (site, day, 4)
    assert {p.code for p in risk.problems} == {"truck_out_of_service", "open_defect"}


def test_a_failed_item_that_is_not_critical_opens_a_defect_but_keeps_the_truck_in_service(checklist):
    truck = ready_truck()
    mobile_clinic_day(truck)

    services.submit_inspection(
        driver=truck.current_assignment.driver, truck=truck, answers=answers(checklist, [checklist[1]])
    )

    truck.refresh_from_db()
    assert truck.status == TruckStatus.ACTIVE
    assert Defect.objects.open().filter(truck=truck, critical=False).count() == 1
    assert at_risk_days(*window()) == []


def test_closing_the_last_critical_defect_puts_the_truck_back_into_service(checklist, fleet_manager):
    truck = ready_truck()
    mobile_clinic_day(truck)
    services.submit_inspection(
        driver=truck.current_assignment.driver, truck=truck, answers=answers(checklist, [checklist[0]])
    )

    services.close_defect(defect=Defect.objects.get(truck=truck), by=fleet_manager, note="New tyre")

    truck.refresh_from_db()
    assert truck.status == TruckStatus.ACTIVE
    assert at_risk_days(*window()) == []
    with pytest.raises(ReadinessError) as error:
        services.close_defect(defect=Defect.objects.get(truck=truck), by=fleet_manager)
    assert error.value.code == "defect_closed"


def test_an_expired_insurance_flags_the_clinic_days():
    truck = ready_truck()
    site, _day = mobile_clinic_day(truck, days_ahead=5)
    DocumentFactory(truck=truck, expires_on=timezone.localdate() + datetime.timedelta(days=2))

    [risk] = at_risk_days(*window())

    assert risk.site == site
    assert [p.code for p in risk.problems] == ["truck_document_expired"]
    assert "Insurance" in risk.problems[0].words


def test_a_renewed_insurance_does_not_flag_the_clinic_days():
    truck = ready_truck()
    mobile_clinic_day(truck, days_ahead=5)
    DocumentFactory(truck=truck, expires_on=timezone.localdate() - datetime.timedelta(days=2))
    DocumentFactory(truck=truck, expires_on=timezone.localdate() + datetime.timedelta(days=365))

    assert at_risk_days(*window()) == []


def test_reassigning_a_ready_truck_clears_the_flag_and_the_clinic_day_follows_it(fleet_manager):
    broken = ready_truck()
    site, day = mobile_clinic_day(broken)
    DocumentFactory(truck=broken, expires_on=timezone.localdate() - datetime.timedelta(days=1))
    spare = ready_truck()
    assert len(at_risk_days(*window())) == 1

    services.reassign_truck(site=site, truck=spare, day=day, by=fleet_manager)

    site.refresh_from_db()
    assert site.truck == spare
    assert at_risk_days(*window()) == []
    assert AuditEvent.objects.filter(action=Action.CLINIC_TRUCK_CHANGE, target_id=str(site.pk)).exists()


def test_reassigning_refuses_a_truck_that_is_not_ready_or_brings_another_clinic(fleet_manager):
    broken = ready_truck()
    site, day = mobile_clinic_day(broken)
    also_broken = TruckFactory()  # no driver
    busy = ready_truck()
    mobile_clinic_day(busy, name="Other clinic")

    with pytest.raises(ReadinessError) as error:
        services.reassign_truck(site=site, truck=also_broken, day=day, by=fleet_manager)
    assert error.value.code == "truck_not_ready"
    with pytest.raises(ReadinessError) as error:
        services.reassign_truck(site=site, truck=busy, day=day, by=fleet_manager)
    assert error.value.code == "truck_busy"


def test_a_driver_whose_licence_expires_before_the_day_puts_it_at_risk_and_another_driver_clears_it(fleet_manager):
    truck = ready_truck(driver__licence_expiry=timezone.localdate() + datetime.timedelta(days=1))
    _site, day = mobile_clinic_day(truck, days_ahead=4)
    [risk] = at_risk_days(*window())
    assert [p.code for p in risk.problems] == ["licence_expired"]
    assert not risk.truck_problem
    replacement = DriverFactory()

    services.assign_driver(truck=truck, driver=replacement, day=day, by=fleet_manager)

    assert Assignment.objects.get(truck=truck, until__isnull=True).driver == replacement
    assert at_risk_days(*window()) == []


def test_assigning_a_driver_refuses_one_who_drives_another_truck(fleet_manager):
    truck = TruckFactory()
    other = AssignmentFactory()

    with pytest.raises(ReadinessError) as error:
        services.assign_driver(truck=truck, driver=other.driver, day=timezone.localdate(), by=fleet_manager)
    assert error.value.code == "driver_busy"


def test_a_mobile_clinic_without_a_truck_is_at_risk():
    truck = ready_truck()
    site, _day = mobile_clinic_day(truck)
    site.truck = None
    site.save()

    [risk] = at_risk_days(*window())
    assert [p.code for p in risk.problems] == ["no_truck"]


def test_an_overdue_service_by_date_or_by_km_flags_the_truck():
    by_date = ready_truck()
    mobile_clinic_day(by_date)
    ServicePlanFactory(
        truck=by_date, interval_months=1, last_done_on=timezone.localdate() - datetime.timedelta(days=40)
    )
    by_km = ready_truck()
    mobile_clinic_day(by_km)
    ServicePlanFactory(truck=by_km, interval_months=None, interval_km=15000, last_done_km=10000)
    services.record_odometer(truck=by_km, km=25000)

    risks = at_risk_days(*window())

    assert sorted((r.truck.code, [p.code for p in r.problems]) for r in risks) == sorted(
        [(by_date.code, ["service_overdue"]), (by_km.code, ["service_overdue"])]
    )


def test_an_odometer_reading_lower_than_the_last_is_refused():
    truck = TruckFactory()
    services.record_odometer(truck=truck, km=1000)

    with pytest.raises(ReadinessError) as error:
        services.record_odometer(truck=truck, km=999)

    assert error.value.code == "odometer_backwards"
    assert OdometerReading.objects.filter(truck=truck).count() == 1


def test_an_inspection_with_a_lower_odometer_saves_nothing(checklist):
    truck = ready_truck()
    services.record_odometer(truck=truck, km=5000)

    with pytest.raises(ReadinessError):
        services.submit_inspection(
            driver=truck.current_assignment.driver, truck=truck, answers=answers(checklist), odometer_km=10
        )

    assert not Inspection.objects.exists()


def test_an_inspection_of_a_truck_the_driver_does_not_drive_is_refused(checklist):
    mine = ready_truck()
    other = ready_truck()

    with pytest.raises(ReadinessError) as error:
        services.submit_inspection(driver=mine.current_assignment.driver, truck=other, answers=answers(checklist))

    assert error.value.code == "not_your_truck"
    assert not Inspection.objects.exists()


def test_completing_a_service_moves_the_next_due_date_and_refuses_the_future(fleet_manager):
    truck = TruckFactory()
    plan = ServicePlanFactory(truck=truck, interval_months=6, last_done_on=datetime.date(2025, 1, 31))
    assert plan.next_due_on == datetime.date(2025, 7, 31)
    today = timezone.localdate()

    services.complete_service(plan=plan, done_on=today, odometer_km=42000, cost=120, by=fleet_manager)

    plan.refresh_from_db()
    assert plan.last_done_on == today
    assert OdometerReading.objects.get(truck=truck).km == 42000
    with pytest.raises(ReadinessError) as error:
        services.complete_service(plan=plan, done_on=today + datetime.timedelta(days=1), by=fleet_manager)
    assert error.value.code == "service_in_future"
