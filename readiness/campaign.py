"""The campaign overview's section on clinic days at risk (campaign.sections
imports this when readiness is installed; readiness never imports campaign)."""

import datetime

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from readiness.clinic_days import AT_RISK_DEPENDS_ON, AT_RISK_SECONDS, HORIZON_DAYS, at_risk_days, coming_at_risk

# What the section is drawn from (campaign.sections keeps it in the page cache
# on these), and for how long at most: a truck's documents and services fall
# due as days pass, which no generation says.
GENERATIONS = AT_RISK_DEPENDS_ON
SECONDS = AT_RISK_SECONDS


def campaign_sections(*, first_day, last_day, site=None, vaccine=None) -> list[dict]:
    """The mobile clinic days from `first_day` (today at the earliest:
    readiness is about days still to come) to `last_day` whose truck or
    driver is not ready. A fixed number of queries (at_risk_days), none when
    the range is within the coming fortnight /fleet/readiness/ shows and it
    is in the page cache. `vaccine` does not narrow it: a day at risk is at
    risk for every vaccine given."""
    today = timezone.localdate()
    first_day = max(first_day, today)
    if last_day < first_day:
        return []
    if last_day < today + datetime.timedelta(days=HORIZON_DAYS):
        risks = [risk for risk in coming_at_risk() if first_day <= risk.day <= last_day]
    else:
        risks = at_risk_days(first_day, last_day)
    risks = [risk for risk in risks if site is None or risk.site.pk == site.pk]
    booked = sum(risk.booked for risk in risks)
    return [
        {
            "title": _("Clinic days at risk"),
            "summary": ngettext(
                "%(days)s mobile clinic day has a truck or driver that is not ready; %(booked)s people are booked.",
                "%(days)s mobile clinic days have a truck or driver that is not ready; %(booked)s people are booked.",
                len(risks),
            )
            % {"days": len(risks), "booked": booked},
            "columns": [_("Day"), _("Mobile clinic"), _("Truck"), _("People booked"), _("Why")],
            "rows": [
                [
                    formats.date_format(risk.day, "WEEKDAY_DATE_FORMAT"),
                    risk.site.name,
                    risk.truck.code if risk.truck else "—",
                    risk.booked,
                    "; ".join(problem.words for problem in risk.problems),
                ]
                for risk in risks
            ],
        }
    ]
