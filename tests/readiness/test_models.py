import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from readiness.models import Document, ServicePlan, ServiceRecord, add_months, service_state
from tests.fleet.factories import DriverFactory, TruckFactory
from tests.readiness.factories import DocumentFactory, DocumentTypeFactory

pytestmark = pytest.mark.django_db


def test_an_expiry_before_the_issue_date_is_a_form_error_and_the_database_refuses_it():
    document = Document(
        type=DocumentTypeFactory(),
        truck=TruckFactory(),
        number="POL-1",
        issued_on=datetime.date(2026, 5, 1),
        expires_on=datetime.date(2026, 4, 1),
    )

    with pytest.raises(ValidationError, match="after the issue date"):
        document.full_clean()
    with pytest.raises(IntegrityError):
        document.save()


def test_a_document_belongs_to_one_holder_of_its_type():
    insurance = DocumentTypeFactory()

    with pytest.raises(ValidationError, match="belongs to a truck"):
        Document(type=insurance, driver=DriverFactory(), number="X", expires_on=datetime.date(2030, 1, 1)).full_clean()
    with pytest.raises(IntegrityError):
        DocumentFactory(truck=TruckFactory(), driver=DriverFactory())


def test_a_service_completed_in_the_future_is_a_form_error():
    record = ServiceRecord(truck=TruckFactory(), done_on=timezone.localdate() + datetime.timedelta(days=1))

    with pytest.raises(ValidationError, match="future"):
        record.full_clean()


def test_a_plan_needs_an_interval_and_knows_when_it_is_next_due():
    plan = ServicePlan.objects.create(
        truck=TruckFactory(),
        name="General",
        interval_months=6,
        interval_km=15_000,
        last_done_on=datetime.date(2026, 8, 31),
        last_done_km=40_000,
    )

    assert (plan.next_due_on, plan.next_due_km) == (datetime.date(2027, 2, 28), 55_000)
    assert add_months(datetime.date(2026, 1, 31), 1) == datetime.date(2026, 2, 28)
    with pytest.raises(IntegrityError):
        ServicePlan.objects.create(truck=plan.truck, name="Nothing", last_done_on=datetime.date(2026, 1, 1))


@pytest.mark.parametrize(
    ("due_in_days", "km", "due_km", "state"),
    [
        (-1, None, None, "overdue"),
        (0, None, None, "soon"),
        (14, None, None, "soon"),
        (15, None, None, "ok"),
        (None, 15_000, 15_000, "overdue"),
        (None, 14_000, 15_000, "soon"),
        (None, 13_999, 15_000, "ok"),
        (None, None, 15_000, "ok"),
        (40, 14_500, 15_000, "soon"),
    ],
)
def test_a_service_is_overdue_due_soon_or_fine_by_date_or_by_km(due_in_days, km, due_km, state):
    today = datetime.date(2026, 6, 1)
    due_on = today + datetime.timedelta(days=due_in_days) if due_in_days is not None else None

    assert service_state(next_due_on=due_on, next_due_km=due_km, km=km, day=today) == state
