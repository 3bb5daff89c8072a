"""What the stock pages and the API read, with the pages' access rules."""

from django.db.models import Q

from accounts.roles import Role, has_role
from fleet.models import Excursion, Truck
from stock.models import ColdChainAlert, Lot, StockLevel, StockMovement
from vaccination.models import Site


def clinics_of(user):
    """The clinics whose stock `user` sees: their own (every one for a superuser or a campaign lead)."""
    sites = Site.objects.select_related("truck").order_by("name")
    if user.is_superuser or has_role(user, Role.CAMPAIGN_LEAD):
        return sites.all()
    return sites.filter(staff=user)


def trucks_of(user):
    """Trucks whose stock `user` sees: fleet managers and leads every truck,
    clinic staff the trucks of their mobile clinics."""
    if user.is_superuser or has_role(user, Role.CAMPAIGN_LEAD, Role.FLEET_MANAGER):
        return Truck.objects.all()
    return Truck.objects.filter(mobile_sites__staff=user).distinct()


def levels_at(*, site=None, truck=None):
    return (
        StockLevel.objects.at(site=site, truck=truck)
        .on_hand()
        .select_related("lot__vaccine")
        .order_by("lot__expires_on", "lot__number")
    )


def movements_at(*, site=None, truck=None):
    return (
        StockMovement.objects.at(site=site, truck=truck)
        .select_related("lot__vaccine", "by", "site", "truck")
        .order_by("-at", "-pk")
    )


def excursions_of(user):
    """Excursions of the trucks `user` sees."""
    return Excursion.objects.with_truck().filter(truck__in=trucks_of(user))


def affected_doses(excursion):
    """Every dose given from a lot the excursion quarantined, since the stretch began."""
    lots = Lot.objects.filter(quarantines__excursion=excursion)
    return (
        StockMovement.objects.filter(kind=StockMovement.Kind.ADMINISTERED, lot__in=lots, at__gte=excursion.started_at)
        .select_related("lot", "appointment__person", "appointment__slot__site")
        .order_by("at", "pk")
    )


def alerts_for(user):
    """Cold-chain alerts addressed to `user` whose lots still wait for a decision."""
    return (
        ColdChainAlert.objects.filter(recipients=user)
        .filter(Q(excursion__quarantines__decision=""))
        .select_related("excursion__truck")
        .distinct()
    )
