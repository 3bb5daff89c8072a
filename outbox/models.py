from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Message(models.Model):
    """One message owed to someone. Written in the same transaction as the
    change that owes it, so a booking that commits always has its
    confirmation on record; deleted never (it is the sending log too)."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        SMS = "sms", _("Text message")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("No longer owed")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=64)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel, default=Channel.EMAIL)
    to = models.CharField(_("to"), max_length=254)
    data = models.JSONField(_("data"), default=dict, blank=True)
    # A message owed once whatever the number of callers (a reminder per
    # appointment revision): the second enqueue finds the first. Unique by
    # the constraint below (unique=True would add a LIKE index on PostgreSQL).
    key = models.CharField(_("key"), max_length=200, null=True, blank=True)  # noqa: DJ001 -- NULL: no key, many allowed
    status = models.CharField(_("status"), max_length=8, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    available_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "sending", "sent", "skipped", "failed"]),
                name="outbox_message_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="sending") | Q(claimed_at__isnull=False),
                name="outbox_message_sending_is_claimed",
            ),
            models.UniqueConstraint(fields=["key"], name="outbox_message_key_unique"),
        ]
        indexes = [
            # The sweep reads only what is still owed: a small slice of a table that grows.
            models.Index(
                fields=["status", "available_at"],
                condition=Q(status__in=["pending", "sending"]),
                name="outbox_message_owed",
            ),
        ]

    def __str__(self):
        return f"{self.kind} → {self.to} ({self.status})"
