"""The fleet register: client companies, drivers, trucks and who drives which.

The database holds the rules that must always hold (unique codes, plates and
licence numbers; one current assignment per driver and per truck; an
assignment ends after it starts). Python validation only gives the friendly
message first. Workflows that touch several rows (assign, release) live in
`fleet.services`.
"""

import datetime
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Concat, Upper
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from accounts import phones
from accounts.models import normalize_email
from accounts.roles import Role, has_role
from accounts.validators import validate_name

# How far ahead a licence expiry counts as "expiring soon".
LICENCE_WARNING_DAYS = 30
# The generation (pagecache.fragments) of the cached fleet lists: bumped by
# fleet.signals on every change to the register.
FLEET_REGISTER = "fleet"

TRUCK_CODE_PATTERN = r"^[A-Z]{3}-[0-9]{4}$"
truck_code_validator = RegexValidator(
    TRUCK_CODE_PATTERN,
    _("Enter a truck code of three letters, a dash and four digits, like TRK-0042."),
)


def normalize_identifier(value: str) -> str:
    """The one spelling we store for codes, plates and licence numbers:
    trimmed, upper-case, inner runs of spaces collapsed to one."""
    return re.sub(r"\s+", " ", (value or "").strip()).upper()


class Client(models.Model):
    """A customer company whose drivers we register."""

    name = models.CharField(_("name"), max_length=200, unique=True, validators=[validate_name])
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True, validators=[validate_name])
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone = PhoneNumberField(_("contact phone"), blank=True)
    contact_phone_unparsed = models.CharField(
        _("contact phone as first entered (not a valid number)"), max_length=200, blank=True, default="", db_default=""
    )

    class Meta:
        verbose_name = _("client company")
        verbose_name_plural = _("client companies")
        ordering = ["name"]
        constraints = [phones.E164Only("contact_phone", name="fleet_client_contact_phone_e164")]

    def __str__(self):
        return self.name


