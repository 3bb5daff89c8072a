"""The clinic desk: check-in, dose records and undo, all safe under concurrency.

Kept apart from `services.py` (booking) because it is its own subject with
its own vocabulary. Check-in is answered, never raised: every scan, refused
or not, gives a `CheckInResult` with a machine-readable `reason` that the desk
page words, and is written to `CheckInLog`.
"""

import re
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

import audit
import sqlinsert
import sqlprepared
from audit.models import Action
from pagecache import fragments
from vaccination import lots
from vaccination.models import (
    CODE_ALPHABET,
    CODE_LENGTH,
    NO_SHOW_GRACE,
    ONE_LOG_PER_ATTEMPT,
    Appointment,
    CheckInLog,
    Site,
    day_board,
)

# A double-submitted desk form (same desk, same rendered form) within this
# window gets the first answer again; after it, the form counts as a new scan.
RETRY_WINDOW = timedelta(minutes=2)
# A mistaken check-in can be undone this long after it was made.
UNDO_WINDOW = timedelta(minutes=10)

# Reasons a scan can give. CHECKED_IN is the only success.
CHECKED_IN = "checked_in"
UNKNOWN = "unknown"
CANCELLED = "cancelled"
NO_SHOW = "no_show"
WRONG_DAY = "wrong_day"
WRONG_SITE = "wrong_site"
ALREADY_CHECKED_IN = "already_checked_in"
REASONS = (CHECKED_IN, UNKNOWN, CANCELLED, NO_SHOW, WRONG_DAY, WRONG_SITE, ALREADY_CHECKED_IN)

_SEPARATORS = re.compile(r"[\s\-_.·/]+")
_VALID_CODE = re.compile(f"^[{CODE_ALPHABET}]{{{CODE_LENGTH}}}$")


def normalize_code(typed: str) -> str:
    """The code as stored: upper case, without spaces, dashes or dots.

    Nothing else is mapped: the alphabet has no 0/O/1/I/L, so a look-alike
    typed by mistake is simply not a valid code, and mapping it could turn a
    wrong code into someone else's right one.
    """
    return _SEPARATORS.sub("", (typed or "").strip()).upper()[:32]


def is_valid_code(code: str) -> bool:
    return bool(_VALID_CODE.match(code))


class DeskError(Exception):
    """A dose record or undo was refused. `code` is one of:

    not_checked_in   the appointment is not (or no longer) checked in
    dose_given       a dose is already recorded for it
    undo_too_late    the check-in is older than UNDO_WINDOW
    rebooked         the person holds another booked appointment now
    """

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class CheckInResult:
    reason: str
    code: str
    appointment: Appointment | None = None
    repeated: bool = False  # the same form came again: this is the first answer

    @property
    def ok(self) -> bool:
        return self.reason == CHECKED_IN


def new_attempt() -> str:
    """A token for one rendered desk form; see CheckInLog.attempt."""
    return uuid.uuid4().hex


def _loadable(typed: str) -> str | None:
    """The code to look an appointment up by, for what was typed or scanned;
    None when it cannot be one (no query is made for it)."""
    code = normalize_code(typed)
    return code if is_valid_code(code) else None


def _load(code: str) -> Appointment | None:
    # Not checked_in_by / checked_in_site: outer joins PostgreSQL may answer
    # with a merge join that walks the whole user index (100 ms with 100,000
    # users, measured by make bench). Only an "already checked in" answer
    # needs the name: one query by primary key then.
    return _BY_CODE.first(code)


# Compiled once (sqlprepared): the desk loads one appointment by code per scan.
_BY_CODE = sqlprepared.Prepared(
    lambda code: Appointment.objects.select_related("person", "slot__site", "slot__vaccine").filter(code=code),
    sample=("SAMPLECODE",),
)


def _refusal(appointment: Appointment, *, desk_user, site: Site, at=None, staff_site_ids=None) -> str | None:
    """Why `appointment` cannot be checked in at `site` now (or at the scan time `at`), or None."""
    status = appointment.status
    if status == Appointment.Status.CHECKED_IN:
        return ALREADY_CHECKED_IN
    if status == Appointment.Status.CANCELLED:
        return CANCELLED
    if status == Appointment.Status.NO_SHOW:
        return NO_SHOW
    booked_site = appointment.slot.site
    if booked_site.pk != site.pk:
        known = staff_site_ids is not None
        if not (booked_site.pk in staff_site_ids if known else works_at(desk_user, booked_site)):
            return WRONG_SITE
    now = at or timezone.now()  # an offline desk's scan is judged at the time it was scanned
    if appointment.slot.end <= now - NO_SHOW_GRACE:
        # The slot ended more than NO_SHOW_GRACE ago: mark_no_shows records
        # it, and the person may already have booked another time.
        return NO_SHOW
    # From the start of the slot's own day at its clinic (people come early)
    # until NO_SHOW_GRACE after it ends, across midnight if it does.
    day_starts, _ = booked_site.local_day_bounds(appointment.slot.local_start.date())
    if now < day_starts:
        return WRONG_DAY
    return None


