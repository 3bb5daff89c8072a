"""Clinics, their bookable slots and the appointments people hold in them.

Rules about one row live here; workflows that must hold under concurrency
(booking, cancelling, rescheduling) live in `vaccination.services`. Every rule
that must always hold is also a database constraint.
"""

import bisect
import itertools
import secrets
import zoneinfo
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

import sqlprepared
from pagecache import fragments

# No 0/O, 1/I/L: a code read aloud or typed from a phone screen must not be ambiguous.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
# The generation (pagecache.fragments) of what the booking picker shows: clinics,
# vaccines, slots and their free seats. Bumped on every change to them.
FREE_SEATS = "free-seats"
# Seats taken and freed bump FREE_SEATS at most this often; a cached picker
# lives at most PICKER_SECONDS (vaccination.views), so during a burst of
# bookings the seat counts it shows are at most that old.
SEATS_BUMP_SECONDS = 2


def day_board(site_id) -> str:
    """The generation of a clinic's day board: every appointment change there bumps it."""
    return f"board:{site_id}"


# Clinics' and vaccines' names, shown on the day boards.
CATALOGUE = "catalogue"


# One booked appointment per person and vaccine (services tells a second tab's booking by it).
ONE_BOOKED_PER_VACCINE = "vaccination_appointment_one_booked_per_vaccine"
# A desk form's attempt is logged once (the check-in statement tells a repeat by it).
ONE_LOG_PER_ATTEMPT = "vaccination_checkinlog_one_per_attempt"


def new_confirmation_code() -> str:
    """Random, typeable and unrelated to anything else about the appointment."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def validate_time_zone(value):
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone, e.g. Europe/Madrid."), params={"value": value})


def default_time_zone():
    return settings.TIME_ZONE


def in_language(instance, name: str) -> str:
    """Text kept in the database in two languages, as a field pair: `name`
    (English, the fallback) and `name_es`. The active language's text, the
    English one when it is not translated (docs/places.md, "Texts in two
    languages")."""
    from django.utils import translation

    language = (translation.get_language() or "en").split("-")[0]
    return (getattr(instance, f"{name}_{language}", "") if language != "en" else "") or getattr(instance, name)


class Vaccine(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    doses_required = models.PositiveSmallIntegerField(_("doses required"), default=1)
    min_days_between_doses = models.PositiveSmallIntegerField(
        _("minimum days between doses"), default=0, help_text=_("0 for a single-dose vaccine.")
    )
    # Shown on the booking page before a place and time are chosen.
    who_for = models.TextField(_("who it is for (English)"), blank=True)
    who_for_es = models.TextField(_("who it is for (Spanish)"), blank=True)
    speak_to_clinician_if = models.TextField(
        _("speak to a clinician first if (English)"),
        blank=True,
        help_text=_("When a person should talk to a doctor or nurse before booking."),
    )
    speak_to_clinician_if_es = models.TextField(_("speak to a clinician first if (Spanish)"), blank=True)

    class Meta:
        verbose_name = _("vaccine")
        verbose_name_plural = _("vaccines")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(doses_required__gte=1), name="vaccination_vaccine_doses_positive"),
        ]

    def __str__(self):
        return self.name

    @property
    def localized_who_for(self) -> str:
        return in_language(self, "who_for")

    @property
    def localized_speak_to_clinician_if(self) -> str:
        return in_language(self, "speak_to_clinician_if")


