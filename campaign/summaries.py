"""One sentence per chart, so the chart says its point to a screen reader,
in print, and to someone who skims."""

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def percent(ratio) -> str:
    if ratio is None:
        return "-"
    return f"{formats.number_format(round(ratio * 100))} %"


def _day(day) -> str:
    return formats.date_format(day, "SHORT_DAY_MONTH_FORMAT")


def daily(figures) -> str:
    totals = figures.totals
    if not totals["doses"] and not totals["capacity"]:
        return _("No seats were offered and no dose was given in these days.")
    busiest = max(figures.days, key=lambda d: d.doses)
    doses = ngettext("%(n)s dose was given", "%(n)s doses were given", totals["doses"]) % {
        "n": formats.number_format(totals["doses"], force_grouping=True)
    }
    return _(
        "%(doses)s (%(first)s first, %(later)s later) against %(booked)s seats booked and %(capacity)s offered; "
        "the busiest day was %(day)s with %(most)s."
    ) % {
        "doses": doses,
        "first": formats.number_format(totals["first_doses"], force_grouping=True),
        "later": formats.number_format(totals["later_doses"], force_grouping=True),
        "booked": formats.number_format(totals["booked"], force_grouping=True),
        "capacity": formats.number_format(totals["capacity"], force_grouping=True),
        "day": _day(busiest.day),
        "most": formats.number_format(busiest.doses, force_grouping=True),
    }


def no_shows(figures, clinics) -> str:
    rated = [c for c in clinics if c.no_show_rate is not None]
    if not rated:
        return _("No appointment of these days has an outcome yet.")
    worst = max(rated, key=lambda c: c.no_show_rate)
    return _(
        "Overall %(rate)s of people with an appointment did not come; the highest rate was at %(clinic)s (%(worst)s)."
    ) % {
        "rate": percent(figures.totals["no_show_rate"]),
        "clinic": worst.site.name,
        "worst": percent(worst.no_show_rate),
    }


def cancellations(figures, clinics) -> str:
    total = figures.totals["cancelled"]
    if not total:
        return _("No appointment of these days was cancelled.")
    most = max(clinics, key=lambda c: c.cancelled)
    return ngettext(
        "%(n)s appointment was cancelled, most of them at %(clinic)s (%(most)s).",
        "%(n)s appointments were cancelled, most of them at %(clinic)s (%(most)s).",
        total,
    ) % {"n": formats.number_format(total, force_grouping=True), "clinic": most.site.name, "most": most.cancelled}


def seats(figures, clinics) -> str:
    low, high = len(figures.low_fill), len(figures.high_fill)
    return _(
        "%(seats)s seats are left in the next 14 days (clinics below half full: %(low)s; above 95 %% full: %(high)s)."
    ) % {"seats": formats.number_format(figures.totals["seats_left"], force_grouping=True), "low": low, "high": high}


def of(figures, clinics) -> dict:
    return {
        "daily": daily(figures),
        "no_shows": no_shows(figures, clinics),
        "cancellations": cancellations(figures, clinics),
        "seats": seats(figures, clinics),
    }