class ClientMembership(models.Model):
    """A client user belongs to exactly one client company."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="client_membership",
        verbose_name=_("user"),
    )
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("client"))

    class Meta:
        verbose_name = _("client membership")
        verbose_name_plural = _("client memberships")

    def __str__(self):
        return f"{self.user} @ {self.client}"


class DriverQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The drivers `user` may see, by the rules of the fleet pages and the
        API alike: the whole register for those who may view drivers (clinic
        staff, fleet managers, admins); a client user only their own company's
        active drivers; nobody else any."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.has_perm("fleet.view_driver"):
            return self.all()
        return self.of_client_user(user)

    def of_client_user(self, user):
        """A client user's own company's active drivers (none without a company).
        The client portal shows these, with limited fields."""
        if not has_role(user, Role.CLIENT_USER):
            return self.none()
        return self.filter(client__memberships__user=user, is_active=True)

    def with_current_truck(self):
        """Annotate `current_truck_id` and `current_truck_code` with one
        subquery each, evaluated only for the rows fetched (no query per row)."""
        current = Assignment.objects.filter(driver=OuterRef("pk"), until__isnull=True).order_by()
        return self.annotate(
            current_truck_id=Subquery(current.values("truck_id")[:1]),
            current_truck_code=Subquery(current.values("truck__code")[:1]),
        )

    def search(self, text: str):
        """Drivers whose name, licence number, phone, email or current truck
        code contains `text` (any letter case). On PostgreSQL a trigram GIN
        index on `search_text` answers it (migration 0002)."""
        text = normalize_search(text)
        if not text:
            return self
        digits = phones.digits_of(text)  # numbers are stored without spaces
        return self.filter(
            Q(search_text__contains=text) | Q(search_text__contains=digits) if digits else Q(search_text__contains=text)
        )

    def search_for(self, user, text: str):
        """`search`, over only what `user` is shown of a driver: the whole
        record for those who may view drivers; for a client user (the
        portal) name, phone and current truck code, never the licence number
        or email, which a prefix search would otherwise spell out."""
        if user.has_perm("fleet.view_driver"):
            return self.search(text)
        text = normalize_search(text)
        if not text:
            return self
        current = Assignment.objects.filter(driver=OuterRef("pk"), until__isnull=True).order_by()
        return self.alias(
            shown_name=Concat("first_name", Value(" "), "last_name"),
            shown_truck_code=Subquery(current.values("truck__code")[:1]),
        ).filter(
            Q(shown_name__icontains=text)
            | Q(phone__icontains=phones.digits_of(text) or text)
            | Q(shown_truck_code__icontains=text)
        )

    def licence_expired(self, today=None):
        return self.filter(licence_expiry__lt=today or timezone.localdate())

    def licence_expiring(self, today=None):
        """Still valid, but expiring within LICENCE_WARNING_DAYS."""
        today = today or timezone.localdate()
        return self.filter(
            licence_expiry__gte=today, licence_expiry__lte=today + datetime.timedelta(days=LICENCE_WARNING_DAYS)
        )

    def licence_needs_attention(self, today=None):
        """Expired, or expiring within LICENCE_WARNING_DAYS."""
        today = today or timezone.localdate()
        return self.filter(licence_expiry__lte=today + datetime.timedelta(days=LICENCE_WARNING_DAYS))

    def driving_on_expired_licence(self, today=None):
        """Expired licence, and still holding a truck: the risk the fleet pages flag in red."""
        return self.licence_expired(today).filter(_holds_a_truck())

    def licence_summary(self, today=None) -> dict:
        """How many of these drivers have an expired licence, how many expire
        within LICENCE_WARNING_DAYS, and how many drive on an expired one (one query)."""
        today = today or timezone.localdate()
        expired = Q(licence_expiry__lt=today)
        soon = Q(licence_expiry__gte=today, licence_expiry__lte=today + datetime.timedelta(days=LICENCE_WARNING_DAYS))
        return self.aggregate(
            expired=Count("pk", filter=expired),
            expiring=Count("pk", filter=soon),
            driving_expired=Count("pk", filter=expired & _holds_a_truck()),
        )


def _holds_a_truck():
    return Q(Exists(Assignment.objects.filter(driver=OuterRef("pk"), until__isnull=True)))


def normalize_search(text: str) -> str:
    return re.sub(r"\s+", " ", (text or "").strip()).lower()


class LicenceStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    EXPIRING = "expiring", _("Expires soon")
    EXPIRED = "expired", _("Expired")


class Driver(models.Model):
    """A person who drives a truck; may sign in to see their own record."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="driver_profile",
        verbose_name=_("login account"),
        help_text=_("Optional: the account this driver signs in with to see their record."),
    )
    # The address the driver signs in with. `user` follows it (fleet.services.
    # link_login): the account using it now, or the one that confirms it later.
    login_email = models.EmailField(
        _("login email"),
        blank=True,
        default="",
        db_default="",  # rows written around the model (COPY of the bench data) get it too
        help_text=_("Optional: the email the driver signs in with to see this record. They get the Driver role."),
    )
    first_name = models.CharField(_("first name"), max_length=150, validators=[validate_name])
    last_name = models.CharField(_("last name"), max_length=150, validators=[validate_name])
    phone = PhoneNumberField(_("phone"), blank=True)
    # A number stored before phones were validated that was not one (accounts.phones).
    phone_unparsed = models.CharField(
        _("phone as first entered (not a valid number)"), max_length=200, blank=True, default="", db_default=""
    )
    email = models.EmailField(_("email"), blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    licence_number = models.CharField(_("licence number"), max_length=32, unique=True)
    licence_expiry = models.DateField(_("licence expiry"), db_index=True)
    address = models.TextField(_("address"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    client = models.ForeignKey(
        Client,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="drivers",
        verbose_name=_("client company"),
    )
    # Lower-case "name licence phone email current-truck-code", kept up to
    # date by save() and by Assignment.save() when the current truck changes, so
    # one trigram index answers the list search (see DriverQuerySet.search).
    search_text = models.CharField(max_length=700, editable=False, default="")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = DriverQuerySet.as_manager()

    class Meta:
        verbose_name = _("driver")
        verbose_name_plural = _("drivers")
        ordering = ["last_name", "first_name", "id"]
        permissions = [("export_driver", _("Can export the driver list as CSV"))]
        indexes = [
            # One index per sort order and per filter of the driver list.
            models.Index(fields=["last_name", "first_name", "id"], name="fleet_driver_name_idx"),
            models.Index(fields=["client", "last_name", "first_name", "id"], name="fleet_driver_client_name_idx"),
            models.Index(fields=["is_active", "last_name", "first_name", "id"], name="fleet_driver_active_name_idx"),
        ]
        constraints = [
            # save() stores licence numbers upper-case; this holds even for rows
            # written around the model, so uniqueness is case-insensitive.
            models.CheckConstraint(
                condition=Q(licence_number=Upper("licence_number")), name="fleet_driver_licence_upper_case"
            ),
            phones.E164Only("phone", name="fleet_driver_phone_e164"),
            models.UniqueConstraint(
                fields=["login_email"],
                condition=~Q(login_email=""),
                name="fleet_driver_login_email_unique",
                violation_error_message=_("Another driver already signs in with this email."),
            ),
        ]

    def __str__(self):
        return self.full_name

    def save(self, *args, **kwargs):
        self.licence_number = normalize_identifier(self.licence_number)
        self.email = (self.email or "").strip().lower()
        self.login_email = normalize_email(self.login_email)
        self.search_text = self.build_search_text(self._current_truck_code_for_search())
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("fleet:driver-detail", args=[self.pk])

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def clean(self):
        super().clean()
        self.licence_number = normalize_identifier(self.licence_number)
        self.login_email = normalize_email(self.login_email)
        if self.date_of_birth and self.date_of_birth > timezone.localdate():
            raise ValidationError({"date_of_birth": _("The date of birth cannot be in the future.")})

    def _current_truck_code_for_search(self):
        if self.pk is None:
            return ""
        current = self.assignments.filter(until__isnull=True).values_list("truck__code", flat=True).first()
        return current or ""

    def build_search_text(self, truck_code: str = "") -> str:
        parts = [
            self.first_name,
            self.last_name,
            self.licence_number,
            phones.searchable(self.phone),
            self.email,
            truck_code,
        ]
        return normalize_search(" ".join(part for part in parts if part))[:700]

    def licence_status(self, today=None) -> LicenceStatus:
        today = today or timezone.localdate()
        if self.licence_expiry < today:
            return LicenceStatus.EXPIRED
        if self.licence_expiry <= today + datetime.timedelta(days=LICENCE_WARNING_DAYS):
            return LicenceStatus.EXPIRING
        return LicenceStatus.VALID

    def licence_days_left(self, today=None) -> int:
        return (self.licence_expiry - (today or timezone.localdate())).days

    @property
    def current_assignment(self):
        return self.assignments.filter(until__isnull=True).select_related("truck").first()


class TruckStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    MAINTENANCE = "maintenance", _("In maintenance")
    RETIRED = "retired", _("Retired")


class TruckQuerySet(models.QuerySet):
    def with_current_driver(self):
        current = Assignment.objects.filter(truck=OuterRef("pk"), until__isnull=True).order_by()
        return self.annotate(
            current_driver_id=Subquery(current.values("driver_id")[:1]),
            current_driver_first_name=Subquery(current.values("driver__first_name")[:1]),
            current_driver_last_name=Subquery(current.values("driver__last_name")[:1]),
        )

    def search(self, text: str):
        text = normalize_identifier(text)
        return self.filter(Q(code__contains=text) | Q(plate__contains=text)) if text else self


def _year_limit():
    return timezone.now().year + 1


class Truck(models.Model):
    """A vehicle that carries a mobile clinic, known by its special code."""

    code = models.CharField(
        _("code"),
        max_length=8,
        validators=[truck_code_validator],
        help_text=_("Three letters, a dash and four digits, like TRK-0042."),
    )
    plate = models.CharField(_("number plate"), max_length=16, unique=True)
    make = models.CharField(_("make"), max_length=60)
    model = models.CharField(_("model"), max_length=60)
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(1980), MaxValueValidator(limit_value=_year_limit)]
    )
    status = models.CharField(_("status"), max_length=12, choices=TruckStatus.choices, default=TruckStatus.ACTIVE)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = TruckQuerySet.as_manager()

    class Meta:
        verbose_name = _("truck")
        verbose_name_plural = _("trucks")
        ordering = ["code"]
        indexes = [models.Index(fields=["status", "code"], name="fleet_truck_status_code_idx")]
        constraints = [
            # "trk-0042" and "TRK-0042" are the same truck.
            models.UniqueConstraint(
                Upper("code"),
                name="fleet_truck_code_ci_unique",
                violation_error_message=_("A truck with this code already exists."),
            ),
            models.CheckConstraint(condition=Q(code=Upper("code")), name="fleet_truck_code_upper_case"),
            models.CheckConstraint(condition=Q(plate=Upper("plate")), name="fleet_truck_plate_upper_case"),
            models.CheckConstraint(condition=Q(status__in=TruckStatus.values), name="fleet_truck_status_valid"),
        ]

    def __str__(self):
        return self.code

    def save(self, *args, **kwargs):
        self.code = normalize_identifier(self.code)
        self.plate = normalize_identifier(self.plate)
        code_changed = self.pk is not None and not Truck.objects.filter(pk=self.pk, code=self.code).exists()
        super().save(*args, **kwargs)
        if code_changed:
            # The current driver is found by this truck's code in the list search.
            for driver in Driver.objects.filter(assignments__truck=self, assignments__until__isnull=True):
                driver.save(update_fields=["search_text"])

    def get_absolute_url(self):
        return reverse("fleet:truck-detail", args=[self.pk])

    def clean_fields(self, exclude=None):
        # Normalise before the format validator runs, so "trk-0042 " passes.
        self.code = normalize_identifier(self.code)
        self.plate = normalize_identifier(self.plate)
        super().clean_fields(exclude=exclude)

    @property
    def current_assignment(self):
        return self.assignments.filter(until__isnull=True).select_related("driver").first()


class Assignment(models.Model):
    """A driver drives a truck from `since` until `until` (empty: still now)."""

    driver = models.ForeignKey(Driver, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("driver"))
    truck = models.ForeignKey(Truck, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("truck"))
    since = models.DateTimeField(_("from"), default=timezone.now)
    until = models.DateTimeField(_("until"), null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned by"),
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("released by"),
    )

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["-since", "-id"]
        indexes = [
            models.Index(fields=["driver", "-since"], name="fleet_assign_driver_since_idx"),
            models.Index(fields=["truck", "-since"], name="fleet_assign_truck_since_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["driver"],
                condition=Q(until__isnull=True),
                name="fleet_one_current_truck_per_driver",
                violation_error_message=_("This driver already has a current truck."),
            ),
            models.UniqueConstraint(
                fields=["truck"],
                condition=Q(until__isnull=True),
                name="fleet_one_current_driver_per_truck",
                violation_error_message=_("This truck is already assigned to another driver."),
            ),
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gt=models.F("since")),
                name="fleet_assignment_ends_after_it_starts",
                violation_error_message=_("An assignment must end after it starts."),
            ),
        ]

    def __str__(self):
        return f"{self.truck} → {self.driver}"

    def save(self, *args, **kwargs):
        # The driver list finds a driver by their current truck's code, so
        # every write here (services, admin) refreshes the drivers concerned.
        previous_driver_id = (
            Assignment.objects.filter(pk=self.pk).values_list("driver_id", flat=True).first() if self.pk else None
        )
        super().save(*args, **kwargs)
        self._refresh_drivers({self.driver_id, previous_driver_id})

    def delete(self, *args, **kwargs):
        driver_id = self.driver_id
        result = super().delete(*args, **kwargs)
        self._refresh_drivers({driver_id})
        return result

    @staticmethod
    def _refresh_drivers(driver_ids):
        for driver in Driver.objects.filter(pk__in=driver_ids - {None}):
            driver.save(update_fields=["search_text"])

    @property
    def is_current(self):
        return self.until is None


