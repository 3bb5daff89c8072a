"""Is a truck ready on a day? Is a driver?

A truck is ready on a day when it is in service, has no open critical defect,
no overdue service and no expired document, and its current driver is ready:
active, with a licence and documents still valid that day.

Two forms of the one rule, kept side by side and tested against each other
(tests/readiness/test_status.py): `Readiness` loads everything about some
trucks with a fixed number of queries and says *why* (pages, API, CSV,
alerts); `truck_not_ready_q` / `driver_not_ready_q` say *which* in SQL, for
list filters and candidate lists over the whole fleet.

Time only makes things worse (documents expire, due dates pass), never
better: a truck ready on a later day is ready on every day before it.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Exists, Max, OuterRef, Q, Subquery
from django.utils import timezone

from fleet.models import Assignment, Driver, Truck, TruckStatus
from readiness.errors import REASONS
from readiness.models import (
    DOCUMENT_WARNING_DAYS,
    Defect,
    Document,
    DocumentType,
    OdometerReading,
    ServicePlan,
    service_state,
)


@dataclass(frozen=True)
class Problem:
    code: str
    subject: object = ""  # a name, or a _Label put into words when shown

    @property
    def words(self) -> str:
        return str(REASONS[self.code]) % {"subject": str(self.subject)}

    def __str__(self):
        return self.words


@dataclass(frozen=True)
class _Label:
    """A document type's name, put in the reader's language when shown
    (an alert is read in each manager's language)."""

    name: str
    name_es: str = ""
    holder: str = ""
    note: str = ""

    def __str__(self):
        label = DocumentType(name=self.name, name_es=self.name_es or "").label
        if self.note:
            label = f"{label}: {self.note}"
        return f"{label} · {self.holder}" if self.holder else label


def _label(name, name_es):
    return _Label(name, name_es or "")


class Readiness:
    """Everything that decides whether `trucks` and their current drivers
    (and `drivers`, without a truck) are ready, read with six queries
    whatever their number."""

    def __init__(self, trucks=(), drivers=()):
        self.trucks = {truck.pk: truck for truck in trucks}
        truck_ids = list(self.trucks)
        self.driver_of = {}
        self.drivers = {driver.pk: driver for driver in drivers}
        self.defects = defaultdict(list)
        self.odometer = {}
        self.plans = defaultdict(list)
        self.documents = defaultdict(list)
        if not truck_ids and not self.drivers:
            # Nothing to read (of_driver fills its own): building the queries
            # below for empty lists cost more than the driver page's own (issue 21).
            return
        for assignment in Assignment.objects.filter(truck_id__in=truck_ids, until__isnull=True).select_related(
            "driver"
        ):
            self.driver_of[assignment.truck_id] = assignment.driver
            self.drivers[assignment.driver_id] = assignment.driver
        defects = Defect.objects.blocking().filter(truck_id__in=truck_ids)
        for truck_id, description, item, item_es, note in defects.values_list(
            "truck_id", "description", "answer__item__name", "answer__item__name_es", "answer__note"
        ):
            # A defect from an inspection is named by its checklist item, in the reader's language.
            self.defects[truck_id].append(
                _Label(item, item_es or "", note=(note or "").strip()) if item else description
            )
        self.odometer = dict(
            OdometerReading.objects.filter(truck_id__in=truck_ids)
            .values("truck_id")
            .annotate(km=Max("km"))
            .values_list("truck_id", "km")
        )
        for plan in ServicePlan.objects.filter(truck_id__in=truck_ids).values(
            "truck_id", "name", "next_due_on", "next_due_km"
        ):
            self.plans[plan["truck_id"]].append(plan)
        # The latest expiry of each holder's documents of each type: a renewal is a new row.
        rows = (
            Document.objects.filter(Q(truck_id__in=truck_ids) | Q(driver_id__in=list(self.drivers)))
            .values("truck_id", "driver_id", "type__name", "type__name_es")
            .annotate(expires=Max("expires_on"))
            .order_by()
        )
        for row in rows:
            holder = ("truck", row["truck_id"]) if row["truck_id"] else ("driver", row["driver_id"])
            self.documents[holder].append((_label(row["type__name"], row["type__name_es"]), row["expires"]))

    @classmethod
    def of_truck(cls, truck):
        return cls(trucks=[truck])

    @classmethod
    def of_driver(cls, driver, documents):
        """A driver's readiness from their documents already read (the driver page shows them)."""
        readiness = cls()
        latest = {}
        for document in documents:
            if document.expires_on > latest.get(document.type_id, (None, datetime.date.min))[1]:
                latest[document.type_id] = (_label(document.type.name, document.type.name_es), document.expires_on)
        readiness.drivers[driver.pk] = driver
        readiness.documents[("driver", driver.pk)] = list(latest.values())
        return readiness

    def driver_problems(self, driver, day) -> list[Problem]:
        problems = []
        if not driver.is_active:
            problems.append(Problem("driver_inactive", driver.full_name))
        if driver.licence_expiry < day:
            problems.append(Problem("licence_expired", driver.full_name))
        for label, expires in self.documents.get(("driver", driver.pk), ()):
            if expires < day:
                problems.append(Problem("driver_document_expired", _Label(label.name, label.name_es, driver.full_name)))
        return problems

    @staticmethod
    def service_state(plan: dict, km, day) -> str:
        return service_state(next_due_on=plan["next_due_on"], next_due_km=plan["next_due_km"], km=km, day=day)

    def truck_problems(self, truck_id, day) -> list[Problem]:
        """Why the truck is not ready on `day` (empty: it is ready)."""
        truck = self.trucks[truck_id]
        problems = []
        if truck.status != TruckStatus.ACTIVE:
            problems.append(Problem("truck_out_of_service", truck.get_status_display()))
        problems += [Problem("open_defect", description) for description in self.defects.get(truck_id, ())]
        km = self.odometer.get(truck_id)
        for plan in self.plans.get(truck_id, ()):
            if self.service_state(plan, km, day) == "overdue":
                problems.append(Problem("service_overdue", plan["name"]))
        for label, expires in self.documents.get(("truck", truck_id), ()):
            if expires < day:
                problems.append(Problem("truck_document_expired", label))
        driver = self.driver_of.get(truck_id)
        if driver is None:
            problems.append(Problem("no_driver"))
        else:
            problems += self.driver_problems(driver, day)
        return problems

    def truck_warnings(self, truck_id, today=None) -> list[Problem]:
        """What is not a problem yet but soon will be: services due soon
        (readiness.models.service_state), documents and the
        licence expiring within DOCUMENT_WARNING_DAYS."""
        today = today or timezone.localdate()
        soon = today + datetime.timedelta(days=DOCUMENT_WARNING_DAYS)
        warnings = []
        km = self.odometer.get(truck_id)
        for plan in self.plans.get(truck_id, ()):
            if self.service_state(plan, km, today) == "soon":
                warnings.append(Problem("service_due_soon", plan["name"]))
        for label, expires in self.documents.get(("truck", truck_id), ()):
            if today <= expires <= soon:
                warnings.append(Problem("document_expiring", label))
        driver = self.driver_of.get(truck_id)
        if driver is not None:
            if today <= driver.licence_expiry <= soon:
                warnings.append(Problem("licence_expiring", driver.full_name))
            for label, expires in self.documents.get(("driver", driver.pk), ()):
                if today <= expires <= soon:
                    warnings.append(Problem("document_expiring", _Label(label.name, label.name_es, driver.full_name)))
        return warnings


def truck_problems(truck, day=None) -> list[Problem]:
    return Readiness.of_truck(truck).truck_problems(truck.pk, day or timezone.localdate())


# The same rule in SQL.


def _documents_expired(day, **holder):
    return Document.objects.filter(**holder).expired_on(day)


def driver_not_ready_q(day, prefix="") -> Q:
    """Drivers not ready on `day`; `prefix` ("driver__") applies it through a relation."""
    documents = _documents_expired(day, driver=OuterRef(f"{prefix}pk" if prefix else "pk"))
    return Q(**{f"{prefix}is_active": False}) | Q(**{f"{prefix}licence_expiry__lt": day}) | Exists(documents)


def truck_not_ready_q(day) -> Q:
    """Trucks not ready on `day`."""
    odometer = OdometerReading.objects.filter(truck=OuterRef("truck")).order_by("-km").values("km")[:1]
    overdue = ServicePlan.objects.filter(truck=OuterRef("pk")).filter(
        Q(next_due_on__lt=day) | Q(next_due_km__lte=Subquery(odometer))
    )
    current = Assignment.objects.filter(truck=OuterRef("pk"), until__isnull=True)
    driver_not_ready = current.filter(driver_not_ready_q(day, prefix="driver__"))
    return (
        ~Q(status=TruckStatus.ACTIVE)
        | Exists(Defect.objects.blocking().filter(truck=OuterRef("pk")))
        | Exists(_documents_expired(day, truck=OuterRef("pk")))
        | Exists(overdue)
        | ~Exists(current)
        | Exists(driver_not_ready)
    )


def ready_trucks(day):
    return Truck.objects.exclude(truck_not_ready_q(day))


def ready_drivers(day):
    return Driver.objects.exclude(driver_not_ready_q(day))
