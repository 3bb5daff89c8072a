import datetime

import pytest
from django.utils import timezone

from fleet.models import Driver, Truck, TruckStatus
from readiness import services
from readiness.models import Defect
from readiness.status import Readiness, driver_not_ready_q, truck_not_ready_q
from tests.fleet.factories import DriverFactory, TruckFactory
from tests.readiness.factories import DocumentFactory, DocumentTypeFactory, ServicePlanFactory, ready_truck

pytestmark = pytest.mark.django_db


@pytest.fixture
def fleet():
    """One truck for each reason a truck is not ready (some only from a later day on), and a ready one."""
    today = timezone.localdate()
    soon = today + datetime.timedelta(days=5)
    licence = DocumentTypeFactory(code="adr", name="ADR card", applies_to="driver")
    trucks = {
        "ready": ready_truck(),
        "maintenance": ready_truck(truck__status=TruckStatus.MAINTENANCE),
        "defect": ready_truck(),
        "closed_defect": ready_truck(),
        "document_soon": ready_truck(),
        "renewed": ready_truck(),
        "service_date": ready_truck(),
        "service_km": ready_truck(),
        "no_driver": TruckFactory(),
        "licence_soon": ready_truck(driver__licence_expiry=soon),
        "driver_document": ready_truck(),
        "driver_inactive": ready_truck(driver__is_active=False),
    }
    Defect.objects.create(truck=trucks["defect"], description="Brakes", critical=True)
    Defect.objects.create(
        truck=trucks["closed_defect"],
        description="Brakes",
        critical=True,
        opened_at=timezone.now() - datetime.timedelta(days=1),
        closed_at=timezone.now(),
    )
    DocumentFactory(truck=trucks["document_soon"], expires_on=soon)
    DocumentFactory(truck=trucks["renewed"], expires_on=today - datetime.timedelta(days=3))
    DocumentFactory(truck=trucks["renewed"], expires_on=today + datetime.timedelta(days=300))
    ServicePlanFactory(
        truck=trucks["service_date"], interval_months=1, last_done_on=today - datetime.timedelta(days=28)
    )
    ServicePlanFactory(truck=trucks["service_km"], interval_months=None, interval_km=1000, last_done_km=0)
    services.record_odometer(truck=trucks["service_km"], km=1000)
    DocumentFactory(type=licence, driver=trucks["driver_document"].current_assignment.driver, expires_on=soon)
    return trucks


@pytest.mark.parametrize("days_ahead", [0, 6, 40])
def test_the_sql_rule_and_the_python_rule_agree_on_every_truck_and_driver(fleet, days_ahead):
    day = timezone.localdate() + datetime.timedelta(days=days_ahead)
    trucks = list(Truck.objects.all())
    readiness = Readiness(trucks=trucks, drivers=Driver.objects.all())

    by_python = {t.code for t in trucks if readiness.truck_problems(t.pk, day)}
    by_sql = set(Truck.objects.filter(truck_not_ready_q(day)).values_list("code", flat=True))
    drivers_by_python = {d.pk for d in Driver.objects.all() if readiness.driver_problems(d, day)}
    drivers_by_sql = set(Driver.objects.filter(driver_not_ready_q(day)).values_list("pk", flat=True))

    assert by_sql == by_python
    assert drivers_by_sql == drivers_by_python
    names = {code: name for name, truck in fleet.items() for code in [truck.code]}
    expected = {"maintenance", "defect", "service_km", "no_driver", "driver_inactive"}
    if days_ahead >= 6:
        # The monthly service fell due 28 days after the last one: in about 2 days.
        expected |= {"document_soon", "licence_soon", "driver_document", "service_date"}
    assert {names[code] for code in by_python} == expected


def test_warnings_name_what_expires_or_falls_due_soon(fleet):
    readiness = Readiness(trucks=Truck.objects.all())

    assert [w.code for w in readiness.truck_warnings(fleet["document_soon"].pk)] == ["document_expiring"]
    assert [w.code for w in readiness.truck_warnings(fleet["service_date"].pk)] == ["service_due_soon"]
    assert [w.code for w in readiness.truck_warnings(fleet["licence_soon"].pk)] == ["licence_expiring"]
    assert readiness.truck_warnings(fleet["ready"].pk) == []


def test_a_document_type_name_is_shown_in_the_readers_language(fleet):
    from django.utils import translation

    day = timezone.localdate() + datetime.timedelta(days=10)
    with translation.override("es"):
        problems = Readiness.of_truck(fleet["document_soon"]).truck_problems(fleet["document_soon"].pk, day)
        assert problems[0].words == "Documento de la furgoneta caducado: Seguro"


def test_drivers_list_the_unready_without_a_truck_too():
    DriverFactory(licence_expiry=timezone.localdate() - datetime.timedelta(days=1))
    DriverFactory()

    assert Driver.objects.filter(driver_not_ready_q(timezone.localdate())).count() == 1


def test_a_defect_from_an_inspection_is_named_in_the_readers_language():
    from django.utils import translation

    from readiness import services
    from tests.readiness.factories import ChecklistItemFactory

    truck = ready_truck()
    tyres = ChecklistItemFactory(name="Tyres", name_es="Neumáticos", critical=True)
    services.submit_inspection(
        driver=truck.current_assignment.driver,
        truck=truck,
        answers={tyres.pk: {"passed": False, "note": "Flat"}},
    )
    truck.refresh_from_db()

    with translation.override("es"):
        words = [p.words for p in Readiness.of_truck(truck).truck_problems(truck.pk, timezone.localdate())]
    assert "Avería crítica abierta: Neumáticos: Flat" in words
