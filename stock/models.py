"""Vaccine lots, where their doses are, and the ledger of every dose moved.

The ledger (StockMovement) is append-only: each receipt, move, dose, waste
and count adjustment is a row that is never changed. The quantity on hand of
a lot at a place (StockLevel) is the sum of that place's movements, kept as a
counter in the same transaction as each movement so the desk reads one row;
its CHECK (quantity >= 0) and the conditional UPDATE in stock.services are
what make "two desks, one last dose" give one dose.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, Sum
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Lots expiring within this many days are flagged on the stock pages.
EXPIRY_WARNING_DAYS = 30
# The page-cache generation (pagecache.fragments) of the stock on hand, waste
# and the trucks' excursions: stock.hooks bumps it whenever one of their rows
# is saved or deleted, and stock.services after its bulk status UPDATEs.
STOCK = "stock"
# One place holds a lot's doses: a clinic or a truck, never both.
ONE_PLACE = (Q(site__isnull=False) & Q(truck__isnull=True)) | (Q(site__isnull=True) & Q(truck__isnull=False))


class LedgerError(Exception):
    """A movement was about to be changed or deleted."""


class LotQuerySet(models.QuerySet):
    def usable(self, today=None):
        today = today or timezone.localdate()
        return self.filter(status=Lot.Status.AVAILABLE, expires_on__gte=today)


class Lot(models.Model):
    class Status(models.TextChoices):
        AVAILABLE = "available", _("Available")
        QUARANTINED = "quarantined", _("Quarantined")
        DISCARDED = "discarded", _("Discarded")

    vaccine = models.ForeignKey(
        "vaccination.Vaccine", on_delete=models.PROTECT, related_name="lots", verbose_name=_("vaccine")
    )
    number = models.CharField(_("lot number"), max_length=64, help_text=_("As printed on the vial or box."))
    expires_on = models.DateField(_("expiry date"))
    doses_per_vial = models.PositiveSmallIntegerField(_("doses per vial"), default=1)
    open_vial_hours = models.PositiveSmallIntegerField(
        _("hours an opened vial may be used"), default=6, help_text=_("0 for single-dose vials.")
    )
    min_celsius = models.DecimalField(_("lowest storage °C"), max_digits=4, decimal_places=1, default=2)
    max_celsius = models.DecimalField(_("highest storage °C"), max_digits=4, decimal_places=1, default=8)
    status = models.CharField(_("status"), max_length=12, choices=Status, default=Status.AVAILABLE)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = LotQuerySet.as_manager()

    class Meta:
        verbose_name = _("lot")
        verbose_name_plural = _("lots")
        ordering = ["expires_on", "number"]
        permissions = [("decide_quarantine", _("Can release or discard a quarantined lot"))]
        constraints = [
            # "fk1234" and "FK1234" are the same lot of a vaccine.
            models.UniqueConstraint(
                "vaccine",
                Lower("number"),
                name="stock_lot_number_unique_per_vaccine",
                violation_error_message=_("This vaccine already has a lot with this number."),
            ),
            models.CheckConstraint(condition=Q(min_celsius__lt=models.F("max_celsius")), name="stock_lot_range"),
            models.CheckConstraint(condition=Q(doses_per_vial__gte=1), name="stock_lot_doses_per_vial_positive"),
            models.CheckConstraint(
                condition=Q(status__in=["available", "quarantined", "discarded"]), name="stock_lot_status_valid"
            ),
        ]

    def __str__(self):
        return f"{self.number} · {self.vaccine}"

    def save(self, *args, **kwargs):
        self.number = self.number.strip().upper()
        super().save(*args, **kwargs)

    def clean(self):
        if self.min_celsius is not None and self.max_celsius is not None and self.min_celsius >= self.max_celsius:
            raise ValidationError({"max_celsius": _("The highest temperature must be above the lowest.")})

    def is_expired(self, today=None) -> bool:
        return self.expires_on < (today or timezone.localdate())

    def expires_soon(self, today=None) -> bool:
        today = today or timezone.localdate()
        return not self.is_expired(today) and (self.expires_on - today).days <= EXPIRY_WARNING_DAYS


class StockLevelQuerySet(models.QuerySet):
    def at(self, *, site=None, truck=None):
        return self.filter(site=site) if site is not None else self.filter(truck=truck)

    def on_hand(self):
        return self.filter(quantity__gt=0)


class StockLevel(models.Model):
    """The doses of a lot at one place now: the sum of that place's movements."""

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="levels", verbose_name=_("lot"))
    site = models.ForeignKey(
        "vaccination.Site",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stock_levels",
        verbose_name=_("clinic"),
    )
    truck = models.ForeignKey(
        "fleet.Truck",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stock_levels",
        verbose_name=_("truck"),
    )
    quantity = models.IntegerField(_("doses on hand"), default=0, editable=False)

    objects = StockLevelQuerySet.as_manager()

    class Meta:
        verbose_name = _("stock on hand")
        verbose_name_plural = _("stock on hand")
        ordering = ["lot__expires_on", "lot__number"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=0), name="stock_level_never_negative"),
            models.CheckConstraint(condition=ONE_PLACE, name="stock_level_one_place"),
            models.UniqueConstraint(fields=["lot", "site"], condition=Q(site__isnull=False), name="stock_level_site"),
            models.UniqueConstraint(
                fields=["lot", "truck"], condition=Q(truck__isnull=False), name="stock_level_truck"
            ),
        ]

    def __str__(self):
        return f"{self.lot} @ {self.place}: {self.quantity}"

    @property
    def place(self):
        return self.site or self.truck


class StockMovementQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise LedgerError("stock movements cannot be changed")

    def delete(self):
        raise LedgerError("stock movements cannot be deleted")

    def bulk_update(self, objs, fields, batch_size=None):
        raise LedgerError("stock movements cannot be changed")

    def at(self, *, site=None, truck=None):
        return self.filter(site=site) if site is not None else self.filter(truck=truck)

    def quantity(self) -> int:
        return self.aggregate(total=Sum("quantity"))["total"] or 0


class StockMovement(models.Model):
    """One change of a lot's doses at one place; never changed afterwards.
    A move is two rows (out of one place, into the other) with one transfer id."""

    class Kind(models.TextChoices):
        RECEIVED = "received", _("Received")
        MOVED = "moved", _("Moved")
        ADMINISTERED = "administered", _("Administered")
        WASTED = "wasted", _("Wasted")
        ADJUSTED = "adjusted", _("Adjusted after a count")

    class WasteReason(models.TextChoices):
        NONE = "", _("—")
        BROKEN = "broken", _("Broken")
        EXPIRED = "expired", _("Expired")
        OPENED_TOO_LONG = "opened_too_long", _("Opened too long")
        COLD_CHAIN = "cold_chain", _("Cold chain")
        OTHER = "other", _("Other")

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="movements", verbose_name=_("lot"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind)
    # Signed: doses into the place are positive, out of it negative.
    quantity = models.IntegerField(_("doses"))
    site = models.ForeignKey(
        "vaccination.Site",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stock_movements",
        verbose_name=_("clinic"),
    )
    truck = models.ForeignKey(
        "fleet.Truck",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stock_movements",
        verbose_name=_("truck"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    transfer = models.UUIDField(_("transfer"), null=True, blank=True)
    reason = models.CharField(_("waste reason"), max_length=16, choices=WasteReason, default="", blank=True)
    counted = models.PositiveIntegerField(_("doses counted"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    # The dose this movement gave (administered only).
    appointment = models.OneToOneField(
        "vaccination.Appointment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stock_movement",
        verbose_name=_("appointment"),
    )

    objects = StockMovementQuerySet.as_manager()

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=ONE_PLACE, name="stock_movement_one_place"),
            models.CheckConstraint(condition=~Q(quantity=0) | Q(kind="adjusted"), name="stock_movement_not_zero"),
            models.CheckConstraint(
                condition=Q(kind__in=["received", "moved", "administered", "wasted", "adjusted"]),
                name="stock_movement_kind_valid",
            ),
            models.CheckConstraint(
                condition=~Q(kind="administered") | Q(appointment__isnull=False, quantity=-1),
                name="stock_movement_dose_is_one_appointment",
            ),
            models.CheckConstraint(
                condition=~Q(kind="wasted") | (~Q(reason="") & Q(quantity__lt=0)),
                name="stock_movement_waste_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(kind="adjusted") | Q(counted__isnull=False), name="stock_movement_count_has_figure"
            ),
        ]
        indexes = [
            models.Index(fields=["site", "at"], name="stock_movement_site_at"),
            models.Index(fields=["truck", "at"], name="stock_movement_truck_at"),
            models.Index(fields=["lot", "kind", "at"], name="stock_movement_lot_kind_at"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind} {self.quantity:+d} {self.lot}"

    def save(self, *args, **kwargs):
        if self.pk is not None or not self._state.adding:
            raise LedgerError("stock movements cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise LedgerError("stock movements cannot be deleted")

    @property
    def place(self):
        return self.site or self.truck


class Quarantine(models.Model):
    """A lot held back because a truck carrying it had an excursion, until a
    campaign lead releases or discards it."""

    class Decision(models.TextChoices):
        PENDING = "", _("Waiting for a decision")
        RELEASED = "released", _("Released")
        DISCARDED = "discarded", _("Discarded")

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="quarantines", verbose_name=_("lot"))
    excursion = models.ForeignKey(
        "fleet.Excursion", on_delete=models.PROTECT, related_name="quarantines", verbose_name=_("excursion")
    )
    created_at = models.DateTimeField(_("quarantined at"), default=timezone.now)
    decision = models.CharField(_("decision"), max_length=12, choices=Decision, default="", blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("quarantine")
        verbose_name_plural = _("quarantines")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["lot", "excursion"], name="stock_quarantine_once_per_excursion"),
            models.CheckConstraint(
                condition=Q(decision="") | Q(decided_at__isnull=False, decided_by__isnull=False) & ~Q(reason=""),
                name="stock_quarantine_decision_has_who_and_why",
            ),
        ]

    def __str__(self):
        return f"{self.lot} · {self.excursion}"


class ColdChainAlert(models.Model):
    """An excursion told to the people who must act: clinic staff of the
    truck's clinics and the fleet managers. Shown on their stock and fleet
    pages until the lots are decided, and sent to them by email and text
    through the outbox (stock.notify)."""

    excursion = models.OneToOneField(
        "fleet.Excursion", on_delete=models.PROTECT, related_name="alert", verbose_name=_("excursion")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    recipients = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="cold_chain_alerts", verbose_name=_("recipients")
    )

    class Meta:
        verbose_name = _("cold-chain alert")
        verbose_name_plural = _("cold-chain alerts")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return str(self.excursion)