class TruckCondition(models.Model):
    """A truck's technical condition as an equipment-monitoring system reported
    it (through the API): overall status, odometer and the raw readings."""

    class Status(models.TextChoices):
        OK = "ok", _("OK")
        WARNING = "warning", _("Warning")
        FAULT = "fault", _("Fault")
        OFFLINE = "offline", _("Offline")

    truck = models.ForeignKey(Truck, on_delete=models.CASCADE, related_name="conditions", verbose_name=_("truck"))
    status = models.CharField(_("status"), max_length=12, choices=Status)
    odometer_km = models.PositiveIntegerField(_("odometer (km)"), null=True, blank=True)
    readings = models.JSONField(_("readings"), default=dict, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"))
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reported by"),
    )

    class Meta:
        verbose_name = _("truck condition")
        verbose_name_plural = _("truck conditions")
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["truck", "-recorded_at"], name="fleet_condition_truck_rec_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["ok", "warning", "fault", "offline"]), name="fleet_condition_status_valid"
            ),
        ]

    def __str__(self):
        return f"{self.truck} {self.status} {self.recorded_at:%Y-%m-%d %H:%M}"


# A logger's plausible range: a reading outside it is a broken sensor or a
# typo, refused with the row named rather than stored as an "excursion".
READING_MIN_CELSIUS = -90
READING_MAX_CELSIUS = 90


