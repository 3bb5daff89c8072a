import datetime

import factory
from django.utils import timezone

from readiness.models import ChecklistItem, Document, DocumentType, ServicePlan
from tests.fleet.factories import AssignmentFactory
from vaccination.models import Site, Slot, Vaccine

# A valid 1x1 PNG, and a file that only pretends to be one.
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)
NOT_AN_IMAGE = b"<script>alert(1)</script>"


class ChecklistItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChecklistItem

    name = factory.Sequence(lambda n: f"Item {n}")
    position = factory.Sequence(lambda n: n)


class DocumentTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DocumentType
        django_get_or_create = ("code",)

    code = "insurance"
    name = "Insurance"
    name_es = "Seguro"


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document

    type = factory.SubFactory(DocumentTypeFactory)
    number = factory.Sequence(lambda n: f"POL-{n:05d}")
    expires_on = datetime.date(2030, 1, 1)


class ServicePlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServicePlan

    name = "General service"
    interval_months = 6
    last_done_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))


def ready_truck(**kwargs):
    """A truck in service with a driver whose licence is valid: ready."""
    return AssignmentFactory(**kwargs).truck


def mobile_clinic_day(truck, *, days_ahead=2, booked=3, name=None):
    """A mobile clinic brought by `truck` with one slot `days_ahead` days from now and `booked` seats taken."""
    site = Site.objects.create(
        name=name or f"Mobile {truck.code}", address="Village square", is_mobile=True, truck=truck
    )
    vaccine, _ = Vaccine.objects.get_or_create(name="Flu")
    day = timezone.localdate() + datetime.timedelta(days=days_ahead)
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))
    Slot.objects.create(
        site=site,
        vaccine=vaccine,
        start=start,
        end=start + datetime.timedelta(minutes=15),
        capacity=10,
        booked_count=booked,
    )
    return site, day
