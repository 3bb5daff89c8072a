import datetime

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from fleet.models import Truck
from readiness.clinic_days import at_risk_days
from readiness.demo import AT_RISK_TRUCK, NOT_READY_TRUCK
from readiness.models import ChecklistItem, Document
from readiness.status import truck_problems


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_the_demo_has_a_checklist_documents_a_truck_not_ready_and_clinic_days_at_risk():
    call_command("seed_demo")
    call_command("seed_demo")  # idempotent

    today = timezone.localdate()
    assert ChecklistItem.objects.count() == 8
    assert Document.objects.filter(truck__code=AT_RISK_TRUCK).count() == 3
    assert truck_problems(Truck.objects.get(code=NOT_READY_TRUCK))
    assert truck_problems(Truck.objects.get(code=AT_RISK_TRUCK)) == []
    risks = at_risk_days(today, today + datetime.timedelta(days=13))
    assert risks
    assert {risk.truck.code for risk in risks} == {AT_RISK_TRUCK}
    assert all(risk.day > today + datetime.timedelta(days=8) for risk in risks)