class TemperatureReading(models.Model):
    """One reading of a truck's vaccine fridge, as its logger sent it.

    A year of one reading a minute is 525,600 rows a truck: the unique index
    on (truck, at) is what makes ingest idempotent and what the chart and the
    excursion check read (an index range, never the table)."""

    id = models.BigAutoField(primary_key=True)
    truck = models.ForeignKey(Truck, on_delete=models.CASCADE, related_name="temperatures", verbose_name=_("truck"))
    at = models.DateTimeField(_("at"))
    celsius = models.FloatField(
        _("°C"), validators=[MinValueValidator(READING_MIN_CELSIUS), MaxValueValidator(READING_MAX_CELSIUS)]
    )

    class Meta:
        verbose_name = _("temperature reading")
        verbose_name_plural = _("temperature readings")
        ordering = ["truck", "at"]
        constraints = [
            models.UniqueConstraint(fields=["truck", "at"], name="fleet_reading_one_per_instant"),
            models.CheckConstraint(
                condition=Q(celsius__gte=READING_MIN_CELSIUS, celsius__lte=READING_MAX_CELSIUS),
                name="fleet_reading_plausible",
            ),
        ]

    def __str__(self):
        return f"{self.truck_id} {self.at:%Y-%m-%d %H:%M} {self.celsius} °C"