class Site(models.Model):
    """A clinic: a fixed address, or a mobile clinic parked at one."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    address = models.TextField(_("address"))
    is_active = models.BooleanField(_("active"), default=True, help_text=_("Inactive clinics take no bookings."))
    is_mobile = models.BooleanField(_("mobile clinic"), default=False)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default=default_time_zone, validators=[validate_time_zone]
    )
    what_to_bring = models.TextField(
        _("what to bring"), blank=True, help_text=_("Shown on the confirmation; a general list is shown when empty.")
    )
    # Where the clinic is, for "nearest clinic" (vaccination.finder): a
    # clinic without coordinates is listed after those with a distance.
    latitude = models.FloatField(_("latitude"), null=True, blank=True, help_text=_("Decimal degrees, e.g. 40.4168."))
    longitude = models.FloatField(_("longitude"), null=True, blank=True, help_text=_("Decimal degrees, e.g. -3.7038."))
    # Access information shown to people choosing a clinic. None: not known.
    step_free_access = models.BooleanField(_("step-free access"), null=True, blank=True)
    parking = models.BooleanField(_("parking"), null=True, blank=True)
    access_notes = models.TextField(
        _("access notes (English)"), blank=True, help_text=_("E.g. the entrance, a lift, the nearest bus stop.")
    )
    access_notes_es = models.TextField(_("access notes (Spanish)"), blank=True)
    # A mobile clinic rides on a truck; fleet pages follow `truck.mobile_sites`
    # back to the clinic days, so fleet never imports this app.
    truck = models.ForeignKey(
        "fleet.Truck",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mobile_sites",
        verbose_name=_("truck"),
        help_text=_("Only for a mobile clinic: the truck that brings it."),
    )
    # Clinic staff who work the desk here. A desk only checks in this
    # clinic's appointments unless the staff member works at the other too.
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="clinic_sites", verbose_name=_("clinic staff")
    )

    class Meta:
        verbose_name = _("clinic")
        verbose_name_plural = _("clinics")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(truck__isnull=True) | Q(is_mobile=True), name="vaccination_site_truck_only_when_mobile"
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(
                    latitude__isnull=False,
                    longitude__isnull=False,
                    latitude__gte=-90,
                    latitude__lte=90,
                    longitude__gte=-180,
                    longitude__lte=180,
                ),
                name="vaccination_site_coordinates_valid",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def tzinfo(self):
        return zoneinfo.ZoneInfo(self.time_zone)

    def local_day_bounds(self, day: date) -> tuple[datetime, datetime]:
        """The aware instants at which `day` starts and ends at this clinic."""
        start = datetime.combine(day, time.min, tzinfo=self.tzinfo)
        end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=self.tzinfo)
        return start, end

    def today(self) -> date:
        return timezone.localtime(timezone=self.tzinfo).date()

    @property
    def localized_access_notes(self) -> str:
        return in_language(self, "access_notes")

    def clean(self):
        if self.truck_id and not self.is_mobile:
            raise ValidationError({"truck": _("Only a mobile clinic is served by a truck.")})
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError(_("Give both the latitude and the longitude, or neither."))
        if self.latitude is not None and not -90 <= self.latitude <= 90:
            raise ValidationError({"latitude": _("A latitude is between -90 and 90.")})
        if self.longitude is not None and not -180 <= self.longitude <= 180:
            raise ValidationError({"longitude": _("A longitude is between -180 and 180.")})

    def opening_hours_summary(self) -> list["OpeningDay"]:
        """The clinic's week, Monday first: seven OpeningDay rows, each with
        its periods (opens, closes) in local time, earliest first; a closed
        day has none. Reads `self.opening_hours.all()`, so a list of clinics
        answers in one query with `prefetch_related("opening_hours")`.
        Public pages may show it: opening hours are not personal data."""
        periods = {weekday: [] for weekday in range(7)}
        for hours in sorted(self.opening_hours.all(), key=lambda h: (h.weekday, h.opens)):
            periods[hours.weekday].append((hours.opens, hours.closes))
        return [OpeningDay(weekday, Weekday(weekday).label, periods[weekday]) for weekday in range(7)]


class Weekday(models.IntegerChoices):
    """Python's numbering (date.weekday()): Monday is 0."""

    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


@dataclass(frozen=True)
class OpeningDay:
    """One day of Site.opening_hours_summary()."""

    weekday: int  # 0 = Monday, as date.weekday()
    name: str  # the day's name in the active language
    periods: list  # [(opens, closes)] as datetime.time, local to the clinic; empty when closed

    @property
    def is_open(self) -> bool:
        return bool(self.periods)