def works_at(user, site: Site) -> bool:
    return user.is_superuser or site.staff.filter(pk=user.pk).exists()


def desk_sites(user):
    """The clinics `user` may run a desk for: their own; every one for a superuser."""
    read, values = _sites_of(user)
    return read.build(*values)


def _desk_sites(staff_id=None):
    sites = Site.objects.select_related("truck")
    return sites.all() if staff_id is None else sites.filter(staff=staff_id)


def desk_site_list(user) -> list[Site]:
    """desk_sites(user), listed by SQL compiled once (every desk page asks)."""
    read, values = _sites_of(user)
    return read.all(*values)


_ALL_SITES = sqlprepared.Prepared(_desk_sites, sample=())
_STAFF_SITES = sqlprepared.Prepared(_desk_sites, sample=(987654321,))
# A scan at the desk reads both: the desk's clinics and the appointment scanned.
_WITH_CODE = {read: sqlprepared.Together(read, _BY_CODE) for read in (_ALL_SITES, _STAFF_SITES)}


def _sites_of(user) -> tuple[sqlprepared.Prepared, tuple]:
    """The compiled read of `user`'s desk clinics and its values: every
    clinic for a superuser, else the clinics they staff."""
    return (_ALL_SITES, ()) if user.is_superuser else (_STAFF_SITES, (user.pk,))


def desk_sites_and_appointment(user, typed: str) -> tuple[list[Site], Appointment | None]:
    """desk_site_list(user) and the appointment that check_in(code=typed)
    would load (None for a code that cannot be one), in one round trip: a
    scan at the desk needs both. Give the appointment to apply_scan."""
    code = _loadable(typed)
    if code is None:
        return desk_site_list(user), None
    read, values = _sites_of(user)
    sites, found = _WITH_CODE[read].all(values, (code,))
    return sites, (found[0] if found else None)


def _previous_answer(*, desk_user, attempt: str) -> CheckInResult | None:
    if not attempt:
        return None
    first = (
        CheckInLog.objects.filter(
            user=desk_user, attempt=attempt, action=CheckInLog.Action.SCAN, at__gte=timezone.now() - RETRY_WINDOW
        )
        .only("reason", "code", "appointment_id")
        .first()
    )
    if first is None:
        return None
    appointment = _load(first.code) if first.appointment_id else None
    return CheckInResult(first.reason, first.code, appointment, repeated=True)


def check_in(*, code: str, desk_user, site: Site, attempt: str = "", at=None) -> CheckInResult:
    """Check the appointment with `code` in at the desk of `site`.

    One conditional UPDATE takes the appointment from booked to checked in,
    so two desks scanning one code at the same moment give one success and
    one already_checked_in. The same desk form submitted twice (`attempt`)
    gets its first answer again. Every call writes a CheckInLog row; a
    check-in writes its audit event in the same statement as the UPDATE.
    Reasons: checked_in, unknown, cancelled, no_show, wrong_day, wrong_site,
    already_checked_in. Never raises for a refused code.
    `at` is when the code was scanned, for a desk that scanned offline and
    syncs later (vaccination/offline.py): the day is checked against it, and
    it is the check-in's time and the log's. Default: now.
    """
    loadable = _loadable(code)
    appointment = _load(loadable) if loadable else None
    return apply_scan(appointment=appointment, typed=code, desk_user=desk_user, site=site, attempt=attempt, at=at)


