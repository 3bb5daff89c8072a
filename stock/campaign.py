"""The campaign overview's sections on vaccine stock and the cold chain
(campaign.sections imports this when stock is installed; stock never
imports campaign). Each section is one aggregate query."""

from datetime import datetime, time, timedelta

from django.db.models import Q, Sum
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fleet.models import Excursion
from stock.models import EXPIRY_WARNING_DAYS, STOCK, Lot, StockLevel, StockMovement

# What the sections read, all of it named by one generation: the overview
# keeps them in the page cache until it is bumped (campaign.sections).
GENERATIONS = (STOCK,)


def _stock_on_hand(*, site, vaccine):
    today = timezone.localdate()
    soon = today + timedelta(days=EXPIRY_WARNING_DAYS)
    levels = StockLevel.objects.on_hand()
    if site is not None:
        # A mobile clinic's doses ride on its truck.
        levels = levels.filter(_at_clinic(site))
    if vaccine is not None:
        levels = levels.filter(lot__vaccine=vaccine)
    usable = Q(lot__status=Lot.Status.AVAILABLE, lot__expires_on__gte=today)
    rows = (
        levels.values("lot__vaccine__name")
        .annotate(
            on_hand=Sum("quantity", filter=usable),
            expiring=Sum("quantity", filter=usable & Q(lot__expires_on__lte=soon)),
            held=Sum("quantity", filter=~usable),
        )
        .order_by("lot__vaccine__name")
    )
    rows = [[row["lot__vaccine__name"], row["on_hand"] or 0, row["expiring"] or 0, row["held"] or 0] for row in rows]
    on_hand = sum(row[1] for row in rows)
    expiring = sum(row[2] for row in rows)
    return {
        "title": _("Vaccine stock"),
        "summary": _("%(on_hand)s usable doses on hand, %(expiring)s of them expiring within %(days)s days.")
        % {"on_hand": on_hand, "expiring": expiring, "days": EXPIRY_WARNING_DAYS},
        "columns": [
            _("Vaccine"),
            _("Usable doses"),
            _("Expiring within %(days)s days") % {"days": EXPIRY_WARNING_DAYS},
            _("Quarantined or expired"),
        ],
        "rows": rows,
    }


def _at_clinic(site) -> Q:
    """Stock of `site`: at the clinic, or on its truck for a mobile clinic."""
    return Q(site=site) | Q(truck_id=site.truck_id) if site.truck_id else Q(site=site)


def _bounds(first_day, last_day, site=None):
    """The period's instants: the clinic's own local days when one is chosen
    (as the overview's figures count them), else the campaign's."""
    if site is not None:
        return site.local_day_bounds(first_day)[0], site.local_day_bounds(last_day)[1]
    zone = timezone.get_current_timezone()
    start = datetime.combine(first_day, time.min, tzinfo=zone)
    return start, datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=zone)


def _waste(*, first_day, last_day, site, vaccine):
    start, end = _bounds(first_day, last_day, site)
    wasted = StockMovement.objects.filter(kind=StockMovement.Kind.WASTED, at__gte=start, at__lt=end)
    if site is not None:
        wasted = wasted.filter(_at_clinic(site))
    if vaccine is not None:
        wasted = wasted.filter(lot__vaccine=vaccine)
    reasons = dict(StockMovement.WasteReason.choices)
    # Waste movements take doses away: their quantity is negative.
    rows = wasted.values("reason").annotate(doses=-Sum("quantity")).order_by("-doses", "reason")
    rows = [[str(reasons.get(row["reason"]) or _("Other")), row["doses"]] for row in rows]
    total = sum(row[1] for row in rows)
    return {
        "title": _("Doses wasted"),
        "summary": ngettext(
            "%(doses)s dose was wasted in this period.", "%(doses)s doses were wasted in this period.", total
        )
        % {"doses": total},
        "columns": [_("Reason"), _("Doses")],
        "rows": rows,
    }


def _excursions(*, first_day, last_day, site):
    start, end = _bounds(first_day, last_day, site)
    found = Excursion.objects.filter(started_at__gte=start, started_at__lt=end).select_related("truck")
    if site is not None:
        found = found.filter(truck_id=site.truck_id) if site.truck_id else found.none()
    count = found.count()
    found = list(found.order_by("-started_at")[:50])  # the table shows the latest; the sentence counts them all
    return {
        "title": _("Cold-chain excursions"),
        "summary": ngettext(
            "%(count)s truck fridge left its temperature range in this period.",
            "Truck fridges left their temperature range %(count)s times in this period.",
            count,
        )
        % {"count": count},
        "columns": [_("Truck"), _("Started"), _("Worst °C")],
        "rows": [
            [
                excursion.truck.code,
                formats.date_format(timezone.localtime(excursion.started_at), "SHORT_DATETIME_FORMAT"),
                excursion.worst_celsius,
            ]
            for excursion in found
        ],
    }


def campaign_sections(*, first_day, last_day, site=None, vaccine=None) -> list[dict]:
    """Stock on hand now (with what expires within 30 days), doses wasted
    and cold-chain excursions from `first_day` to `last_day`."""
    return [
        _stock_on_hand(site=site, vaccine=vaccine),
        _waste(first_day=first_day, last_day=last_day, site=site, vaccine=vaccine),
        _excursions(first_day=first_day, last_day=last_day, site=site),
    ]