class OpeningHours(models.Model):
    """One period a clinic is open on a day of the week, in its local time
    (09:00-13:00 and 15:00-19:00 on a Monday are two rows). Slots are
    generated from these (vaccination.timetable.generate_slots). Periods of
    one day never overlap: vaccination.timetable.set_opening_hours checks it
    with the clinic locked, since a constraint across rows needs PostgreSQL
    only (the project also runs on SQLite)."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="opening_hours", verbose_name=_("clinic"))
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday)
    opens = models.TimeField(_("opens at"))
    closes = models.TimeField(_("closes at"))

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["site", "weekday", "opens"]
        constraints = [
            models.CheckConstraint(condition=Q(closes__gt=F("opens")), name="vaccination_hours_close_after_open"),
            models.CheckConstraint(condition=Q(weekday__gte=0, weekday__lte=6), name="vaccination_hours_weekday"),
            models.UniqueConstraint(fields=["site", "weekday", "opens"], name="vaccination_hours_unique_start"),
        ]

    def __str__(self):
        return f"{self.site} · {Weekday(self.weekday).label} {self.opens:%H:%M}-{self.closes:%H:%M}"


# How far ahead people may book: the booking pages show this many days.
BOOKING_DAYS_AHEAD = 14
# A booked appointment can be checked in until its slot ended this long ago;
# from then on it is missed (a no-show): it no longer holds the person's one
# booking, and mark_no_shows records it.
NO_SHOW_GRACE = timedelta(hours=1)
# On the day board, a person still booked this long after their time is flagged late.
LATE_AFTER = timedelta(minutes=15)


def booking_horizon() -> datetime:
    """Slots starting before this instant are within the booking window: the
    picker, the API's list of free slots and the booking service agree on it."""
    return timezone.now() + timedelta(days=BOOKING_DAYS_AHEAD + 1)


class SlotQuerySet(models.QuerySet):
    def offered(self):
        """The free seats the booking pages and the API offer: bookable, and
        within the booking horizon."""
        return self.bookable().filter(start__lt=booking_horizon())

    def upcoming(self):
        return self.filter(start__gt=timezone.now())

    def bookable(self):
        """Slots a person could take now: in the future, at an open clinic, with a seat left."""
        return self.upcoming().filter(site__is_active=True, booked_count__lt=F("capacity"))

    def on_local_day(self, site: Site, day: date):
        start, end = site.local_day_bounds(day)
        return self.filter(site=site, start__gte=start, start__lt=end)

    def generate(
        self,
        *,
        site,
        vaccine,
        first_day,
        last_day,
        minutes,
        capacity,
        opens=None,
        closes=None,
        weekdays=None,
        hours=None,
        commit=True,
    ):
        """Create the slots of a timetable at `site` and say what the run did
        (a SlotRun). Safe to run again: slots that exist are left as they are.

        The timetable is either `hours` ({weekday: [(opens, closes), ...]},
        Monday 0, the shape of the clinic's OpeningHours) or one period
        `opens`-`closes` on each of `weekdays` (every day when None).
        Each period starts at its opening time in the clinic's local time
        (09:00 stays 09:00 across a daylight-saving change); within it slots
        follow one another in real time, so each lasts `minutes` however the
        clocks move, and no slot starts at a time that does not exist locally.
        Raises SlotOverlapError, creating nothing, when a new slot would
        overlap one that exists (another length or opening time than before).
        With commit=False nothing is written: the SlotRun says what a run
        would do now (the preview of the set-up page).
        Callers validate their input first: vaccination.timetable.generate_slots.
        """
        if hours is None:
            hours = {day: [(opens, closes)] for day in (range(7) if weekdays is None else weekdays)}
        length = timedelta(minutes=minutes)
        run = SlotRun()
        wanted = []
        day = first_day
        while day <= last_day:
            for day_opens, day_closes in sorted(hours.get(day.weekday(), ())):
                day_starts = _day_starts(site, day, day_opens, day_closes, length)
                if day_starts and _clocks_change(site, day, day_opens, day_closes) and day not in run.clock_change_days:
                    run.clock_change_days.append(day)
                wanted.extend(day_starts)
            day += timedelta(days=1)
        if not wanted:
            return run
        wanted.sort()
        with transaction.atomic():
            if commit:
                # Two runs for one clinic at once take turns, so each counts only
                # what it inserted. NO KEY: desks and bookings that point at the
                # clinic do not wait for it.
                Site.objects.select_for_update(no_key=True).only("pk").get(pk=site.pk)
            existing = list(
                self.filter(site=site, vaccine=vaccine, start__lt=wanted[-1] + length, end__gt=wanted[0])
                .order_by("start")
                .values_list("start", "end", "capacity")
            )
            same = {(start, end): seats for start, end, seats in existing}
            starts = [start for start, _end, _seats in existing]
            latest_end = list(itertools.accumulate((end for _start, end, _seats in existing), max))
            new = []
            for start in wanted:
                end = start + length
                if (start, end) in same:
                    run.already_there += 1
                    run.other_capacity += same[(start, end)] != capacity
                    continue
                before = bisect.bisect_left(starts, end) - 1
                if before >= 0 and latest_end[before] > start:
                    clash = next(e for e in existing if e[0] < end and e[1] > start)
                    raise SlotOverlapError(
                        site=site, start=start, end=end, existing_start=clash[0], existing_end=clash[1]
                    )
                new.append(Slot(site=site, vaccine=vaccine, start=start, end=end, capacity=capacity))
            run.created = len(new)
            if not commit:
                return run
            # ignore_conflicts: a slot added by hand meanwhile is not an error.
            self.bulk_create(new, ignore_conflicts=True)
        if new:
            # bulk_create sends no signal: bump what slot_changed (vaccination.signals)
            # would, once the slots are there for the pages to read (after the
            # caller's transaction, when there is one).
            transaction.on_commit(lambda: fragments.bump(FREE_SEATS, day_board(site.pk)))
        return run


