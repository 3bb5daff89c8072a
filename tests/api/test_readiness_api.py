import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from readiness.models import OdometerReading
from tests.api.conftest import bearer
from tests.readiness.factories import DocumentFactory, mobile_clinic_day, ready_truck

pytestmark = pytest.mark.django_db


def test_the_api_lists_the_clinic_days_at_risk_as_the_page_does(fleet_manager):
    truck = ready_truck()
    site, day = mobile_clinic_day(truck, booked=6)
    DocumentFactory(truck=truck, expires_on=timezone.localdate() - datetime.timedelta(days=1))

    body = bearer(fleet_manager).get(reverse("api:readiness-list")).json()

    [row] = body["results"]
    assert (row["site"], row["day"], row["booked"], row["truck"]) == (site.pk, day.isoformat(), 6, truck.code)
    assert row["problems"] == [{"code": "truck_document_expired", "message": "Truck document expired: Insurance"}]


def test_the_api_says_whether_a_truck_is_ready_and_why_not(clinic_staff):
    truck = ready_truck()
    DocumentFactory(truck=truck, expires_on=timezone.localdate() - datetime.timedelta(days=1))

    body = bearer(clinic_staff).get(reverse("api:truck-readiness", args=[truck.pk])).json()

    assert body["ready"] is False
    assert [p["code"] for p in body["problems"]] == ["truck_document_expired"]
    assert body["documents"][0]["state"] == "expired"


def test_an_odometer_reading_through_the_api_never_goes_backwards(fleet_manager):
    truck = ready_truck()
    api = bearer(fleet_manager)
    url = reverse("api:truck-odometer", args=[truck.pk])

    assert api.post(url, {"km": 5000}, format="json").status_code == 201
    refused = api.post(url, {"km": 4000}, format="json")

    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "odometer_backwards"
    assert list(OdometerReading.objects.values_list("km", "source")) == [(5000, "api")]
