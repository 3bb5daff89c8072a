"""readiness answers the hooks of the apps below it (fleet.hooks,
vaccination.hooks): the sections of the truck, driver and "my truck" pages,
the "not ready" filters of the fleet lists, and the day board's flag."""

import datetime

from django.db.models import Max, Min, Prefetch
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.utils import timezone

from fleet.hooks import not_ready_requested, page_sections
from fleet.models import Driver, Truck
from readiness.clinic_days import board_problems
from readiness.forms import CloseDefectForm
from readiness.models import (
    Defect,
    Document,
    Inspection,
    InspectionAnswer,
    OdometerReading,
    ServicePlan,
    ServiceRecord,
    service_state,
)
from readiness.status import Readiness, driver_not_ready_q, truck_not_ready_q
from vaccination.hooks import board_notices

SHOWN = 5
# Recent usage, for the km forecast of the next service.
USAGE_DAYS = 90


@receiver(not_ready_requested, dispatch_uid="readiness-not-ready")
def _not_ready(sender, day, **kwargs):
    if sender is Truck:
        return truck_not_ready_q(day)
    if sender is Driver:
        return driver_not_ready_q(day)
    return None


@receiver(board_notices, dispatch_uid="readiness-board")
def _board(sender, site, day, **kwargs):
    return [problem.words for problem in board_problems(site, day)]


def km_per_day(truck):
    """Recent daily distance from the first and last readings of the last USAGE_DAYS, or None."""
    since = timezone.now() - datetime.timedelta(days=USAGE_DAYS)
    # Readings never go down, so the lowest and highest km are the first and last.
    span = OdometerReading.objects.filter(truck=truck, at__gte=since).aggregate(
        first=Min("at"), last=Max("at"), low=Min("km"), high=Max("km")
    )
    if span["first"] is None or span["last"] <= span["first"]:
        return None
    days = (span["last"] - span["first"]).total_seconds() / 86400
    return (span["high"] - span["low"]) / days if days >= 1 else None


def plan_rows(truck, readiness, today):
    km = readiness.odometer.get(truck.pk)
    rate = km_per_day(truck)
    rows = []
    for plan in ServicePlan.objects.filter(truck=truck).order_by("name"):
        forecast = None
        if plan.next_due_km is not None and km is not None and rate:
            forecast = today + datetime.timedelta(days=max(0, int((plan.next_due_km - km) / rate)))
        state = service_state(next_due_on=plan.next_due_on, next_due_km=plan.next_due_km, km=km, day=today)
        rows.append(
            {
                "plan": plan,
                "forecast": forecast,
                "state": state,
                "km_left": plan.next_due_km - km if plan.next_due_km and km is not None else None,
            }
        )
    return rows


@receiver(page_sections, dispatch_uid="readiness-page-sections")
def _sections(sender, request, obj, **kwargs):
    today = timezone.localdate()
    if sender == "truck":
        return truck_sections(request, obj, today)
    if sender == "driver":
        return driver_sections(request, obj, today)
    if sender == "me":
        return my_sections(request, obj, today)
    return None


def truck_sections(request, truck, today):
    readiness = Readiness.of_truck(truck)
    user = request.user
    can_close = user.has_perm("readiness.change_defect")
    context = {
        "truck": truck,
        "today": today,
        "problems": readiness.truck_problems(truck.pk, today),
        "warnings": readiness.truck_warnings(truck.pk, today),
        "odometer": readiness.odometer.get(truck.pk),
        "defects": list(
            Defect.objects.filter(truck=truck).open().select_related("answer__item").order_by("-critical", "-opened_at")
        ),
        "close_form": CloseDefectForm() if can_close else None,
        "plans": plan_rows(truck, readiness, today),
        "services": list(ServiceRecord.objects.filter(truck=truck).select_related("plan")[:SHOWN]),
        "documents": list(Document.objects.filter(truck=truck).select_related("type").order_by("-expires_on")[:10]),
        "inspections": list(
            Inspection.objects.filter(truck=truck)
            .select_related("driver")
            .prefetch_related(Prefetch("answers", InspectionAnswer.objects.select_related("item")))[:SHOWN]
        ),
        "can_admin": user.is_staff,
    }
    return render_to_string("readiness/_truck_sections.html", context, request)


def driver_sections(request, driver, today):
    documents = list(Document.objects.filter(driver=driver).select_related("type").order_by("-expires_on"))
    context = {
        "driver": driver,
        "today": today,
        "problems": Readiness.of_driver(driver, documents).driver_problems(driver, today),
        "documents": documents,
    }
    return render_to_string("readiness/_driver_sections.html", context, request)


def my_sections(request, driver, today):
    current = driver.current_assignment
    truck = current.truck if current else None
    context = {
        "truck": truck,
        "defects": list(Defect.objects.filter(truck=truck).open()) if truck else [],
        "last": Inspection.objects.filter(truck=truck, driver=driver).first() if truck else None,
    }
    return render_to_string("readiness/_my_sections.html", context, request)
