"""The audit log: who did what, when, from which address.

Append-only for the application: a saved event cannot be changed or deleted
through the ORM (save, delete, queryset update/delete) or the admin. The one
exception is `anonymise_labels`, used when a person deletes their account:
the events stay, the deleted person's email leaves their labels.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """An audit event was about to be changed or deleted."""


class Action(models.TextChoices):
    LOGIN = "login", _("signed in")
    LOGIN_FAILED = "login_failed", _("sign-in failed")
    LOGOUT = "logout", _("signed out")
    ROLES_CHANGED = "roles_changed", _("roles changed")
    BOOK = "book", _("appointment booked")
    CANCEL = "cancel", _("appointment cancelled")
    RESCHEDULE = "reschedule", _("appointment rescheduled")
    CHECK_IN = "check_in", _("checked in")
    UNDO_CHECK_IN = "undo_check_in", _("check-in undone")
    RECORD_DOSE = "record_dose", _("dose recorded")
    NO_SHOW = "no_show", _("marked as no-show")
    UNDO_NO_SHOW = "undo_no_show", _("no-show undone")
    ASSIGN_TRUCK = "assign_truck", _("truck assigned")
    RELEASE_TRUCK = "release_truck", _("truck released")
    DRIVER_CREATE = "driver_create", _("driver created")
    DRIVER_UPDATE = "driver_update", _("driver changed")
    TRUCK_CREATE = "truck_create", _("truck created")
    TRUCK_UPDATE = "truck_update", _("truck changed")
    DATA_EXPORT = "data_export", _("personal data downloaded")
    ACCOUNT_DELETE = "account_delete", _("account deleted")
    CAMPAIGN_EXPORT = "campaign_export", _("campaign doses exported with personal data")
    STOCK_RECEIVED = "stock_received", _("stock received")
    STOCK_MOVED = "stock_moved", _("stock moved")
    STOCK_WASTED = "stock_wasted", _("stock wasted")
    STOCK_COUNTED = "stock_counted", _("stock counted")
    LOT_QUARANTINED = "lot_quarantined", _("lot quarantined")
    LOT_RELEASED = "lot_released", _("lot released")
    LOT_DISCARDED = "lot_discarded", _("lot discarded")
    INSPECTION = "inspection", _("truck inspected")
    TRUCK_OUT_OF_SERVICE = "truck_out_of_service", _("truck taken out of service")
    DEFECT_CLOSE = "defect_close", _("defect closed")
    SERVICE_COMPLETE = "service_complete", _("service completed")
    CLINIC_TRUCK_CHANGE = "clinic_truck_change", _("mobile clinic given another truck")
    CLINIC_CREATE = "clinic_create", _("clinic created")
    CLINIC_UPDATE = "clinic_update", _("clinic changed")
    OPENING_HOURS_SET = "opening_hours_set", _("opening hours set")
    CLINIC_STAFF_CHANGED = "clinic_staff_changed", _("clinic staff changed")
    SLOTS_GENERATED = "slots_generated", _("slots generated")


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("audit events cannot be changed")

    def delete(self):
        raise AppendOnlyError("audit events cannot be deleted")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError("audit events cannot be changed")

    def anonymise_labels(self, *, user, label: str, email: str) -> int:
        """Account deletion, the one sanctioned change: `user`'s snapshot
        labels become `label`, and failed sign-ins that typed `email` forget it."""
        base = models.QuerySet(model=self.model, using=self.db)
        changed = base.filter(actor=user).update(actor_label=label)
        changed += base.filter(target_type="accounts.user", target_id=str(user.pk)).update(target_label=label)
        tried = base.filter(action=Action.LOGIN_FAILED, target_label=email)
        changed += tried.update(target_label=label, data={"email": label})
        return changed


class AuditEvent(models.Model):
    at = models.DateTimeField(_("at"), default=timezone.now, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
        db_index=False,  # (actor, at) below is the index by actor: every event writes one fewer
    )
    # Snapshots: the event still says who and what after the rows change.
    actor_label = models.CharField(_("actor"), max_length=254, blank=True)
    action = models.CharField(_("action"), max_length=32, choices=Action)
    target_type = models.CharField(_("target type"), max_length=64, blank=True)
    target_id = models.CharField(_("target id"), max_length=64, blank=True)
    target_label = models.CharField(_("target"), max_length=254, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["at"], name="audit_at"),
            models.Index(fields=["action", "at"], name="audit_action_at"),
            models.Index(fields=["actor", "at"], name="audit_actor_at"),
            models.Index(fields=["target_type", "target_id"], name="audit_target"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_label or '-'} {self.action} {self.target_label}"

    def save(self, *args, **kwargs):
        if self.pk is not None or not self._state.adding:
            raise AppendOnlyError("audit events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit events cannot be deleted")
