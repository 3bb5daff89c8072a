"""Trucks and drivers fit to go: inspections, maintenance, documents with
expiry, and the mobile clinic days at risk because of them.

This app sits above vaccination and fleet (STYLE.md): it reads mobile
clinics and their bookings, and answers the hooks fleet and vaccination
define so that neither imports it.
"""


def at_risk_days(start, end):
    """The mobile clinic days between `start` and `end` (dates, inclusive)
    whose truck or driver is not ready: see readiness.clinic_days."""
    from readiness.clinic_days import at_risk_days as compute

    return compute(start, end)
