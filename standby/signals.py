"""A seat cancelled today for later today goes to the standby list at once
(the periodic sweep, standby.services.refresh_offers, catches any missed)."""

from functools import partial

from django.db import transaction
from django.db.models.signals import post_save

from vaccination.models import Appointment


def appointment_saved(sender, instance, created, **kwargs):
    if created or instance.status != Appointment.Status.CANCELLED:
        return
    from standby.services import offer_freed_seats

    # After commit: the seat is free only once the cancellation is.
    transaction.on_commit(partial(offer_freed_seats, slot=instance.slot))


post_save.connect(appointment_saved, sender=Appointment, dispatch_uid="standby-freed-seat")