@dataclass
class SlotRun:
    """What one generate run did."""

    created: int = 0
    already_there: int = 0
    other_capacity: int = 0  # of those already there, with another capacity (left as it was)
    clock_change_days: list = field(default_factory=list)


class SlotOverlapError(Exception):
    """A generated slot would overlap an existing one at the clinic."""

    def __init__(self, *, site, start, end, existing_start, existing_end):
        super().__init__(f"{start}-{end} overlaps {existing_start}-{existing_end}")
        self.site = site
        self.start, self.end = start, end
        self.existing_start, self.existing_end = existing_start, existing_end


def _local(site, day: date, moment: time, *, fold=0) -> datetime:
    """`moment` on `day` at `site` as a real instant (UTC). A time skipped by
    the clocks going forward lands just after the gap, like a wall clock."""
    return datetime.combine(day, moment, tzinfo=site.tzinfo).replace(fold=fold).astimezone(UTC)


def _day_starts(site, day, opens, closes, length) -> list[datetime]:
    # fold=1: when the clocks go back during the night, the repeated hour is open too.
    start, day_end = _local(site, day, opens), _local(site, day, closes, fold=1)
    starts = []
    while start + length <= day_end:
        starts.append(start)
        start += length  # real time: UTC arithmetic
    return starts


def _clocks_change(site, day, opens, closes) -> bool:
    def offset(moment, fold):
        return datetime.combine(day, moment, tzinfo=site.tzinfo).replace(fold=fold).utcoffset()

    return offset(opens, 0) != offset(closes, 1)


class Slot(models.Model):
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="slots", verbose_name=_("clinic"))
    vaccine = models.ForeignKey(Vaccine, on_delete=models.PROTECT, related_name="slots", verbose_name=_("vaccine"))
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    capacity = models.PositiveSmallIntegerField(_("capacity"))
    # Seats taken (every appointment in the slot that is not cancelled, and
    # every seat held for a visitor confirming their email: SeatHold). Kept
    # by one conditional UPDATE in services.py; the CHECK below is what makes
    # overbooking impossible, whatever writes to the table.
    booked_count = models.PositiveSmallIntegerField(_("seats taken"), default=0, editable=False)

    objects = SlotQuerySet.as_manager()

    class Meta:
        verbose_name = _("slot")
        verbose_name_plural = _("slots")
        ordering = ["start", "site__name"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="vaccination_slot_end_after_start"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="vaccination_slot_capacity_positive"),
            models.CheckConstraint(
                condition=Q(booked_count__gte=0, booked_count__lte=F("capacity")),
                name="vaccination_slot_never_overbooked",
            ),
            # generate_slots relies on this to be safe to run twice.
            models.UniqueConstraint(fields=["site", "vaccine", "start"], name="vaccination_slot_unique_start"),
        ]
        indexes = [
            models.Index(fields=["site", "start"], name="vaccination_slot_site_start"),
        ]
        # No index holds booked_count: every seat taken or freed changes it,
        # and an UPDATE that changes no indexed column is a HOT update on
        # PostgreSQL (no new entry in any of the table's indexes). A covering
        # index of the free seats (migration 0005) made every booking write an
        # entry in each of them; the picker, which reads every slot of the
        # coming days anyway, went no faster for it (migration 0017).

    def __str__(self):
        local = timezone.localtime(self.start, self.site.tzinfo)
        return f"{self.site} · {local:%Y-%m-%d %H:%M} · {self.vaccine}"

    def clean(self):
        if self.start and self.end and self.end <= self.start:
            raise ValidationError({"end": _("The end must be after the start.")})
        if self.capacity is not None and self.capacity < self.booked_count:
            raise ValidationError({"capacity": _("%(n)s seats are already taken.") % {"n": self.booked_count}})

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.booked_count, 0)

    @property
    def local_start(self) -> datetime:
        return timezone.localtime(self.start, self.site.tzinfo)