class ExcursionQuerySet(models.QuerySet):
    def with_truck(self):
        return self.select_related("truck")


class Excursion(models.Model):
    """A stretch when a truck's fridge stayed outside the vaccines' range for
    longer than the grace (fleet.coldchain). Detected when readings arrive;
    `fleet.coldchain.excursion_detected` tells the stock side."""

    truck = models.ForeignKey(Truck, on_delete=models.PROTECT, related_name="excursions", verbose_name=_("truck"))
    started_at = models.DateTimeField(_("started at"))
    # The first reading back in range; empty while the last reading is still out.
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    last_out_at = models.DateTimeField(_("last reading out of range"))
    low_celsius = models.FloatField(_("lowest allowed °C"))
    high_celsius = models.FloatField(_("highest allowed °C"))
    worst_celsius = models.FloatField(_("worst reading °C"))
    detected_at = models.DateTimeField(_("detected at"), default=timezone.now)

    objects = ExcursionQuerySet.as_manager()

    class Meta:
        verbose_name = _("temperature excursion")
        verbose_name_plural = _("temperature excursions")
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["truck", "started_at"], name="fleet_excursion_truck_start")]
        constraints = [
            models.UniqueConstraint(fields=["truck", "started_at"], name="fleet_excursion_unique_start"),
            models.CheckConstraint(condition=Q(last_out_at__gte=F("started_at")), name="fleet_excursion_ordered"),
        ]

    def __str__(self):
        return f"{self.truck} {self.started_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self):
        return reverse("fleet:truck-detail", args=[self.truck_id])

    @property
    def minutes(self) -> int:
        end = self.ended_at or self.last_out_at
        return int((end - self.started_at).total_seconds() // 60)
