"""What makes a truck fit to go: pre-trip inspections and the defects they
raise, service plans and odometer readings, and documents with an expiry.

Rules about one row live here; workflows that lock (an inspection that takes
a truck out of service, an odometer reading that must not go backwards, a
completed service) live in `readiness.services`; whether a truck or driver is
ready on a day is `readiness.status`.
"""

import calendar
import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from readiness.uploads import validate_document_file, validate_photo

# How far ahead a document's expiry is a warning.
DOCUMENT_WARNING_DAYS = 30
# How far ahead (days, km) a service due is a warning.
SERVICE_WARNING_DAYS = 14
SERVICE_WARNING_KM = 1000


class Translated(models.Model):
    """A name set in the admin in English and Spanish (LANGUAGES); the page
    shows the reader's language, English when the Spanish is left empty."""

    name = models.CharField(_("name (English)"), max_length=120)
    name_es = models.CharField(_("name (Spanish)"), max_length=120, blank=True)

    class Meta:
        abstract = True

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        if (get_language() or "").startswith("es") and self.name_es:
            return self.name_es
        return self.name


class ChecklistItem(Translated):
    """One line of the pre-trip checklist (tyres, lights, fridge...)."""

    critical = models.BooleanField(
        _("critical"), default=False, help_text=_("A failed critical item takes the truck out of service at once.")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["position", "id"]


class Inspection(models.Model):
    """A driver's pre-trip inspection of the truck they drive."""

    truck = models.ForeignKey(
        "fleet.Truck", on_delete=models.CASCADE, related_name="inspections", verbose_name=_("truck")
    )
    driver = models.ForeignKey(
        "fleet.Driver", on_delete=models.PROTECT, related_name="inspections", verbose_name=_("driver")
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    odometer_km = models.PositiveIntegerField(_("odometer (km)"), null=True, blank=True)
    passed = models.BooleanField(_("passed"), default=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-at", "-id"]
        # The app's own permissions hang on its first model (Django has no model-less ones).
        permissions = [
            ("view_readiness", _("Can see the mobile clinic days at risk")),
            ("reassign_clinic", _("Can give an at-risk mobile clinic another truck or driver")),
        ]
        indexes = [models.Index(fields=["truck", "-at"], name="readiness_inspection_truck_at")]

    def __str__(self):
        return f"{self.truck} {self.at:%Y-%m-%d %H:%M}"


def photo_path(instance, filename):
    # The name is ours, never the phone's: it says nothing about the person.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"inspections/{timezone.now():%Y/%m}/{instance.inspection_id}-{instance.item_id}.{extension}"


class InspectionAnswer(models.Model):
    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="answers", verbose_name=_("inspection")
    )
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("item"))
    passed = models.BooleanField(_("passed"))
    # The item's criticality when answered: the admin may change it later.
    critical = models.BooleanField(_("critical"), default=False)
    note = models.TextField(_("note"), blank=True)
    photo = models.FileField(_("photo"), upload_to=photo_path, blank=True, validators=[validate_photo])

    class Meta:
        verbose_name = _("inspection answer")
        verbose_name_plural = _("inspection answers")
        ordering = ["item__position", "item_id"]
        constraints = [models.UniqueConstraint(fields=["inspection", "item"], name="readiness_answer_one_per_item")]

    def __str__(self):
        return f"{self.item}: {'ok' if self.passed else 'fail'}"


class DefectQuerySet(models.QuerySet):
    def open(self):
        return self.filter(closed_at__isnull=True)

    def blocking(self):
        """Open critical defects: each keeps its truck out of service."""
        return self.open().filter(critical=True)


class Defect(models.Model):
    """A failed inspection item, open until a fleet manager closes it as repaired."""

    truck = models.ForeignKey("fleet.Truck", on_delete=models.CASCADE, related_name="defects", verbose_name=_("truck"))
    answer = models.OneToOneField(
        InspectionAnswer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="defect",
        verbose_name=_("inspection answer"),
    )
    description = models.CharField(_("description"), max_length=300)
    critical = models.BooleanField(_("critical"), default=False)
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    repair_note = models.TextField(_("repair note"), blank=True)

    objects = DefectQuerySet.as_manager()

    class Meta:
        verbose_name = _("defect")
        verbose_name_plural = _("defects")
        ordering = ["-opened_at", "-id"]
        indexes = [
            models.Index(
                fields=["truck"], condition=Q(closed_at__isnull=True, critical=True), name="readiness_defect_blocking"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(closed_at__gte=F("opened_at")),
                name="readiness_defect_closed_after_opened",
            ),
        ]

    def __str__(self):
        return f"{self.truck}: {self.description}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class OdometerReading(models.Model):
    """A truck's odometer at a moment. Readings never go down: services.record_odometer
    refuses a lower one under a lock on the truck."""

    class Source(models.TextChoices):
        INSPECTION = "inspection", _("Inspection")
        API = "api", _("API")
        MANUAL = "manual", _("By hand")

    truck = models.ForeignKey(
        "fleet.Truck", on_delete=models.CASCADE, related_name="odometer_readings", verbose_name=_("truck")
    )
    km = models.PositiveIntegerField(_("odometer (km)"))
    at = models.DateTimeField(_("at"), default=timezone.now)
    source = models.CharField(_("source"), max_length=12, choices=Source, default=Source.MANUAL)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )

    class Meta:
        verbose_name = _("odometer reading")
        verbose_name_plural = _("odometer readings")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["truck", "-km"], name="readiness_odometer_truck_km")]

    def __str__(self):
        return f"{self.truck} {self.km} km"


