"""Readiness workflows: every page, the API and the admin call these.

Each locks the truck row it changes (Truck first, as fleet.services does
after the driver), re-checks under the lock, writes, and records the audit
event in the same transaction. Errors are ReadinessError codes
(readiness.errors.MESSAGES).
"""

import datetime

from django.db import transaction
from django.utils import timezone

import audit
from audit.models import Action
from fleet.errors import fleet_message
from fleet.models import Assignment, Driver, Truck, TruckStatus
from fleet.services import FleetError, assign
from readiness.errors import ReadinessError
from readiness.models import ChecklistItem, Defect, Inspection, InspectionAnswer, OdometerReading, ServiceRecord
from readiness.status import Readiness


def _lock(truck) -> Truck:
    return Truck.objects.select_for_update().get(pk=truck.pk)


def _last_km(truck):
    return OdometerReading.objects.filter(truck=truck).order_by("-km").values_list("km", flat=True).first()


def record_odometer(*, truck, km: int, by=None, source=OdometerReading.Source.MANUAL, at=None) -> OdometerReading:
    """Record the truck's odometer. Refuses a reading below the last one
    ("odometer_backwards", details: last); the lock on the truck row makes
    two readings sent at once compare in turn."""
    with transaction.atomic():
        truck = _lock(truck)
        last = _last_km(truck)
        if last is not None and km < last:
            raise ReadinessError("odometer_backwards", last=last)
        return OdometerReading.objects.create(truck=truck, km=km, source=source, by=by, at=at or timezone.now())


def submit_inspection(*, driver: Driver, truck: Truck, answers, odometer_km=None, by=None) -> Inspection:
    """Record a driver's pre-trip inspection of the truck they drive.

    `answers` maps each active ChecklistItem's pk to a dict with `passed`,
    `note` and `photo` (an uploaded file, already checked by the form).
    Each failed item opens a defect; a failed critical item puts the truck
    out of service (status "maintenance") at once, with an audit event.
    An odometer reading is recorded with it.

    Error codes: "not_your_truck", "no_checklist", "incomplete",
    "odometer_backwards" (details: last). Nothing is saved on an error.
    """
    items = list(ChecklistItem.objects.filter(is_active=True))
    if not items:
        raise ReadinessError("no_checklist")
    if any(item.pk not in answers for item in items):
        raise ReadinessError("incomplete")
    with transaction.atomic():
        truck = _lock(truck)
        drives = Assignment.objects.filter(driver=driver, truck=truck, until__isnull=True).exists()
        if not drives:
            raise ReadinessError("not_your_truck")
        now = timezone.now()
        if odometer_km is not None:
            record_odometer(truck=truck, km=odometer_km, by=by, source=OdometerReading.Source.INSPECTION, at=now)
        failed = [item for item in items if not answers[item.pk]["passed"]]
        inspection = Inspection.objects.create(
            truck=truck, driver=driver, at=now, odometer_km=odometer_km, passed=not failed, by=by
        )
        critical = []
        for item in items:
            answer = answers[item.pk]
            row = InspectionAnswer(
                inspection=inspection,
                item=item,
                passed=answer["passed"],
                critical=item.critical,
                note=answer.get("note", ""),
            )
            if answer.get("photo"):
                row.photo = answer["photo"]
            row.save()
            if not answer["passed"]:
                note = answer.get("note", "").strip()
                description = f"{item.name}: {note}" if note else item.name
                Defect.objects.create(
                    truck=truck, answer=row, description=description[:300], critical=item.critical, opened_at=now
                )
                if item.critical:
                    critical.append(item.name)
        audit.record(
            Action.INSPECTION,
            target=truck,
            actor=by,
            data={"inspection": inspection.pk, "failed": [item.name for item in failed]},
        )
        if critical and truck.status == TruckStatus.ACTIVE:
            truck.status = TruckStatus.MAINTENANCE
            truck.save(update_fields=["status", "updated_at"])
            audit.record(
                Action.TRUCK_OUT_OF_SERVICE,
                target=truck,
                actor=by,
                data={"critical": critical, "inspection": inspection.pk},
            )
        return inspection


