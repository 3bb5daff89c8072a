"""The desk that keeps working without a network (issue 18).

A desk that has been opened online keeps the day's roster of its clinic on
the device (static/js/desk-offline.js) and answers scans from it while the
network is gone; the scans it made wait in a queue and are synced later,
each through the same `check_in` as a scan at the online desk, at the time
it was scanned. This module is the server's half: the roster a desk
downloads and the sync of a queue.
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from vaccination import checkin
from vaccination.models import BOOKING_DAYS_AHEAD, Appointment, CheckInLog, Site

# A queue is sent in batches of at most this many scans; a bigger batch is
# refused whole, so the desk splits its queue (a day at one desk is a few
# hundred scans).
MAX_SCANS = 200
# A scan dated further in the future than this is a wrong clock or forged.
CLOCK_SKEW = timedelta(minutes=5)
# A scan older than this is not checked in any more: the desk wipes its
# roster the next day, and a check-in days later would be a fiction.
MAX_AGE = timedelta(hours=24)
# The roster names the codes booked at the clinic on other days this far
# back and ahead (codes and days only), so an offline desk can say
# "not today" rather than "unknown".
OTHER_DAYS_BACK = 7
OTHER_DAYS_AHEAD = BOOKING_DAYS_AHEAD

# One desk attempt: the hex uuid that checkin.new_attempt() and the desk's
# script make.
_ATTEMPT = re.compile(r"^[0-9a-f]{32}$")


class SyncError(Exception):
    """A sync batch was refused whole; nothing of it was applied. `code` is
    one of too_many, bad_attempt, duplicate_attempt, future, too_old; their
    words are errors.SYNC_ERRORS, filled with `details`."""

    def __init__(self, code: str, **details):
        super().__init__(code)
        self.code = code
        self.details = details


@dataclass(frozen=True)
class Scan:
    code: str
    attempt: str
    scanned_at: datetime


def validate_scans(scans: list[Scan], *, now=None) -> None:
    """Refuse the whole batch (SyncError) if any scan is malformed, repeated
    or dated outside [now - MAX_AGE, now + CLOCK_SKEW]."""
    now = now or timezone.now()
    if len(scans) > MAX_SCANS:
        raise SyncError("too_many", limit=MAX_SCANS)
    seen = set()
    for index, scan in enumerate(scans, start=1):
        if not _ATTEMPT.match(scan.attempt or ""):
            raise SyncError("bad_attempt", index=index)
        if scan.attempt in seen:
            raise SyncError("duplicate_attempt", index=index)
        seen.add(scan.attempt)
        if scan.scanned_at > now + CLOCK_SKEW:
            raise SyncError("future", index=index)
        if scan.scanned_at < now - MAX_AGE:
            raise SyncError("too_old", index=index, hours=int(MAX_AGE.total_seconds() // 3600))


def sync_scans(*, scans: list[Scan], desk_user, site: Site) -> list[checkin.CheckInResult]:
    """Apply a desk's offline scans, in order, each through check_in at the
    time it was scanned; returns one result per scan.

    Idempotent on `attempt`: a scan this user already synced (or sent from
    the online desk) gets its first answer again, marked repeated, whenever
    the batch is replayed. The batch is validated whole first (SyncError,
    nothing applied); after that each scan is its own transaction, so a
    retry after a crash half-way applies only the rest.
    """
    validate_scans(scans)
    User = get_user_model()
    results = []
    for scan in scans:
        with transaction.atomic():
            # One sync of this user at a time: the same queue sent from two
            # tabs (or replayed) at once finds the first's log rows below
            # instead of racing it.
            User.objects.select_for_update().filter(pk=desk_user.pk).values_list("pk").first()
            result = _synced_before(desk_user=desk_user, attempt=scan.attempt)
            if result is None:
                result = checkin.check_in(
                    code=scan.code, desk_user=desk_user, site=site, attempt=scan.attempt, at=scan.scanned_at
                )
        results.append(result)
    return results


def _synced_before(*, desk_user, attempt: str) -> checkin.CheckInResult | None:
    first = (
        CheckInLog.objects.filter(user=desk_user, attempt=attempt, action=CheckInLog.Action.SCAN)
        .only("reason", "code", "appointment_id")
        .first()
    )
    if first is None:
        return None
    appointment = None
    if first.appointment_id:
        appointment = Appointment.objects.select_related("person", "slot__site", "slot__vaccine").get(
            pk=first.appointment_id
        )
    return checkin.CheckInResult(first.reason, first.code, appointment, repeated=True)


def roster(*, site: Site, day) -> dict:
    """What a desk keeps on its device for `day` at `site`: for each
    appointment only what the nurse needs to recognise the person, and the
    codes (no names) booked there on nearby days. Two queries."""
    start, end = site.local_day_bounds(day)
    rows = (
        Appointment.objects.filter(slot__site=site, slot__start__gte=start, slot__start__lt=end)
        .select_related("person", "slot__vaccine", "checked_in_by")
        .only(
            "code",
            "status",
            "dose_number",
            "checked_in_at",
            "person__first_name",
            "person__last_name",
            "person__email",
            "person__date_of_birth",
            "slot__start",
            "slot__vaccine__name",
            "checked_in_by__first_name",
            "checked_in_by__last_name",
        )
        .order_by("slot__start", "pk")
    )
    appointments = [
        {
            "code": row.code,
            "name": row.person.get_full_name() or row.person.email,
            "date_of_birth": row.person.date_of_birth.isoformat() if row.person.date_of_birth else None,
            "start": row.slot.start.isoformat(),
            "vaccine": row.slot.vaccine.name,
            "dose_number": row.dose_number,
            # Screening flags would go here; the appointment records none yet.
            "flags": [],
            "status": row.status,
            "checked_in_at": row.checked_in_at.isoformat() if row.checked_in_at else None,
            "checked_in_by": row.checked_in_by.get_full_name() if row.checked_in_by else None,
        }
        for row in rows
    ]
    near_start, _ = site.local_day_bounds(day - timedelta(days=OTHER_DAYS_BACK))
    _, near_end = site.local_day_bounds(day + timedelta(days=OTHER_DAYS_AHEAD))
    other_days = [
        {"code": code, "start": moment.isoformat()}
        for code, moment in Appointment.objects.filter(
            slot__site=site, slot__start__gte=near_start, slot__start__lt=near_end, status=Appointment.Status.BOOKED
        )
        .exclude(slot__start__gte=start, slot__start__lt=end)
        .values_list("code", "slot__start")
    ]
    return {
        "site": {"id": site.pk, "name": site.name, "time_zone": site.time_zone},
        "day": day.isoformat(),
        "generated_at": timezone.now().isoformat(),
        "appointments": appointments,
        "other_days": other_days,
    }