def apply_scan(
    *,
    appointment,
    typed: str,
    desk_user,
    site: Site,
    attempt: str = "",
    at=None,
    staff_site_ids=None,
    first_answer=None,
) -> CheckInResult:
    """check_in's decision and writes, for an appointment its caller loaded
    (`_load` of the normalized `typed`; None when no appointment has it): the
    offline sync (vaccination/offline.py) loads a whole batch at once.
    `staff_site_ids`: the clinics `desk_user` works at, when the caller knows
    them (else asked when needed). `first_answer(desk_user=, attempt=)`: the
    answer logged first for the same attempt, when this scan's log collides
    with it (default: the same form within RETRY_WINDOW). Same side effects
    and reasons as check_in."""
    normalized = normalize_code(typed)

    def log(reason, appointment):
        return CheckInLog(
            at=at or timezone.now(),
            user=desk_user,
            site=site,
            typed=(typed or "")[:64],
            code=normalized,
            reason=reason,
            appointment=appointment,
            attempt=attempt,
        )

    # No transaction of its own: each write below is one statement, atomic by
    # itself (a check-in's UPDATE, audit and log rows are one: _take), so a
    # scan costs no BEGIN and no COMMIT.
    try:
        reason = (
            UNKNOWN
            if appointment is None
            else _refusal(appointment, desk_user=desk_user, site=site, at=at, staff_site_ids=staff_site_ids)
        )
        if reason is None:
            if _take(
                appointment,
                desk_user=desk_user,
                site=site,
                at=at,
                code=normalized,
                log=log(CHECKED_IN, appointment),
            ):
                fragments.bump(day_board(appointment.slot.site_id))
                return CheckInResult(CHECKED_IN, normalized, appointment)
            # Another desk was first: answer from the row as it is now.
            appointment = _load(normalized)
            reason = (
                _refusal(appointment, desk_user=desk_user, site=site, at=at, staff_site_ids=staff_site_ids)
                or ALREADY_CHECKED_IN
            )
        # The same form (attempt) logged already: this request's answer is the
        # first one's (a refusal writes nothing but its log row).
        if not sqlinsert.insert_unless_duplicate(log(reason, appointment)):
            raise _Repeated
    except _Repeated:
        previous = (first_answer or _previous_answer)(desk_user=desk_user, attempt=attempt)
        if previous is not None:
            return previous
        # The same form came back after RETRY_WINDOW: a new scan, logged
        # without its token (the rolled-back attempt changed nothing: read again).
        return apply_scan(
            appointment=_load(normalized) if appointment is not None else None,
            typed=typed,
            desk_user=desk_user,
            site=site,
            at=at,
            staff_site_ids=staff_site_ids,
        )
    return CheckInResult(reason, normalized, appointment)


class _Repeated(Exception):
    """The desk form's attempt token is in the log already."""


def _take(appointment: Appointment, *, desk_user, site: Site, at, code: str, log: CheckInLog) -> bool:
    """Booked -> checked in, with one conditional UPDATE, its audit event and
    the scan's `log` row. The WHERE re-checks the row itself: PostgreSQL
    re-evaluates it after waiting for a concurrent desk's write, so only one
    desk changes the row; slot_id guards a reschedule in between. On
    PostgreSQL the UPDATE, its RETURNING (the answer to the desk), the audit
    INSERT and the log INSERT are one statement; elsewhere four. Updates
    `appointment` in memory; False if another desk won (nothing written).
    Raises _Repeated when the log already holds the same attempt, having
    written nothing (the statement, or the transaction elsewhere, undone)."""
    now = timezone.now()
    changes = {
        "status": Appointment.Status.CHECKED_IN,
        "checked_in_at": at or now,
        "checked_in_by_id": desk_user.pk,
        "checked_in_site_id": site.pk,
        "updated_at": now,
    }
    event = audit.unsaved(Action.CHECK_IN, target=appointment, actor=desk_user, data={"code": code, "site": site.name})
    if connection.vendor == "postgresql":
        row = _take_in_one_statement(appointment, changes, event, log)
        if row is None:
            return False
        changes["checked_in_at"], changes["updated_at"], logged = row
        if not logged:
            raise _Repeated  # the statement was undone whole
    else:
        with transaction.atomic():
            won = Appointment.objects.filter(
                pk=appointment.pk, status=Appointment.Status.BOOKED, slot_id=appointment.slot_id
            ).update(**changes)
            if not won:
                return False
            event.save()
            if not sqlinsert.insert_unless_duplicate(log):
                raise _Repeated  # undoes the UPDATE and the audit row
    for name, value in changes.items():
        setattr(appointment, name, value)
    return True