# Every booking POST loads its slot with the clinic and the vaccine (the
# form's choice, vaccination.forms.SlotChoiceField): compiled once (sqlprepared).
SLOT_WITH_DETAILS = sqlprepared.Prepared(
    lambda pk: Slot.objects.select_related("site", "vaccine").filter(pk=pk).order_by(), sample=(918273645,)
)

# The bookings a person holds and the doses they were given (every booking
# reads them: vaccination.services.book), compiled once; in no order.
BOOKINGS_AND_DOSES = sqlprepared.Prepared(
    lambda person_id: (
        Appointment.objects.filter(person_id=person_id)
        .filter(Q(status=Appointment.Status.BOOKED) | Q(dose_given_at__isnull=False))
        .select_related("slot__site")
        .order_by()
    ),
    sample=(918273645,),
)
# A booking POST's two reads, the slot it names and the person's bookings
# and doses, in one round trip (vaccination.forms.SlotForm with a person).
SLOT_AND_BOOKINGS = sqlprepared.Together(SLOT_WITH_DETAILS, BOOKINGS_AND_DOSES)


class AppointmentQuerySet(models.QuerySet):
    def of(self, person):
        """`person`'s own appointments and those of the people they care for
        (accounts.User.carer): all a person may see or change, on the pages
        and through the API (anyone else's is a 404)."""
        if not person.is_authenticated:
            return self.none()
        # "person IN (the person and their dependents)": an OR across the join
        # to users would read every appointment; this reads the person index.
        people = get_user_model().objects.filter(Q(pk=person.pk) | Q(carer_id=person.pk)).values("pk")
        return self.filter(person__in=people)

    def at_clinics_of(self, user):
        """Appointments at the clinics where `user` works the desk (every
        clinic for a superuser): what the desk pages and API show staff."""
        if user.is_superuser:
            return self.all()
        return self.filter(slot__site__staff=user)

    def booked(self):
        return self.filter(status=Appointment.Status.BOOKED)

    def missed(self):
        """Booked, but the slot ended more than NO_SHOW_GRACE ago: nobody came."""
        return self.booked().filter(slot__end__lte=timezone.now() - NO_SHOW_GRACE)

    def holding(self):
        """Booked and not missed: the one appointment a person holds of each vaccine."""
        return self.booked().filter(slot__end__gt=timezone.now() - NO_SHOW_GRACE)

    def with_details(self):
        return self.select_related("slot__site", "slot__vaccine")


