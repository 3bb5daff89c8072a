"""/fleet/readiness/ at the issue's scale: 1,000 trucks, 10,000 documents and
14 days of clinic days answer in a fixed number of queries."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from fleet.models import Assignment, Driver, Truck
from readiness.models import Document, DocumentType, OdometerReading, ServicePlan
from vaccination.models import Site, Slot, Vaccine

pytestmark = pytest.mark.django_db

TRUCKS, DOCUMENTS_PER_TRUCK, CLINICS, DAYS = 1_000, 10, 200, 14


def build_fleet():
    today = timezone.localdate()
    now = timezone.now()
    trucks = Truck.objects.bulk_create(
        Truck(code=f"SCL-{n:04d}", plate=f"SC {n:05d}", make="Iveco", model="Daily", year=2020) for n in range(TRUCKS)
    )
    drivers = Driver.objects.bulk_create(
        Driver(
            first_name="D",
            last_name=f"{n:04d}",
            licence_number=f"SC-{n:05d}",
            licence_expiry=today.replace(year=today.year + 2),
        )
        for n in range(TRUCKS)
    )
    Assignment.objects.bulk_create(
        Assignment(driver=d, truck=t, since=now) for d, t in zip(drivers, trucks, strict=True)
    )
    types = [
        DocumentType.objects.create(code=f"type-{n}", name=f"Type {n}", applies_to=DocumentType.AppliesTo.TRUCK)
        for n in range(DOCUMENTS_PER_TRUCK)
    ]
    # Every 10th truck's first document expired a week ago: those trucks are not ready.
    Document.objects.bulk_create(
        Document(
            type=kind,
            truck=truck,
            number=f"{n}-{k}",
            expires_on=today - datetime.timedelta(days=7)
            if (n % 10 == 0 and k == 0)
            else today.replace(year=today.year + 1),
        )
        for n, truck in enumerate(trucks)
        for k, kind in enumerate(types)
    )
    ServicePlan.objects.bulk_create(
        ServicePlan(
            truck=t,
            name="General",
            interval_months=12,
            last_done_on=today - datetime.timedelta(days=30),
            next_due_on=today + datetime.timedelta(days=330),
        )
        for t in trucks
    )
    OdometerReading.objects.bulk_create(OdometerReading(truck=t, km=10_000, at=now) for t in trucks)
    vaccine = Vaccine.objects.create(name="Flu")
    sites = Site.objects.bulk_create(
        Site(name=f"Mobile {n}", address="Square", is_mobile=True, truck=trucks[n * (TRUCKS // CLINICS)])
        for n in range(CLINICS)
    )
    slots = []
    for site in sites:
        for day in range(DAYS):
            start = timezone.make_aware(
                datetime.datetime.combine(today + datetime.timedelta(days=day), datetime.time(10))
            )
            slots.append(
                Slot(
                    site=site,
                    vaccine=vaccine,
                    start=start,
                    end=start + datetime.timedelta(minutes=15),
                    capacity=10,
                    booked_count=2,
                )
            )
    Slot.objects.bulk_create(slots)


def test_the_readiness_page_answers_in_a_fixed_number_of_queries_for_a_thousand_trucks(
    client, fleet_manager, django_assert_max_num_queries
):
    build_fleet()
    client.force_login(fleet_manager)

    with django_assert_max_num_queries(16):
        response = client.get(reverse("readiness:at-risk"))

    # Clinics ride on every 5th truck; every 10th truck is not ready: every other clinic, every day.
    assert len(response.context["days"]) == CLINICS // 2 * DAYS
    assert response.context["booked"] == CLINICS // 2 * DAYS * 2
