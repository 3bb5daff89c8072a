"""Demo readiness data for `seed_demo` (answering vaccination.demo.demo_seeded):
a checklist, document types and every truck's documents, service plans and
odometer readings, a few inspections of the demo driver's truck, one truck
not ready today (TRK-0003: its insurance expired) and the demo driver's
truck's insurance running out within the fortnight, so that
/fleet/readiness/ shows the mobile clinic's last days at risk.
Never run against production data. Idempotent."""

import datetime

from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from fleet.models import Assignment, Truck, TruckStatus
from readiness.models import (
    ChecklistItem,
    Defect,
    Document,
    DocumentType,
    Inspection,
    InspectionAnswer,
    OdometerReading,
    ServicePlan,
)
from vaccination.demo import demo_seeded

CHECKLIST = [
    # (English, Spanish, critical)
    ("Tyres and wheels", "Neumáticos y ruedas", True),
    ("Brakes", "Frenos", True),
    ("Lights and indicators", "Luces e intermitentes", True),
    ("Vaccine fridge holds 2 to 8 °C", "Nevera de vacunas entre 2 y 8 °C", True),
    ("Generator starts", "El generador arranca", False),
    ("First-aid kit complete", "Botiquín completo", False),
    ("Fire extinguisher in date", "Extintor en vigor", True),
    ("Cabin and clinic clean", "Cabina y consulta limpias", False),
]
DOCUMENT_TYPES = [
    # (code, English, Spanish, applies to)
    ("insurance", "Insurance", "Seguro", DocumentType.AppliesTo.TRUCK),
    ("registration", "Registration", "Permiso de circulación", DocumentType.AppliesTo.TRUCK),
    ("roadworthiness", "Roadworthiness test", "ITV", DocumentType.AppliesTo.TRUCK),
    ("medical", "Driver's medical certificate", "Certificado médico del conductor", DocumentType.AppliesTo.DRIVER),
]
# The truck not ready today, and the demo driver's (whose insurance runs out soon).
NOT_READY_TRUCK = "TRK-0003"
AT_RISK_TRUCK = "TRK-0001"


@receiver(demo_seeded, dispatch_uid="readiness-demo")
def _seed(sender, users, **kwargs):
    seed_readiness(users)


def seed_readiness(users: dict) -> None:
    today = timezone.localdate()
    now = timezone.now()
    with transaction.atomic():
        items = []
        for position, (name, name_es, critical) in enumerate(CHECKLIST):
            item, _ = ChecklistItem.objects.update_or_create(
                name=name, defaults={"name_es": name_es, "critical": critical, "position": position}
            )
            items.append(item)
        types = {}
        for code, name, name_es, applies_to in DOCUMENT_TYPES:
            types[code], _ = DocumentType.objects.update_or_create(
                code=code, defaults={"name": name, "name_es": name_es, "applies_to": applies_to}
            )
        trucks = list(Truck.objects.filter(code__startswith="TRK-").order_by("code"))
        for index, truck in enumerate(trucks, start=1):
            _truck_documents(truck, index, types, today)
            _maintenance(truck, index, today, now)
        _inspections(users, items, now)
        _not_ready_truck(now)


def _truck_documents(truck, index, types, today):
    expiries = {
        "insurance": 120 + index * 7,
        "registration": 700 + index,
        "roadworthiness": 200 + index * 5,
    }
    if truck.code == NOT_READY_TRUCK:
        expiries["insurance"] = -5
    elif truck.code == AT_RISK_TRUCK:
        expiries["insurance"] = 8
    elif index % 9 == 0:
        expiries["roadworthiness"] = 20  # a few warnings on the truck pages
    for code, days in expiries.items():
        expires = today + datetime.timedelta(days=days)
        Document.objects.update_or_create(
            type=types[code],
            truck=truck,
            number=f"{code[:3].upper()}-{truck.code[4:]}-{today.year}",
            defaults={"expires_on": expires, "issued_on": expires - datetime.timedelta(days=365)},
        )


def _maintenance(truck, index, today, now):
    last_service = today - datetime.timedelta(days=30 + index * 4)
    km = 40_000 + index * 3_100
    ServicePlan.objects.update_or_create(
        truck=truck,
        name="General service",
        defaults={"interval_months": 12, "interval_km": 20_000, "last_done_on": last_service, "last_done_km": km},
    )
    ServicePlan.objects.update_or_create(
        truck=truck,
        name="Vaccine fridge check",
        defaults={
            "interval_months": 6,
            "interval_km": None,
            # One truck's fridge check falls due within the fortnight (a warning).
            "last_done_on": today - datetime.timedelta(days=175 if index == 5 else 60),
            "last_done_km": None,
        },
    )
    if not OdometerReading.objects.filter(truck=truck).exists():
        # A reading a week for the last five weeks: the forecast's recent usage.
        OdometerReading.objects.bulk_create(
            OdometerReading(
                truck=truck,
                km=km + 2_000 + week * (300 + index * 10),
                at=now - datetime.timedelta(days=35 - week * 7),
                source=OdometerReading.Source.MANUAL,
            )
            for week in range(5)
        )


def _inspections(users, items, now):
    demo_driver_user = users.get("driver@example.com")
    assignment = (
        Assignment.objects.filter(driver__user=demo_driver_user, until__isnull=True)
        .select_related("truck", "driver")
        .first()
        if demo_driver_user
        else None
    )
    if assignment is None or Inspection.objects.filter(truck=assignment.truck).exists():
        return
    truck, driver = assignment.truck, assignment.driver
    for days_ago in (3, 2, 1):
        inspection = Inspection.objects.create(
            truck=truck, driver=driver, at=now - datetime.timedelta(days=days_ago), by=demo_driver_user
        )
        for item in items:
            # Two days ago the first-aid kit was short of bandages: a defect, not critical, still open.
            passed = not (days_ago == 2 and item.name == "First-aid kit complete")
            answer = InspectionAnswer.objects.create(
                inspection=inspection,
                item=item,
                passed=passed,
                critical=item.critical,
                note="" if passed else "Short of bandages",
            )
            if not passed:
                inspection.passed = False
                inspection.save(update_fields=["passed"])
                Defect.objects.create(
                    truck=truck,
                    answer=answer,
                    description=f"{item.name}: Short of bandages",
                    critical=False,
                    opened_at=inspection.at,
                )


def _not_ready_truck(now):
    """Besides its expired insurance, the truck not ready today has an open
    critical defect, which keeps it in maintenance (the fleet demo, run
    again, puts it back to active)."""
    broken = Truck.objects.filter(code=NOT_READY_TRUCK).first()
    if broken is None:
        return
    if not Defect.objects.blocking().filter(truck=broken).exists():
        Defect.objects.create(truck=broken, description="Brakes: grinding noise", critical=True, opened_at=now)
    broken.status = TruckStatus.MAINTENANCE
    broken.save(update_fields=["status", "updated_at"])