class Appointment(models.Model):
    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        CANCELLED = "cancelled", _("Cancelled")
        CHECKED_IN = "checked_in", _("Checked in")
        NO_SHOW = "no_show", _("No-show")

    class Source(models.TextChoices):
        """How the appointment came: the campaign counts walk-ins and offers taken."""

        ONLINE = "online", _("Booked online")
        WALK_IN = "walk_in", _("Walk-in at the desk")
        OFFER = "offer", _("Spare-dose offer")

    # Every booking writes an entry in each of the table's indexes, so it has
    # none that another covers: the person's and the slot's are the first
    # columns of (person, status) and (slot, status) below.
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="appointments",
        verbose_name=_("person"),
        db_index=False,
    )
    slot = models.ForeignKey(
        Slot, on_delete=models.PROTECT, related_name="appointments", verbose_name=_("slot"), db_index=False
    )
    # The slot's vaccine, copied so that the database itself can hold "one
    # booked appointment per person and vaccine" (a unique index cannot reach
    # through the slot). save() copies it from the slot; on PostgreSQL a
    # trigger (migration 0012) copies it on every write whatever the path
    # (bulk_create, COPY, raw SQL) and follows a slot moved to another vaccine.
    # No foreign key constraint in the database: the trigger keeps it equal to
    # the slot's, whose own constraint holds it, so a second check would
    # only lock the vaccine's row in every booking (one row that all
    # concurrent bookings of that vaccine share). Django still PROTECTs it.
    vaccine = models.ForeignKey(
        Vaccine,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("vaccine"),
        db_constraint=False,
    )
    # db_default: rows written around the model (COPY of the bench data, raw SQL) are online bookings too.
    source = models.CharField(
        _("source"), max_length=16, choices=Source, default=Source.ONLINE, db_default=Source.ONLINE
    )
    dose_number = models.PositiveSmallIntegerField(_("dose"), default=1)
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.BOOKED)
    # Unique by the constraint below, not unique=True, which on PostgreSQL
    # adds a second index (varchar_pattern_ops, for LIKE) nothing uses.
    code = models.CharField(_("confirmation code"), max_length=CODE_LENGTH, editable=False)
    created_at = models.DateTimeField(_("booked at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    # The calendar entry's SEQUENCE: every change the person's calendar must
    # pick up (new time, cancellation) increments it.
    sequence = models.PositiveIntegerField(_("calendar revision"), default=0, editable=False)
    reminder_sent_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)
    # Filled at the clinic desk (check-in issue). A dose counts as given only
    # once a nurse records it (dose_given_at), not when the person arrives.
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checked in by"),
        db_index=False,  # a partial index in Meta: most rows hold none
    )
    checked_in_site = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checked in at clinic"),
        db_index=False,  # a partial index in Meta: most rows hold none
    )
    vaccine_lot = models.CharField(_("vaccine lot"), max_length=64, blank=True)
    dose_given_at = models.DateTimeField(_("dose given at"), null=True, blank=True)
    dose_given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dose given by"),
        db_index=False,  # a partial index in Meta: most rows hold none
    )

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["-slot__start"]
        constraints = [
            # Flu and COVID may be booked together; two of the same vaccine may not.
            models.UniqueConstraint(
                fields=["person", "vaccine"],
                condition=Q(status="booked"),
                name=ONE_BOOKED_PER_VACCINE,
            ),
            models.UniqueConstraint(fields=["code"], name="vaccination_appointment_code_unique"),
            models.CheckConstraint(
                condition=Q(status__in=["booked", "cancelled", "checked_in", "no_show"]),
                name="vaccination_appointment_status_valid",
            ),
            models.CheckConstraint(condition=Q(dose_number__gte=1), name="vaccination_appointment_dose_positive"),
            models.CheckConstraint(
                condition=~Q(status="checked_in") | Q(checked_in_at__isnull=False),
                name="vaccination_appointment_checked_in_has_time",
            ),
            models.CheckConstraint(
                condition=Q(dose_given_at__isnull=True) | Q(status="checked_in"),
                name="vaccination_appointment_dose_only_when_checked_in",
            ),
        ]
        indexes = [
            models.Index(fields=["person", "status"], name="vaccination_appt_person_status"),
            models.Index(fields=["slot", "status"], name="vaccination_appt_slot_status"),
            # The campaign overview and its exports read the doses of a date
            # range: without this, a month's doses means scanning every appointment.
            models.Index(
                fields=["dose_given_at"], condition=Q(dose_given_at__isnull=False), name="vaccination_appt_dose_given"
            ),
            # Who checked people in, where and who gave the dose: empty until
            # the desk fills them, so a booking writes no entry here.
            *(
                models.Index(fields=[field], condition=Q(**{f"{field}__isnull": False}), name=name)
                for field, name in (
                    ("checked_in_by", "vaccination_appt_checkin_by"),
                    ("checked_in_site", "vaccination_appt_checkin_site"),
                    ("dose_given_by", "vaccination_appt_dose_by"),
                )
            ),
        ]

    def __str__(self):
        return f"{self.code} · {self.person}"

    def save(self, *args, **kwargs):
        # A new booking is written by services._insert_booking, not by this
        # method (one INSERT, no savepoint): what is added here for new rows
        # must be added there too.
        if not self.code:
            self.code = new_confirmation_code()
        update_fields = kwargs.get("update_fields")
        if self.slot_id is not None and (update_fields is None or "slot" in update_fields):
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "vaccine"}
            if Appointment.slot.is_cached(self):
                self.vaccine_id = self.slot.vaccine_id
            else:
                self.vaccine_id = Slot.objects.filter(pk=self.slot_id).values_list("vaccine_id", flat=True).get()
        super().save(*args, **kwargs)

    @property
    def is_checked_in(self) -> bool:
        return self.status == self.Status.CHECKED_IN

    @property
    def is_dose_given(self) -> bool:
        return self.dose_given_at is not None

    @property
    def is_changeable(self) -> bool:
        """Can the person still cancel or move it (booked, and not yet started)?"""
        return self.status == self.Status.BOOKED and self.slot.start > timezone.now()

    @property
    def is_upcoming(self) -> bool:
        return self.status == self.Status.BOOKED and self.slot.end > timezone.now()

    @property
    def is_missed(self) -> bool:
        """Booked, and its slot ended more than NO_SHOW_GRACE ago (see AppointmentQuerySet.missed)."""
        return self.status == self.Status.BOOKED and self.slot.end <= timezone.now() - NO_SHOW_GRACE

    @property
    def is_late(self) -> bool:
        """Still booked LATE_AFTER past the slot's start, and not yet missed: the board flags it."""
        now = timezone.now()
        return self.status == self.Status.BOOKED and self.slot.start + LATE_AFTER <= now and not self.is_missed

    @property
    def may_be_marked_no_show(self) -> bool:
        """Booked and its slot has started (services.mark_no_show)."""
        return self.status == self.Status.BOOKED and self.slot.start <= timezone.now()

    @property
    def no_show_undoable(self) -> bool:
        """A no-show the desk could still check in, so it may be booked again (services.mark_no_show)."""
        return self.status == self.Status.NO_SHOW and self.slot.end > timezone.now() - NO_SHOW_GRACE

    @property
    def shown_status(self) -> str:
        """The status a person is shown: a missed booking reads as a no-show
        before mark_no_shows has recorded it."""
        return self.Status.NO_SHOW if self.is_missed else self.status

    def get_shown_status_display(self) -> str:
        return self.Status(self.shown_status).label

    @property
    def is_holding(self) -> bool:
        """Still the person's one booking of its vaccine: booked and not missed."""
        return self.status == self.Status.BOOKED and not self.is_missed

    @property
    def calendar_uid(self) -> str:
        """Stable for the appointment's whole life, so calendars update one entry."""
        return f"appointment-{self.pk}@vaxfleet"


