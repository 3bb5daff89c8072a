"""Every change to clinics, vaccines or slots marks the cached booking
picker stale (project.fragments). Seats taken and freed are counted with
UPDATEs that send no signal: vaccination.services bumps for those."""

from django.db.models.signals import post_delete, post_save

from project import fragments
from vaccination.models import FREE_SEATS, Site, Slot, Vaccine


def free_seats_changed(sender, **kwargs):
    fragments.bump(FREE_SEATS)


for model in (Site, Vaccine, Slot):
    post_save.connect(free_seats_changed, sender=model, dispatch_uid=f"fragments-{model._meta.label}-save")
    post_delete.connect(free_seats_changed, sender=model, dispatch_uid=f"fragments-{model._meta.label}-delete")
