"""A place edited in the admin marks search results stale; the loader bumps
PLACES itself (bulk writes send no signal)."""

from django.db.models.signals import post_delete, post_save

from pagecache import fragments
from places.models import PLACES, Place


def place_changed(sender, **kwargs):
    fragments.bump(PLACES)


post_save.connect(place_changed, sender=Place, dispatch_uid="fragments-place-save")
post_delete.connect(place_changed, sender=Place, dispatch_uid="fragments-place-delete")