def add_months(day: datetime.date, months: int) -> datetime.date:
    """`day` plus `months` calendar months; the 31st becomes the month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def service_state(*, next_due_on, next_due_km, km, day: datetime.date) -> str:
    """The one rule for a service plan on `day` with the truck at `km` (None:
    no reading yet): "overdue" (due date passed, or the odometer reached the
    due km: the truck is not ready), "soon" (due within SERVICE_WARNING_DAYS
    or SERVICE_WARNING_KM: a warning) or "ok". readiness.status.truck_not_ready_q
    is its SQL twin for the overdue part, tested against it."""
    by_km = next_due_km is not None and km is not None
    if (next_due_on is not None and next_due_on < day) or (by_km and km >= next_due_km):
        return "overdue"
    if (next_due_on is not None and next_due_on <= day + datetime.timedelta(days=SERVICE_WARNING_DAYS)) or (
        by_km and km >= next_due_km - SERVICE_WARNING_KM
    ):
        return "soon"
    return "ok"


class ServicePlan(models.Model):
    """A service a truck needs every so many months and/or kilometres. The
    next due date and km are stored (from the last service) so that lists
    and filters compare them in the database."""

    truck = models.ForeignKey(
        "fleet.Truck", on_delete=models.CASCADE, related_name="service_plans", verbose_name=_("truck")
    )
    name = models.CharField(_("service"), max_length=120)
    interval_months = models.PositiveSmallIntegerField(_("every (months)"), null=True, blank=True)
    interval_km = models.PositiveIntegerField(_("every (km)"), null=True, blank=True)
    last_done_on = models.DateField(_("last done on"))
    last_done_km = models.PositiveIntegerField(_("odometer when last done (km)"), null=True, blank=True)
    next_due_on = models.DateField(_("next due on"), null=True, blank=True, editable=False)
    next_due_km = models.PositiveIntegerField(_("next due at (km)"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("service plan")
        verbose_name_plural = _("service plans")
        ordering = ["truck", "name"]
        indexes = [
            models.Index(fields=["truck", "next_due_on"], name="readiness_plan_truck_due_on"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(interval_months__isnull=False) | Q(interval_km__isnull=False),
                name="readiness_plan_has_an_interval",
                violation_error_message=_("Give an interval in months, in kilometres, or both."),
            ),
            models.CheckConstraint(
                condition=Q(interval_km__isnull=True) | Q(last_done_km__isnull=False),
                name="readiness_plan_km_interval_needs_start_km",
                violation_error_message=_("A plan by kilometres needs the odometer when it was last done."),
            ),
        ]

    def __str__(self):
        return f"{self.truck} · {self.name}"

    def save(self, *args, **kwargs):
        self.next_due_on = add_months(self.last_done_on, self.interval_months) if self.interval_months else None
        self.next_due_km = (
            self.last_done_km + self.interval_km if self.interval_km and self.last_done_km is not None else None
        )
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "next_due_on", "next_due_km"}
        super().save(*args, **kwargs)

    def clean(self):
        if self.last_done_on and self.last_done_on > timezone.localdate():
            raise ValidationError({"last_done_on": _("A service cannot be done in the future.")})


class ServiceRecord(models.Model):
    """A service that was done, with its cost and notes."""

    truck = models.ForeignKey(
        "fleet.Truck", on_delete=models.CASCADE, related_name="service_records", verbose_name=_("truck")
    )
    plan = models.ForeignKey(
        ServicePlan,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="records",
        verbose_name=_("service plan"),
    )
    done_on = models.DateField(_("done on"))
    odometer_km = models.PositiveIntegerField(_("odometer (km)"), null=True, blank=True)
    cost = models.DecimalField(_("cost"), max_digits=10, decimal_places=2, null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )

    class Meta:
        verbose_name = _("completed service")
        verbose_name_plural = _("completed services")
        ordering = ["-done_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(cost__isnull=True) | Q(cost__gte=0), name="readiness_service_cost_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.truck} {self.done_on}"

    def clean(self):
        if self.done_on and self.done_on > timezone.localdate():
            raise ValidationError({"done_on": _("A service cannot be completed in the future.")})


class DocumentType(Translated):
    """Insurance, registration, roadworthiness test, or any other type set in the admin."""

    class AppliesTo(models.TextChoices):
        TRUCK = "truck", _("Truck")
        DRIVER = "driver", _("Driver")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    applies_to = models.CharField(_("applies to"), max_length=8, choices=AppliesTo, default=AppliesTo.TRUCK)

    class Meta:
        verbose_name = _("document type")
        verbose_name_plural = _("document types")
        ordering = ["applies_to", "name"]


def document_path(instance, filename):
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"documents/{timezone.now():%Y/%m}/{instance.type.code}-{timezone.now():%H%M%S%f}.{extension}"


class DocumentQuerySet(models.QuerySet):
    def expired_on(self, day):
        """Documents no longer valid on `day` that no newer one of the same
        type and holder replaces: a renewed insurance is a new row, and the
        old one stays in the history."""
        # `truck=OuterRef` never matches NULL = NULL: compare each holder apart.
        renewed_truck = Document.objects.filter(
            type=models.OuterRef("type"), truck=models.OuterRef("truck"), expires_on__gte=day
        )
        renewed_driver = Document.objects.filter(
            type=models.OuterRef("type"), driver=models.OuterRef("driver"), expires_on__gte=day
        )
        return self.filter(expires_on__lt=day).filter(
            (Q(truck__isnull=False) & ~models.Exists(renewed_truck))
            | (Q(driver__isnull=False) & ~models.Exists(renewed_driver))
        )


class Document(models.Model):
    """A truck's or a driver's document (the licence itself is the driver's own field)."""

    type = models.ForeignKey(DocumentType, on_delete=models.PROTECT, related_name="documents", verbose_name=_("type"))
    truck = models.ForeignKey(
        "fleet.Truck",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("truck"),
    )
    driver = models.ForeignKey(
        "fleet.Driver",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("driver"),
    )
    number = models.CharField(_("number"), max_length=60)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"))
    file = models.FileField(_("file"), upload_to=document_path, blank=True, validators=[validate_document_file])

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["expires_on", "id"]
        indexes = [
            models.Index(fields=["truck", "expires_on"], name="readiness_document_truck_exp"),
            models.Index(fields=["driver", "expires_on"], name="readiness_document_driver_exp"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(truck__isnull=False) & Q(driver__isnull=True))
                | (Q(truck__isnull=True) & Q(driver__isnull=False)),
                name="readiness_document_one_holder",
                violation_error_message=_("A document belongs to a truck or to a driver."),
            ),
            models.CheckConstraint(
                condition=Q(issued_on__isnull=True) | Q(expires_on__gt=F("issued_on")),
                name="readiness_document_expires_after_issue",
                violation_error_message=_("The expiry must be after the issue date."),
            ),
        ]

    def __str__(self):
        return f"{self.type} {self.number}"

    def clean(self):
        if self.issued_on and self.expires_on and self.expires_on <= self.issued_on:
            raise ValidationError({"expires_on": _("The expiry must be after the issue date.")})
        if self.type_id and (self.truck_id or self.driver_id):
            wanted = self.type.applies_to
            if (wanted == DocumentType.AppliesTo.TRUCK) != bool(self.truck_id):
                raise ValidationError(
                    {
                        "type": _("This type of document belongs to a %(holder)s.")
                        % {"holder": self.type.get_applies_to_display().lower()}
                    }
                )

    def days_left(self, today=None) -> int:
        return (self.expires_on - (today or timezone.localdate())).days

    def state(self, today=None) -> str:
        """ "expired", "expiring" (within DOCUMENT_WARNING_DAYS) or "valid"."""
        left = self.days_left(today)
        if left < 0:
            return "expired"
        return "expiring" if left <= DOCUMENT_WARNING_DAYS else "valid"


class RiskAlert(models.Model):
    """A clinic day at risk that fleet managers were told about (readiness.alerts),
    so the daily alert names only new risks. `key` is AtRiskDay.key: the
    clinic, the day and the reasons; a new reason is a new risk."""

    key = models.CharField(_("risk"), max_length=255, unique=True)
    day = models.DateField(_("day"), db_index=True)
    alerted_at = models.DateTimeField(_("alerted at"), default=timezone.now)

    class Meta:
        verbose_name = _("risk alert")
        verbose_name_plural = _("risk alerts")

    def __str__(self):
        return self.key
