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

from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone

from vaccination import checkin, lots
from vaccination.models import BOOKING_DAYS_AHEAD, Appointment, CheckInLog, ScreeningAnswer, Site

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
    one of too_many, bad_attempt, duplicate_attempt, future, too_old,
    no_lot; their words are errors.SYNC_ERRORS, filled with `details`."""

    def __init__(self, code: str, **details):
        super().__init__(code)
        self.code = code
        self.details = details


# What a queued item is: a scan, or the dose recorded offline after it.
SCAN = "scan"
DOSE = "dose"
# A synced dose record's answer: recorded, or why not (checkin.DeskError's
# codes, a lot the stock refused, a code unknown at the nurse's clinics).
DOSE_RECORDED = "dose_recorded"
LOT_REFUSED = "lot_refused"
DOSE_REASONS = (DOSE_RECORDED, "not_checked_in", "dose_given", LOT_REFUSED, checkin.UNKNOWN)


@dataclass(frozen=True)
class Scan:
    code: str
    attempt: str
    scanned_at: datetime
    kind: str = SCAN
    lot: str = ""  # a dose's vaccine lot


@dataclass(frozen=True)
class DoseResult:
    reason: str
    code: str
    appointment: Appointment | None = None
    repeated: bool = False
    message: str = ""  # a refused lot's words, as the stock said them

    @property
    def ok(self) -> bool:
        return self.reason == DOSE_RECORDED


def validate_scans(scans: list[Scan], *, now=None) -> None:
    """Refuse the whole batch (SyncError) if any item is malformed, repeated,
    a dose without a lot, or dated outside [now - MAX_AGE, now + CLOCK_SKEW]."""
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
        if scan.kind == DOSE and not scan.lot.strip():
            raise SyncError("no_lot", index=index)
        if scan.scanned_at > now + CLOCK_SKEW:
            raise SyncError("future", index=index)
        if scan.scanned_at < now - MAX_AGE:
            raise SyncError("too_old", index=index, hours=int(MAX_AGE.total_seconds() // 3600))


def sync_scans(*, scans: list[Scan], desk_user, site: Site) -> list:
    """Apply a desk's offline scans and dose records, in order: each scan
    through check_in's own decision (checkin.apply_scan) at the time it was
    scanned, each dose through checkin.record_dose at the time it was
    entered, after its scan. Returns one result per item (a CheckInResult,
    or a DoseResult for a dose).

    Idempotent on `attempt`: an item this user already synced (or a scan sent
    from the online desk) gets its first answer again, marked repeated,
    whenever the batch is replayed. The batch is validated whole first
    (SyncError, nothing applied); after that each item is its own
    transaction, so a retry after a crash half-way applies only the rest.

    Set-based: the replays, the appointments of the batch's codes and the
    clinics the user works at are read once for the batch; a new check-in
    then costs its conditional UPDATE, audit and log rows. Two syncs of one
    queue at once need no lock: the second one's log row collides with the
    first's on (user, attempt) (a unique constraint), and it answers with
    the first's answer; a scan that won its appointment cannot collide, as
    the other waited on the appointment's row until it committed.
    """
    validate_scans(scans)
    answered = _first_answers(desk_user=desk_user, attempts=[scan.attempt for scan in scans])
    codes = {checkin.normalize_code(scan.code) for scan in scans if scan.attempt not in answered}
    appointments = _appointments(code for code in codes if checkin.is_valid_code(code))
    staff_site_ids = set(checkin.desk_sites(desk_user).values_list("pk", flat=True))
    results = []
    for scan in scans:
        result = answered.get(scan.attempt)
        if result is None:
            appointment = appointments.get(checkin.normalize_code(scan.code))
            if scan.kind == DOSE:
                result = _sync_dose(
                    scan=scan, appointment=appointment, desk_user=desk_user, site=site, staff_site_ids=staff_site_ids
                )
            else:
                result = checkin.apply_scan(
                    appointment=appointment,
                    typed=scan.code,
                    desk_user=desk_user,
                    site=site,
                    attempt=scan.attempt,
                    at=scan.scanned_at,
                    staff_site_ids=staff_site_ids,
                    first_answer=_first_answer,
                )
        results.append(result)
    return results


def _sync_dose(*, scan: Scan, appointment, desk_user, site: Site, staff_site_ids) -> DoseResult:
    """Record one dose entered offline, and log its answer under its attempt."""
    code = checkin.normalize_code(scan.code)
    if appointment is not None and appointment.slot.site_id not in staff_site_ids:
        appointment = None  # not at this nurse's clinics: as unknown as a wrong code
    message = ""
    try:
        with transaction.atomic():
            if appointment is None:
                reason = checkin.UNKNOWN
            else:
                try:
                    checkin.record_dose(appointment=appointment, lot=scan.lot, by=desk_user, at=scan.scanned_at)
                    reason = DOSE_RECORDED
                except checkin.DeskError as error:
                    reason = error.code
                except lots.LotRefused as error:
                    reason, message = LOT_REFUSED, error.message
            CheckInLog.objects.create(
                action=CheckInLog.Action.DOSE,
                at=scan.scanned_at,
                user=desk_user,
                site=site,
                typed=scan.lot.strip()[:64],
                code=code,
                reason=reason,
                appointment=appointment,
                attempt=scan.attempt,
                note=message,
            )
    except IntegrityError:
        # The same queue synced at once from elsewhere (another tab, a
        # retry) logged this dose first: its answer is the answer, and
        # this transaction (the dose included) is rolled back.
        return _first_answer(desk_user=desk_user, attempt=scan.attempt)
    return DoseResult(reason, code, appointment, message=message)


def _appointments(codes) -> dict[str, Appointment]:
    """The appointments with `codes`, as checkin loads one (and who checked
    each in, for an "already checked in" answer), in one query each."""
    rows = (
        Appointment.objects.select_related("person", "slot__site", "slot__vaccine")
        .prefetch_related("checked_in_by")
        .filter(code__in=list(codes))
    )
    return {row.code: row for row in rows}


def _first_answers(*, desk_user, attempts: list[str]) -> dict:
    """The answers this user was first given for any of `attempts`, by
    attempt (one query, two with their appointments)."""
    logs = (
        CheckInLog.objects.filter(
            user=desk_user, attempt__in=attempts, action__in=(CheckInLog.Action.SCAN, CheckInLog.Action.DOSE)
        )
        .only("action", "reason", "code", "attempt", "appointment_id", "note")
        .prefetch_related(
            Prefetch(
                "appointment",
                Appointment.objects.select_related("person", "slot__site", "slot__vaccine", "checked_in_by"),
            )
        )
    )
    answers = {}
    for log in logs:
        if log.action == CheckInLog.Action.DOSE:
            answers[log.attempt] = DoseResult(log.reason, log.code, log.appointment, repeated=True, message=log.note)
        else:
            answers[log.attempt] = checkin.CheckInResult(log.reason, log.code, log.appointment, repeated=True)
    return answers


def _first_answer(*, desk_user, attempt: str):
    return _first_answers(desk_user=desk_user, attempts=[attempt]).get(attempt)


def roster(*, site: Site, day) -> dict:
    """What a desk keeps on its device for `day` at `site`: for each
    appointment only what the nurse needs to recognise the person (with the
    screening answers that need a clinician's look first), the codes (no
    names) booked there on nearby days, and the lots on hand for each
    vaccine of the day (for the offline dose record). Three queries, and
    the lot source's (vaccination.lots) for each vaccine of the day,
    whatever the number of appointments."""
    start, end = site.local_day_bounds(day)
    flags = _clinician_flags(site=site, start=start, end=end)
    rows = list(
        Appointment.objects.filter(slot__site=site, slot__start__gte=start, slot__start__lt=end)
        .select_related("person", "slot__vaccine", "checked_in_by")
        .only(
            "code",
            "status",
            "dose_number",
            "checked_in_at",
            "dose_given_at",
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
            "flags": flags.get(row.pk, []),
            "status": row.status,
            "dose_given": row.dose_given_at is not None,
            "checked_in_at": row.checked_in_at.isoformat() if row.checked_in_at else None,
            "checked_in_by": row.checked_in_by.get_full_name() if row.checked_in_by else None,
        }
        for row in rows
    ]
    vaccines = {row.slot.vaccine.pk: row.slot.vaccine for row in rows}.values()
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
        "lots": {vaccine.name: _lots_on_hand(site=site, vaccine=vaccine) for vaccine in vaccines},
    }


def _clinician_flags(*, site: Site, start, end) -> dict[int, list[str]]:
    """The questions answered "yes" that need a clinician, by appointment,
    for the appointments at `site` between `start` and `end` (one query)."""
    answers = (
        ScreeningAnswer.objects.filter(
            appointment__slot__site=site,
            appointment__slot__start__gte=start,
            appointment__slot__start__lt=end,
            answer=True,
            question__yes_needs_clinician=True,
            question__is_active=True,
        )
        .select_related("question")
        .order_by("question__order", "question_id")
    )
    flags = {}
    for answer in answers:
        flags.setdefault(answer.appointment_id, []).append(answer.question.localized_text)
    return flags


def _lots_on_hand(*, site: Site, vaccine) -> list[dict] | None:
    """The lots the desk may pick offline, as online (None: the lot is typed)."""
    choices = lots.choices(site=site, vaccine=vaccine)
    if choices is None:
        return None
    return [{"lot": number, "label": label} for number, label in choices]
