"""Every change to clinics, vaccines, slots or appointments marks the
cached pages that show them stale (pagecache.fragments): the booking picker
(FREE_SEATS) and each clinic's day board. Seats taken and freed, check-ins
and doses are written with UPDATEs that send no signal: vaccination.services,
vaccination.checkin and mark_no_shows bump for those.

A new online booking marks its clinic's board at most every
SEATS_BUMP_SECONDS, as a seat taken marks the picker: when bookings open,
hundreds a second would otherwise make every look at a board a miss and cost
each booking a round trip to the cache (pagecache.fragments keeps a window it
knows to be open without asking). Outside a burst each shows at once; inside
one, within the life of the board's cached rows (a minute, BOARD_SECONDS).
Every other change (a check-in, a walk-in or a booking made at the desk, a
cancellation, a move) marks it at once: whoever made it sees it."""

from django.db.models.signals import post_delete, post_save

from pagecache import fragments
from vaccination.models import (
    CATALOGUE,
    FREE_SEATS,
    SEATS_BUMP_SECONDS,
    Appointment,
    ScreeningQuestion,
    Site,
    Slot,
    Vaccine,
    day_board,
)


def slot_changed(sender, instance, **kwargs):
    fragments.bump(FREE_SEATS, day_board(instance.site_id))


def catalogue_changed(sender, **kwargs):
    fragments.bump(FREE_SEATS, CATALOGUE)


def appointment_changed(sender, instance, created=False, **kwargs):
    board = day_board(instance.slot.site_id)
    if created and instance.source == Appointment.Source.ONLINE:
        fragments.bump_at_most_every(SEATS_BUMP_SECONDS, board)
    else:
        fragments.bump(board)


for model, receiver in (
    (Site, catalogue_changed),
    (Vaccine, catalogue_changed),
    (ScreeningQuestion, catalogue_changed),  # a vaccine's questions are part of what it offers
    (Slot, slot_changed),
):
    post_save.connect(receiver, sender=model, dispatch_uid=f"fragments-{model._meta.label}-save")
    post_delete.connect(receiver, sender=model, dispatch_uid=f"fragments-{model._meta.label}-delete")
post_save.connect(appointment_changed, sender=Appointment, dispatch_uid="fragments-appointment-save")
post_delete.connect(appointment_changed, sender=Appointment, dispatch_uid="fragments-appointment-delete")
