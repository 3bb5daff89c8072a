"""Every change to the fleet register marks the cached fleet lists stale
(pagecache.fragments): the pages, the admin, the API and import_fleet all
save through the models, so one place catches them all."""

from allauth.account.signals import email_confirmed
from django.db.models.signals import post_delete, post_save

from fleet.models import FLEET_REGISTER, Assignment, Client, ClientMembership, Driver, Truck, TruckCondition
from fleet.services import link_waiting_drivers
from pagecache import fragments

FLEET_MODELS = (Client, ClientMembership, Driver, Truck, Assignment, TruckCondition)


def fleet_changed(sender, **kwargs):
    fragments.bump(FLEET_REGISTER)


for model in FLEET_MODELS:
    post_save.connect(fleet_changed, sender=model, dispatch_uid=f"fragments-{model._meta.label}-save")
    post_delete.connect(fleet_changed, sender=model, dispatch_uid=f"fragments-{model._meta.label}-delete")


def link_driver_on_confirmation(request, email_address, **kwargs):
    """A driver's login email, confirmed by the person who signs in with it:
    the account now sees the driver's record (fleet.services.link_login)."""
    if email_address.user.email.lower() == email_address.email.lower():
        link_waiting_drivers(user=email_address.user)


email_confirmed.connect(link_driver_on_confirmation, dispatch_uid="fleet-link-driver-on-confirmation")