def close_defect(*, defect: Defect, by=None, note: str = "", return_to_service: bool = True) -> Defect:
    """Close a defect as repaired. When it was the truck's last open critical
    defect and the truck is in maintenance, it goes back into service
    (unless `return_to_service` is false).

    Error codes: "defect_closed".
    """
    with transaction.atomic():
        truck = _lock(defect.truck)
        defect = Defect.objects.select_for_update().get(pk=defect.pk)
        if not defect.is_open:
            raise ReadinessError("defect_closed")
        defect.closed_at = timezone.now()
        defect.closed_by = by
        defect.repair_note = note
        defect.save(update_fields=["closed_at", "closed_by", "repair_note"])
        audit.record(Action.DEFECT_CLOSE, target=truck, actor=by, data={"defect": defect.description})
        if (
            return_to_service
            and defect.critical
            and truck.status == TruckStatus.MAINTENANCE
            and not Defect.objects.blocking().filter(truck=truck).exists()
        ):
            truck.status = TruckStatus.ACTIVE
            truck.save(update_fields=["status", "updated_at"])
            audit.record(
                Action.TRUCK_UPDATE, target=truck, actor=by, data={"fields": ["status"], "back_in_service": True}
            )
        return defect


def complete_service(*, plan, done_on: datetime.date, odometer_km=None, cost=None, notes="", by=None) -> ServiceRecord:
    """Record a completed service of `plan`; the plan's next due date and km
    start again from it (a service recorded late, older than the plan's last
    one, changes nothing there). A higher odometer is recorded as a reading.

    Error codes: "service_in_future", "odometer_backwards" (never: a lower
    odometer than the last reading is history, not a reading).
    """
    if done_on > timezone.localdate():
        raise ReadinessError("service_in_future")
    with transaction.atomic():
        truck = _lock(plan.truck)
        plan = type(plan).objects.select_for_update().get(pk=plan.pk)
        record = ServiceRecord.objects.create(
            truck=truck, plan=plan, done_on=done_on, odometer_km=odometer_km, cost=cost, notes=notes, by=by
        )
        if done_on >= plan.last_done_on:
            plan.last_done_on = done_on
            if odometer_km is not None:
                plan.last_done_km = odometer_km
            plan.save(update_fields=["last_done_on", "last_done_km"])
        last = _last_km(truck)
        if odometer_km is not None and (last is None or odometer_km > last):
            OdometerReading.objects.create(truck=truck, km=odometer_km, source=OdometerReading.Source.MANUAL, by=by)
        audit.record(Action.SERVICE_COMPLETE, target=truck, actor=by, data={"service": plan.name, "on": str(done_on)})
        return record


def reassign_truck(*, site, truck: Truck, day: datetime.date, by=None):
    """Give the mobile clinic `site` another truck, ready on `day`: the
    clinic follows it (its future days too).

    Error codes: "not_mobile", "truck_not_ready" (details: truck, reason),
    "truck_busy" (details: truck: it already brings another active mobile clinic).
    """
    site_model = type(site)
    with transaction.atomic():
        site = site_model.objects.select_for_update().get(pk=site.pk)
        if not site.is_mobile:
            raise ReadinessError("not_mobile")
        truck = _lock(truck)
        problems = Readiness.of_truck(truck).truck_problems(truck.pk, day)
        if problems:
            raise ReadinessError("truck_not_ready", truck=truck.code, reason=problems[0].words)
        if site_model.objects.filter(truck=truck, is_active=True).exclude(pk=site.pk).exists():
            raise ReadinessError("truck_busy", truck=truck.code)
        previous = site.truck
        site.truck = truck
        site.save(update_fields=["truck"])
        audit.record(
            Action.CLINIC_TRUCK_CHANGE,
            target=site,
            actor=by,
            data={"truck": truck.code, "previous": previous.code if previous else None, "day": str(day)},
        )
        return site


def assign_driver(*, truck: Truck, driver: Driver, day: datetime.date, by=None) -> Assignment:
    """Make `driver`, ready on `day`, the driver of `truck` through
    fleet.services.assign (the truck's previous driver is released); the
    mobile clinics the truck brings follow it.

    Error codes: "driver_not_ready" (details: driver, reason), "driver_busy"
    (details: driver, truck), "assign_refused" (details: reason: fleet's words).
    """
    problems = Readiness(drivers=[driver]).driver_problems(driver, day)
    if problems:
        raise ReadinessError("driver_not_ready", driver=driver.full_name, reason=problems[0].words)
    elsewhere = (
        Assignment.objects.filter(driver=driver, until__isnull=True).exclude(truck=truck).select_related("truck")
    )
    if current := elsewhere.first():
        # Taking a driver from another truck would put that truck's days at risk.
        raise ReadinessError("driver_busy", driver=driver.full_name, truck=current.truck.code)
    try:
        return assign(driver=driver, truck=truck, by=by, reassign=True)
    except FleetError as error:
        raise ReadinessError("assign_refused", reason=fleet_message(error)) from error
