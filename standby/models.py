"""Nobody turned away, no dose wasted: the standby list and the offers of
spare doses made to it. (Walk-ins are appointments with
`Appointment.source = walk_in`, made by standby.walkins.)

A standby entry is a person waiting for a dose at a clinic on a day (or any
day of the coming week). When staff declare spare doses, or a seat is freed
on the day, `SpareDoses` records it with the slot whose seat counter hands
the doses out; offers go to the entries in the order they joined. The slot's
seat counter (`Slot.booked_count`, CHECK <= capacity) is what guarantees that
no more people get a dose than there are doses, however many accept at once.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

WEEK = 7


class StandbyEntryQuerySet(models.QuerySet):
    def active(self):
        return self.filter(left_at__isnull=True)

    def waiting_for(self, site, day):
        """Active entries at `site` covering `day`, in the order they joined."""
        return self.active().filter(site=site, first_day__lte=day, last_day__gte=day).order_by("created_at", "pk")


class StandbyEntry(models.Model):
    class ArriveWithin(models.IntegerChoices):
        MINUTES_15 = 15, _("15 minutes")
        MINUTES_30 = 30, _("30 minutes")
        MINUTES_60 = 60, _("1 hour")

    class Outcome(models.TextChoices):
        WAITING = "", _("Waiting")
        LEFT = "left", _("Left the list")
        VACCINATED = "booked", _("Took an offer")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="standby_entries", verbose_name=_("person")
    )
    site = models.ForeignKey(
        "vaccination.Site", on_delete=models.PROTECT, related_name="standby_entries", verbose_name=_("clinic")
    )
    # One day: first_day == last_day. "Any day this week": today and the six after.
    first_day = models.DateField(_("from"))
    last_day = models.DateField(_("until"))
    arrive_within = models.PositiveSmallIntegerField(
        _("can arrive within"), choices=ArriveWithin, default=ArriveWithin.MINUTES_30
    )
    created_at = models.DateTimeField(_("joined at"), default=timezone.now)
    left_at = models.DateTimeField(_("left at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=8, choices=Outcome, default=Outcome.WAITING, blank=True)

    objects = StandbyEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("standby entry")
        verbose_name_plural = _("standby list")
        ordering = ["created_at", "pk"]
        constraints = [
            # Joining twice (a double click, two tabs) must not put a person
            # twice in the queue of one clinic.
            models.UniqueConstraint(
                fields=["person", "site"], condition=Q(left_at__isnull=True), name="standby_entry_one_active_per_site"
            ),
            models.CheckConstraint(condition=Q(last_day__gte=F("first_day")), name="standby_entry_days_in_order"),
            models.CheckConstraint(condition=Q(arrive_within__in=[15, 30, 60]), name="standby_entry_arrive_valid"),
            models.CheckConstraint(
                condition=Q(left_at__isnull=True, outcome="") | Q(left_at__isnull=False) & ~Q(outcome=""),
                name="standby_entry_outcome_when_left",
            ),
        ]
        indexes = [models.Index(fields=["site", "first_day", "last_day"], name="standby_entry_site_days")]

    def __str__(self):
        return f"{self.person} · {self.site} · {self.first_day} to {self.last_day}"

    @property
    def is_active(self) -> bool:
        return self.left_at is None

    @property
    def is_any_day(self) -> bool:
        return self.last_day > self.first_day


class SpareDoses(models.Model):
    """Doses to hand out today at a clinic, through offers: declared by staff
    (an opened vial, no-shows), or a seat freed by a cancellation."""

    class Reason(models.TextChoices):
        DECLARED = "declared", _("Declared by staff")
        FREED = "freed", _("Seat freed on the day")

    slot = models.ForeignKey(
        "vaccination.Slot", on_delete=models.PROTECT, related_name="spare_doses", verbose_name=_("slot")
    )
    doses = models.PositiveSmallIntegerField(_("doses"))
    until = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=8, choices=Reason, default=Reason.DECLARED)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("declared by"),
    )
    created_at = models.DateTimeField(_("declared at"), default=timezone.now)

    class Meta:
        verbose_name = _("spare doses")
        verbose_name_plural = _("spare doses")
        ordering = ["-created_at", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(doses__gte=1), name="standby_sparedoses_doses_positive")]

    def __str__(self):
        return f"{self.doses} x {self.slot}"

    @property
    def is_open(self) -> bool:
        return self.until > timezone.now()


class OfferQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=Offer.Status.OPEN, expires_at__gt=timezone.now())


class Offer(models.Model):
    """One spare dose offered to one standby entry, through an expiring link."""

    class Status(models.TextChoices):
        OPEN = "open", _("Sent")
        ACCEPTED = "accepted", _("Accepted")
        EXPIRED = "expired", _("Expired")
        GONE = "gone", _("Doses gone before acceptance")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    spare = models.ForeignKey(SpareDoses, on_delete=models.PROTECT, related_name="offers", verbose_name=_("doses"))
    entry = models.ForeignKey(StandbyEntry, on_delete=models.PROTECT, related_name="offers", verbose_name=_("entry"))
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.OPEN)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    appointment = models.OneToOneField(
        "vaccination.Appointment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="offer",
        verbose_name=_("appointment"),
    )

    objects = OfferQuerySet.as_manager()

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        ordering = ["created_at", "pk"]
        constraints = [
            # One offer per person per batch of doses: topping up never repeats one.
            models.UniqueConstraint(fields=["spare", "entry"], name="standby_offer_once_per_entry"),
            models.CheckConstraint(
                condition=Q(status="accepted", accepted_at__isnull=False, appointment__isnull=False)
                | ~Q(status="accepted") & Q(accepted_at__isnull=True),
                name="standby_offer_accepted_has_appointment",
            ),
        ]
        indexes = [models.Index(fields=["status", "expires_at"], name="standby_offer_status_expiry")]

    def __str__(self):
        return f"{self.entry.person} · {self.spare}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN and self.expires_at > timezone.now()


def offer_lifetime() -> timedelta:
    return timedelta(minutes=settings.STANDBY_OFFER_MINUTES)
