"""The campaign overview's section on walk-ins and spare-dose offers
(campaign.sections imports this when standby is installed; standby never
imports campaign). Two queries: the clinics, then one aggregate."""

from functools import reduce
from operator import or_

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from vaccination.models import Appointment, Site


def campaign_sections(*, first_day, last_day, site=None, vaccine=None) -> list[dict]:
    """Per clinic, the walk-ins registered and the spare-dose offers taken,
    in appointments from `first_day` to `last_day` (each clinic's own local days)."""
    sites = [site] if site is not None else list(Site.objects.all())
    if not sites:
        return []
    # Each clinic's local days as instants: the rows are counted on the clinic's own calendar.
    within = reduce(
        or_,
        (
            Q(
                slot__site=clinic,
                slot__start__gte=clinic.local_day_bounds(first_day)[0],
                slot__start__lt=clinic.local_day_bounds(last_day)[1],
            )
            for clinic in sites
        ),
    )
    found = Appointment.objects.filter(within, source__in=[Appointment.Source.WALK_IN, Appointment.Source.OFFER])
    found = found.exclude(status=Appointment.Status.CANCELLED)
    if vaccine is not None:
        found = found.filter(slot__vaccine=vaccine)
    rows = (
        found.values("slot__site__name")
        .annotate(
            walk_ins=Count("pk", filter=Q(source=Appointment.Source.WALK_IN)),
            offers=Count("pk", filter=Q(source=Appointment.Source.OFFER)),
        )
        .order_by("slot__site__name")
    )
    table = [[row["slot__site__name"], row["walk_ins"], row["offers"]] for row in rows]
    walk_ins, offers = sum(row[1] for row in table), sum(row[2] for row in table)
    return [
        {
            "title": _("Walk-ins and spare doses"),
            "summary": _("%(walk_ins)s people came without an appointment and %(offers)s took a spare-dose offer.")
            % {"walk_ins": walk_ins, "offers": offers},
            "columns": [_("Clinic"), _("Walk-ins"), _("Spare-dose offers taken")],
            "rows": table,
        }
    ]