def _take_in_one_statement(appointment: Appointment, changes: dict, event, log: CheckInLog):
    """WITH won AS (UPDATE ... RETURNING), told AS (INSERT audit FROM won),
    logged AS (INSERT log FROM won) SELECT FROM won, as its own transaction
    (sqlinsert.one_statement): (checked_in_at, updated_at, True) of the row;
    None when the UPDATE changed nothing; (None, None, False) when the log
    held the attempt already, which undid the whole statement."""
    meta = Appointment._meta
    quote = connection.ops.quote_name
    sets, params = [], []
    for name, value in changes.items():
        field = meta.get_field(name)
        sets.append(f"{quote(field.column)} = %s")
        params.append(field.get_db_prep_save(value, connection))
    audit_sql, audit_params = sqlinsert.insert_sql(event, select_from="won")
    log_sql, log_params = sqlinsert.insert_sql(log, select_from="won", returning=["id"])
    table = quote(meta.db_table)
    # Names quoted from the models, every value a parameter.
    sql = (
        f"WITH won AS (UPDATE {table} SET {', '.join(sets)} "  # noqa: S608  # nosec B608
        f"WHERE {quote('id')} = %s AND {quote('status')} = %s AND {quote('slot_id')} = %s "
        f"RETURNING {quote('checked_in_at')}, {quote('updated_at')}), "
        f"told AS ({audit_sql}), logged AS ({log_sql}) "
        f"SELECT won.*, EXISTS (SELECT 1 FROM logged) FROM won"
    )
    params += [appointment.pk, Appointment.Status.BOOKED, appointment.slot_id, *audit_params, *log_params]
    try:
        return sqlinsert.one_statement(sql, params, using=connection.alias)
    except IntegrityError as error:
        if not sqlinsert.broke(error, ONE_LOG_PER_ATTEMPT):
            raise
        return (None, None, False)


def record_dose(*, appointment: Appointment, lot: str, by, at=None) -> Appointment:
    """Record that the dose was given now (or at `at`, when an offline desk
    recorded it and syncs later) by `by`, from vaccine lot `lot`.

    Separate from check-in: arriving is not being vaccinated. One conditional
    UPDATE, so a double-click records one dose. The dose is taken from the
    lot's stock (vaccination.lots) in the same transaction: a lot refused
    there (expired, quarantined, empty) records nothing.
    Errors: not_checked_in, dose_given; lots.LotRefused.
    """
    now = timezone.now()
    with transaction.atomic():
        done = Appointment.objects.filter(
            pk=appointment.pk, status=Appointment.Status.CHECKED_IN, dose_given_at__isnull=True
        ).update(vaccine_lot=lot.strip(), dose_given_at=at or now, dose_given_by=by, updated_at=now)
        appointment.refresh_from_db()
        if not done:
            raise DeskError("dose_given" if appointment.dose_given_at else "not_checked_in")
        recorded = lots.use(appointment=appointment, lot=lot, by=by, at=at)
        if recorded != appointment.vaccine_lot:
            Appointment.objects.filter(pk=appointment.pk).update(vaccine_lot=recorded)
            appointment.vaccine_lot = recorded
        fragments.bump(day_board(appointment.slot.site_id))
        audit.record(
            Action.RECORD_DOSE,
            target=appointment,
            actor=by,
            data={"code": appointment.code, "lot": appointment.vaccine_lot, "dose": appointment.dose_number},
        )
    return appointment


def undo_check_in(*, appointment: Appointment, by, note: str, site: Site) -> Appointment:
    """Undo a mistaken check-in made less than UNDO_WINDOW ago, before any dose.

    The appointment is booked again; the undo is logged (who, when, why) and
    the original scan stays in the log.
    Errors: not_checked_in, dose_given, undo_too_late, rebooked.
    """
    now = timezone.now()
    with transaction.atomic():
        try:
            with transaction.atomic():
                undone = Appointment.objects.filter(
                    pk=appointment.pk,
                    status=Appointment.Status.CHECKED_IN,
                    dose_given_at__isnull=True,
                    checked_in_at__gte=now - UNDO_WINDOW,
                ).update(
                    status=Appointment.Status.BOOKED,
                    checked_in_at=None,
                    checked_in_by=None,
                    checked_in_site=None,
                    updated_at=now,
                )
        except IntegrityError:
            # The person booked another of this vaccine since: one booked per vaccine.
            raise DeskError("rebooked") from None
        appointment.refresh_from_db()
        if not undone:
            if appointment.status != Appointment.Status.CHECKED_IN:
                raise DeskError("not_checked_in")
            raise DeskError("dose_given" if appointment.dose_given_at else "undo_too_late")
        fragments.bump(day_board(appointment.slot.site_id))
        CheckInLog.objects.create(
            action=CheckInLog.Action.UNDO,
            user=by,
            site=site,
            code=appointment.code,
            reason="undone",
            appointment=appointment,
            note=note.strip(),
        )
        audit.record(
            Action.UNDO_CHECK_IN,
            target=appointment,
            actor=by,
            data={"code": appointment.code, "site": site.name, "note": note.strip()},
        )
    return appointment