class CheckInLog(models.Model):
    """Every scan at a desk, refused ones too, every undo, and every dose
    record synced by an offline desk (its attempt makes the sync idempotent):
    the clinic's answer to "who let this person in, and when?". Rows are
    never changed."""

    class Action(models.TextChoices):
        SCAN = "scan", _("Scan")
        UNDO = "undo", _("Undo")
        DOSE = "dose", _("Dose record")

    action = models.CharField(_("action"), max_length=8, choices=Action, default=Action.SCAN)
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("desk user"),
        db_index=False,  # (user, site, at) below is the index by user
    )
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+", verbose_name=_("desk clinic"))
    typed = models.CharField(_("code as typed"), max_length=64, blank=True)
    # Not indexed: the admin searches it with icontains, which no index serves,
    # and the evidence for an appointment is found by its foreign key.
    code = models.CharField(_("code"), max_length=32, blank=True)
    reason = models.CharField(_("result"), max_length=32)
    appointment = models.ForeignKey(
        Appointment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="check_in_logs",
        verbose_name=_("appointment"),
    )
    note = models.TextField(_("note"), blank=True, help_text=_("Why a check-in was undone."))
    # One per rendered desk form: a double-submitted form (the same desk
    # retrying) finds the first answer by it instead of scanning twice.
    attempt = models.CharField(_("form attempt"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("check-in log entry")
        verbose_name_plural = _("check-in log")
        ordering = ["-at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "attempt"], condition=~Q(attempt=""), name=ONE_LOG_PER_ATTEMPT),
        ]
        indexes = [
            # A desk's last scans (the desk page): the newest rows of one
            # user at one clinic, read from the index's end however long
            # the log, instead of all of that user's rows sorted.
            models.Index(fields=["user", "site", "at"], name="vaccination_log_desk_at"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.code or self.typed} {self.reason}"


class ScreeningQuestion(models.Model):
    """A yes/no question asked before a vaccine (allergies, pregnancy...), set
    in the admin. A "yes" to a question marked so needs a clinician's look."""

    vaccine = models.ForeignKey(
        Vaccine, on_delete=models.CASCADE, related_name="screening_questions", verbose_name=_("vaccine")
    )
    text = models.CharField(_("question (English)"), max_length=300)
    text_es = models.CharField(_("question (Spanish)"), max_length=300, blank=True)
    yes_needs_clinician = models.BooleanField(_("a yes needs a clinician"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("asked"), default=True)

    class Meta:
        verbose_name = _("screening question")
        verbose_name_plural = _("screening questions")
        ordering = ["vaccine", "order", "pk"]

    def __str__(self):
        return self.text

    @property
    def localized_text(self) -> str:
        """The question in the active language, English when not translated."""
        return in_language(self, "text")


class ScreeningAnswer(models.Model):
    """A person's answer for one appointment; the nurse confirms or corrects it at check-in."""

    appointment = models.ForeignKey(
        Appointment, on_delete=models.CASCADE, related_name="screening_answers", verbose_name=_("appointment")
    )
    question = models.ForeignKey(
        ScreeningQuestion, on_delete=models.PROTECT, related_name="answers", verbose_name=_("question")
    )
    answer = models.BooleanField(_("answer"))
    answered_at = models.DateTimeField(_("answered at"), default=timezone.now)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("screening answer")
        verbose_name_plural = _("screening answers")
        ordering = ["question__order", "question_id"]
        constraints = [
            models.UniqueConstraint(fields=["appointment", "question"], name="vaccination_screening_one_answer"),
        ]

    def __str__(self):
        return f"{self.appointment_id} · {self.question_id}: {self.answer}"

    @property
    def needs_clinician(self) -> bool:
        return self.answer and self.question.yes_needs_clinician


def new_hold_token() -> str:
    return secrets.token_urlsafe(24)


class SeatHoldQuerySet(models.QuerySet):
    def live(self):
        return self.filter(expires_at__gt=timezone.now())

    def expired(self):
        return self.filter(expires_at__lte=timezone.now())


class SeatHold(models.Model):
    """A seat kept for an anonymous visitor who pressed Book while they sign
    in with a code sent to their email (vaccination.holds).

    A hold takes its seat on Slot.booked_count with the same conditional
    UPDATE as a booking, so capacity stays enforced by the slot's CHECK and
    the picker's free counts are right. A row exists only while the seat is
    held: becoming the booking or being released deletes it and, for a
    release, gives the seat back in the same transaction.
    """

    slot = models.ForeignKey(Slot, on_delete=models.CASCADE, related_name="holds", verbose_name=_("slot"))
    # The browser session keeps the token; nothing else finds a hold.
    token = models.CharField(_("token"), max_length=64, unique=True, default=new_hold_token, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("held until"), db_index=True)

    objects = SeatHoldQuerySet.as_manager()

    class Meta:
        verbose_name = _("seat hold")
        verbose_name_plural = _("seat holds")
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("created_at")), name="vaccination_seathold_expires_after_created"
            ),
        ]

    def __str__(self):
        return f"{self.slot} · {self.expires_at:%H:%M}"

    @property
    def is_live(self) -> bool:
        return self.expires_at > timezone.now()
