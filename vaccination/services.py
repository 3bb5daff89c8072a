"""Booking workflows that must hold under concurrency.

Each service opens a transaction, takes the scarce resource (a seat) with one
conditional UPDATE, re-checks state, writes, and owes its email through the
outbox (`emails.notify`: a row in the same transaction, delivered by the
worker after commit), so a mail server that is down never rolls back a
booking and a booking that commits always has its confirmation owed.
Failures raise `BookingError` with a code; views word it for people.
"""

from datetime import date, timedelta

from django.db import IntegrityError, connections, router, transaction
from django.db.models import F
from django.db.models.signals import post_save, pre_save
from django.utils import timezone

import audit
import outbox
import sqlinsert
from audit.models import Action
from pagecache import fragments
from vaccination import emails
from vaccination.models import (
    BOOKINGS_AND_DOSES,
    FREE_SEATS,
    ONE_BOOKED_PER_VACCINE,
    SEATS_BUMP_SECONDS,
    SLOT_WITH_DETAILS,
    Appointment,
    SeatHold,
    Site,
    Slot,
    Vaccine,
    booking_horizon,
    day_board,
    new_confirmation_code,
)
from vaccination.screening import record_answers


class BookingError(Exception):
    """A booking workflow refused. `code` is one of:

    slot_full        the last seat was just taken
    slot_started     the slot has already started
    site_closed      the clinic takes no bookings
    not_offered      the slot lies beyond the booking window (BOOKING_DAYS_AHEAD)
    already_booked   the person already holds a booked appointment for the slot's vaccine
    course_complete  every dose of the vaccine was already given
    too_soon         the vaccine's minimum interval since the last dose has not passed
    not_changeable   the appointment is cancelled, checked in, past or started
    other_vaccine    a reschedule must keep the same vaccine
    same_slot        a reschedule to the slot it already holds
    hold_expired     the seat held while the visitor signed in was let go
    not_started      a no-show before the slot has started
    not_booked       a no-show of an appointment that is not booked (any more)
    not_no_show      an undo of a no-show that is not (or no longer) one
    undo_too_late    the no-show is past the time the desk could check the person in
    rebooked         the person holds another booked appointment now
    """

    def __init__(self, code: str, *, earliest=None):
        super().__init__(code)
        self.code = code
        # For too_soon: the first local day (a date) the next dose may be given.
        self.earliest = earliest


def next_dose(*, person, vaccine: Vaccine, when, site: Site | None = None) -> int:
    """The dose number `person` may book for `vaccine` at `when` at `site`.

    Dose n+1 only after dose n was given (recorded by a nurse) and not before
    the vaccine's minimum interval (see dose_after). Raises
    BookingError(course_complete|too_soon).
    """
    return dose_after(last_doses(person=person).get(vaccine.pk), vaccine=vaccine, when=when, site=site)


def last_doses(*, person) -> dict:
    """The last dose given to `person` of each vaccine, by vaccine id (one query)."""
    given = Appointment.objects.filter(person=person, dose_given_at__isnull=False).select_related("slot__site")
    return latest_doses(given)


def latest_doses(appointments) -> dict:
    """The last given dose of each vaccine among `appointments` (in any
    order), by vaccine id: the highest dose number, the later one of two."""
    last = {}
    for appointment in appointments:
        if appointment.dose_given_at is None:
            continue
        kept = last.get(appointment.slot.vaccine_id)
        if kept is None or (appointment.dose_number, appointment.dose_given_at) >= (
            kept.dose_number,
            kept.dose_given_at,
        ):
            last[appointment.slot.vaccine_id] = appointment
    return last


def earliest_day(last, *, vaccine: Vaccine) -> date:
    """The first local day the dose after `last` may be given.

    The interval is counted in days at the clinics, not in hours: the day the
    dose was given (at the clinic that gave it) plus the vaccine's minimum
    days. So the whole of that day is open (after a dose at 23:50 on
    2 November, all of 23 November for 21 days), the message that names the
    day and the rule agree, and a daylight-saving change never makes the gap
    a local day shorter.
    """
    given_on = timezone.localtime(last.dose_given_at, last.slot.site.tzinfo).date()
    return given_on + timedelta(days=vaccine.min_days_between_doses)


def dose_after(last, *, vaccine: Vaccine, when, site: Site | None = None) -> int:
    """The dose that may be booked at `when` at `site` after `last` (None:
    never vaccinated). `when` counts by its local day at `site` (default:
    the clinic of the last dose)."""
    if last is None:
        return 1
    if last.dose_number >= vaccine.doses_required:
        raise BookingError("course_complete")
    earliest = earliest_day(last, vaccine=vaccine)
    if timezone.localtime(when, (site or last.slot.site).tzinfo).date() < earliest:
        raise BookingError("too_soon", earliest=earliest)
    return last.dose_number + 1


def _take_seat(slot: Slot, *, running: bool = False) -> None:
    """Take one seat with a single conditional UPDATE: the database decides,
    so twenty simultaneous requests for the last seat give exactly one success.
    The WHERE clause only reads the slot's own row: PostgreSQL re-checks it
    against the committed row after waiting for a concurrent writer. A
    `running` slot (spare doses declared at the desk) takes seats until it ends."""
    now = timezone.now()

    def take():
        return _take_one_seat(slot.pk, running=running, now=now)

    # A seat still counted for a hold that has run out is free: given back
    # here, not only by the sweep (release_expired_holds), then tried again.
    # Tried again whoever gave it back: when the sweep or another booking did
    # between the two, this booking may still be the one to take the seat.
    taken = take()
    if not taken:
        release_holds(SeatHold.objects.expired().filter(slot=slot))
        taken = take()
    if not taken:
        _no_seat(slot, running=running, now=now)
    _seats_changed(slot)


def _no_seat(slot: Slot, *, running: bool, now) -> None:
    """Raise why no seat was taken: the slot started (ended, if `running`) or is full."""
    slot.refresh_from_db(fields=["start", "end", "booked_count", "capacity"])
    over = (slot.end if running else slot.start) <= now
    raise BookingError("slot_started" if over else "slot_full")


def _take_one_seat(slot_id: int, *, running: bool, now) -> int:
    """Take a seat of the slot (_seat_sql); the rows changed."""
    connection = connections[router.db_for_write(Slot)]
    sql, params = _seat_sql(slot_id, running=running, now=now, connection=connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _seat_sql(slot_id: int, *, running: bool, now, connection):
    """UPDATE slot SET booked_count = booked_count + 1 WHERE id = ... AND
    booked_count < capacity AND start (running: end) > now, written out
    (the ORM compiled it anew on every booking, issue 15): the one rule of
    a seat taken, for the transaction and for the one-statement booking."""
    quote = connection.ops.quote_name
    until = Slot._meta.get_field("end" if running else "start")
    # Names quoted from the model, every value a parameter.
    sql = (
        f"UPDATE {quote(Slot._meta.db_table)} SET {quote('booked_count')} = {quote('booked_count')} + 1 "  # noqa: S608  # nosec B608
        f"WHERE {quote('id')} = %s AND {quote('booked_count')} < {quote('capacity')} AND {quote(until.column)} > %s"
    )
    return sql, [slot_id, until.get_db_prep_value(now, connection)]


def _free_seat(slot: Slot) -> None:
    Slot.objects.filter(pk=slot.pk, booked_count__gt=0).update(booked_count=F("booked_count") - 1)
    _seats_changed(slot)


def release_holds(holds) -> int:
    """Let go of the seat holds among `holds` (a SeatHold queryset) and give
    their seats back: each hold's row is deleted and its seat freed in one
    transaction, so a hold released twice at once (the sweep, the visitor
    choosing another time) frees its seat once. Returns how many were released.

    Side effects: frees seats, bumps the picker's free seats.
    """
    released = 0
    for slot_id in set(holds.values_list("slot_id", flat=True)):
        with transaction.atomic():
            count, _rows = holds.filter(slot_id=slot_id).delete()
            if count:
                Slot.objects.filter(pk=slot_id).update(booked_count=F("booked_count") - count)
        released += count
    if released:
        fragments.bump_at_most_every(SEATS_BUMP_SECONDS, FREE_SEATS)
    return released


def _claim_hold(hold: SeatHold, slot: Slot) -> None:
    """The seat `hold` keeps in `slot` becomes the booking's: the hold's row
    goes, its seat stays taken. Raises hold_expired when it is no longer live
    (run out, released, or already booked by a second tab)."""
    claimed, _rows = SeatHold.objects.live().filter(pk=hold.pk, slot=slot).delete()
    if not claimed:
        raise BookingError("hold_expired")


def _seats_changed(slot: Slot) -> None:
    """The cached booking picker shows free seats: stale, but marked so at
    most every SEATS_BUMP_SECONDS (many bookings a second must not make every
    view of it a miss). The day boards follow the appointments themselves
    (vaccination.signals)."""
    fragments.bump_at_most_every(SEATS_BUMP_SECONDS, FREE_SEATS)


def _check_bookable(slot: Slot, *, running: bool = False) -> None:
    """What may be booked, for every path (pages, API, admin): the pickers and
    the API's slot list offer exactly these (Slot.objects.offered). A
    `running` slot (spare doses at the desk) may be booked until it ends."""
    if not slot.site.is_active:
        raise BookingError("site_closed")
    if (slot.end if running else slot.start) <= timezone.now():
        raise BookingError("slot_started")
    if slot.start >= booking_horizon():
        raise BookingError("not_offered")


def mark_no_shows(*, appointments=None) -> int:
    """Mark every missed appointment among `appointments` (default: all) as a
    no-show: booked, and the slot ended more than NO_SHOW_GRACE ago. Until
    then the desk may still check the person in. Returns how many were marked.

    Side effects: bumps the day board of each clinic concerned.
    """
    missed = (Appointment.objects.all() if appointments is None else appointments).missed()
    found = list(missed.values_list("pk", "slot__site_id"))
    if not found:
        return 0
    # The WHERE re-checks the status: a desk that checked someone in at the
    # last moment keeps its check-in.
    marked = Appointment.objects.filter(pk__in=[pk for pk, _site in found], status=Appointment.Status.BOOKED).update(
        status=Appointment.Status.NO_SHOW, updated_at=timezone.now()
    )
    for site_id in {site_id for _pk, site_id in found}:
        fragments.bump(day_board(site_id))
    return marked


def mark_no_show(*, appointment: Appointment, by, undo: bool = False) -> Appointment:
    """Mark one booked appointment a no-show by hand (staff on the day board),
    once its slot has started; or, with `undo`, book it again while the desk
    could still check the person in (until NO_SHOW_GRACE after the slot ends,
    when mark_no_shows would mark it anyway).

    Seats follow mark_no_shows: a no-show keeps its seat (the slot has
    started, nobody else can take it), so booked_count does not move either way.
    Side effects: bumps the clinic's day board; audited (no_show or
    undo_no_show, with who).
    Errors: not_started, not_booked (mark); not_no_show, undo_too_late,
    rebooked (undo).
    """
    now = timezone.now()
    current = Appointment.objects.select_related("slot__site", "slot__vaccine").get(pk=appointment.pk)
    status = Appointment.Status
    before, after = (status.NO_SHOW, status.BOOKED) if undo else (status.BOOKED, status.NO_SHOW)
    if current.status != before:
        raise BookingError("not_no_show" if undo else "not_booked")
    if undo and not current.no_show_undoable:
        raise BookingError("undo_too_late")
    if not undo and not current.may_be_marked_no_show:
        raise BookingError("not_started")
    with transaction.atomic():
        try:
            with transaction.atomic():
                # The WHERE re-checks the status: a desk that checked the
                # person in a moment ago keeps its check-in.
                changed = Appointment.objects.filter(pk=appointment.pk, status=before).update(
                    status=after, updated_at=now
                )
        except IntegrityError:
            # The person booked another time since: one booked at a time.
            raise BookingError("rebooked") from None
        if not changed:
            raise BookingError("not_no_show" if undo else "not_booked")
        appointment.refresh_from_db()
        appointment.slot = current.slot
        fragments.bump(day_board(current.slot.site_id))
        audit.record(
            Action.UNDO_NO_SHOW if undo else Action.NO_SHOW, target=appointment, actor=by, data=_facts(appointment)
        )
    return appointment


def _facts(appointment: Appointment) -> dict:
    """What the audit log keeps about an appointment: where, when, which dose."""
    slot = appointment.slot
    return {
        "code": appointment.code,
        "site": slot.site.name,
        "vaccine": slot.vaccine.name,
        "start": slot.start.isoformat(),
        "dose": appointment.dose_number,
    }


def check_booking(*, person, slot: Slot) -> int | None:
    """What book() would answer for `person` in `slot`, without booking: the
    dose number (None for a visitor not signed in, whose doses are unknown).
    For the check-your-answers page; book() decides again under its locks.
    No side effects. Errors: slot_full, slot_started, site_closed,
    not_offered, already_booked, course_complete, too_soon.
    """
    _check_bookable(slot)
    if slot.seats_left == 0:
        raise BookingError("slot_full")
    if not person.is_authenticated:
        return None
    if Appointment.objects.holding().filter(person=person, vaccine=slot.vaccine_id).exists():
        raise BookingError("already_booked")
    return next_dose(person=person, vaccine=slot.vaccine, when=slot.start, site=slot.site)


def book(
    *,
    person,
    slot: Slot,
    source: str = Appointment.Source.ONLINE,
    running: bool = False,
    screening: dict[int, bool] | None = None,
    hold: SeatHold | None = None,
    bookings: list[Appointment] | None = None,
) -> Appointment:
    """Book a seat in `slot` for `person`, who came by `source` (online, a
    walk-in, a spare-dose offer). `running`: the slot has started and takes
    seats until it ends (spare doses declared at the desk). `hold`: the seat
    was already taken by this SeatHold (vaccination.holds), which becomes the
    booking instead of a second seat being taken.

    Side effects: takes a seat, creates the appointment with a fresh code,
    emails a confirmation with a calendar file after commit.
    `screening`: answers (question id -> yes/no) to the vaccine's screening
    questions, saved in the booking's transaction. `bookings`: the person's
    bookings and given doses, when the caller read them with the slot
    (SLOT_AND_BOOKINGS, one round trip for both); read here when None.
    One booked appointment per person and vaccine (flu and COVID may be held
    together). A booking the person missed (see mark_no_shows) is marked a
    no-show first: it no longer holds their booking of that vaccine.
    Errors: slot_full, slot_started, site_closed, not_offered,
    already_booked, course_complete, too_soon, hold_expired.
    """
    if not (Slot.site.is_cached(slot) and Slot.vaccine.is_cached(slot)):  # the page's form loaded them
        slot = SLOT_WITH_DETAILS.get(slot.pk)
    _check_bookable(slot, running=running)
    mine = BOOKINGS_AND_DOSES.all(person.pk) if bookings is None else bookings
    if any(a.status == Appointment.Status.BOOKED and a.vaccine_id == slot.vaccine_id for a in mine):
        # Most people hold none of this vaccine: only then can one be a missed booking.
        held = _held(person, slot)
        mark_no_shows(appointments=held)
        if held.exists():
            raise BookingError("already_booked")
    when = max(slot.start, timezone.now()) if running else slot.start
    last = latest_doses(mine).get(slot.vaccine_id)
    dose_number = dose_after(last, vaccine=slot.vaccine, when=when, site=slot.site)
    if hold is None and not screening and connections[router.db_for_write(Appointment)].vendor == "postgresql":
        appointment = Appointment(
            person=person, slot=slot, vaccine=slot.vaccine, dose_number=dose_number, source=source
        )
        _book_in_one_statement(appointment, running=running)
        return appointment
    with transaction.atomic():
        if hold is None:
            _take_seat(slot, running=running)
        else:
            _claim_hold(hold, slot)
        appointment = Appointment(
            person=person, slot=slot, vaccine=slot.vaccine, dose_number=dose_number, source=source
        )
        _insert_booking(appointment)
        if screening:
            record_answers(appointment=appointment, answers=screening, by=person)
        # The audit event travels with the confirmation's outbox row: one round trip.
        event = audit.unsaved(Action.BOOK, target=appointment, actor=person, data=_facts(appointment))
        emails.notify(appointment, "booked", along=[event])
    return appointment


# A number no appointment's id reaches (ids are drawn from 1 up), standing in
# for the one the booking statement draws (sqlinsert.insert_sql's stand_in).
NEW_APPOINTMENT_ID = 9_007_199_254_740_881
# Where the booking's audit row and messages name the new appointment (audit.unsaved, emails.owed).
CARRY_THE_ID = {"audit.auditevent": frozenset({"target_id"}), "outbox.message": frozenset({"data", "key"})}


def _book_in_one_statement(appointment: Appointment, *, running: bool) -> None:
    """book()'s writes on PostgreSQL, for a booking without a hold or
    screening answers: the seat, the appointment with a fresh code, its
    audit event and the confirmation owed, in one statement that is its own
    transaction (sqlinsert.one_statement): one round trip where the
    transaction took five (BEGIN, the seat, the appointment, the outbox row
    with the audit row, COMMIT). The same rules as the transaction: the
    seat's conditional UPDATE (_take_seat's, expired holds given back and
    tried again), the unique constraints (a code drawn twice is drawn again;
    the person's booking of this vaccine, made meanwhile by a second tab, is
    already_booked), and everything undone when any of it fails."""
    slot = appointment.slot
    using = router.db_for_write(Appointment)
    holds_given_back = False
    for _attempt in range(5):
        appointment.code = new_confirmation_code()
        pre_save.send(sender=Appointment, instance=appointment, raw=False, using=using, update_fields=None)
        try:
            written = _write_booking(appointment, running=running, using=using)
        except IntegrityError as error:
            if sqlinsert.broke(error, ONE_BOOKED_PER_VACCINE):
                raise BookingError("already_booked") from error
            if not sqlinsert.is_unique_violation(error):
                raise
            continue  # the code was drawn before: draw another
        if written:
            # The board's window (an online booking: vaccination.signals) and the
            # seats', in one round trip; none while this process knows both open.
            with fragments.together():
                post_save.send(
                    sender=Appointment, instance=appointment, created=True, update_fields=None, raw=False, using=using
                )
                _seats_changed(slot)
            return
        if holds_given_back:
            break
        # No seat: one still counted for a hold that has run out is free
        # (given back here, not only by the sweep), then tried again.
        release_holds(SeatHold.objects.expired().filter(slot=slot))
        holds_given_back = True
    else:
        raise BookingError("already_booked")  # five codes in a row taken (never seen): a clash
    _no_seat(slot, running=running, now=timezone.now())


def _write_booking(appointment: Appointment, *, running: bool, using: str) -> bool:
    """WITH seat AS (UPDATE slot ... RETURNING), made AS (INSERT appointment
    FROM seat), told AS (INSERT audit FROM made), owedN AS (INSERT outbox
    FROM made) SELECT: True when booked (the rows' ids set), False when no
    seat was taken (nothing written). The audit event and the messages are
    built as for any booking (audit.unsaved, emails.owed) with
    NEW_APPOINTMENT_ID where the appointment's id goes."""
    connection = connections[using]
    quote = connection.ops.quote_name
    slot = appointment.slot
    appointment.id = NEW_APPOINTMENT_ID
    try:
        event = audit.unsaved(Action.BOOK, target=appointment, actor=appointment.person, data=_facts(appointment))
        messages = emails.owed(appointment, "booked")
    finally:
        appointment.id = None
    seat_sql, seat_params = _seat_sql(slot.pk, running=running, now=timezone.now(), connection=connection)
    made_sql, made_params = sqlinsert.insert_sql(appointment, using=using, select_from="seat", returning=["id"])
    made_id = f"{quote('made')}.{quote('id')}"
    parts = [f"seat AS ({seat_sql} RETURNING {quote('id')})", f"made AS ({made_sql})"]
    params = [*seat_params, *made_params]
    for name, row in [("told", event), *((f"owed{n}", message) for n, message in enumerate(messages))]:
        row_sql, row_params = sqlinsert.insert_sql(
            row,
            using=using,
            select_from="made",
            returning=["id"],
            on_conflict_nothing=row is not event,  # a message owed already is not owed twice
            stand_in=(NEW_APPOINTMENT_ID, made_id, CARRY_THE_ID[row._meta.label_lower]),
        )
        parts.append(f"{name} AS ({row_sql})")
        params += row_params
    names = ["made", "told", *(f"owed{n}" for n in range(len(messages)))]
    # Our own CTE names; the rest quoted from the models, every value a parameter.
    outputs = ", ".join(f"(SELECT id FROM {name})" for name in names)  # noqa: S608  # nosec B608
    row = sqlinsert.one_statement(f"WITH {', '.join(parts)} SELECT {outputs}", params, using=using)  # nosec B608
    made, told, *owed = row
    if made is None:
        return False
    sqlinsert.saved(appointment, made, using)
    sqlinsert.saved(event, told, using)
    for message, message_id in zip(messages, owed, strict=True):
        if message_id is not None:
            sqlinsert.saved(message, message_id, using)
            outbox.written(message)
    return True


def _held(person, slot: Slot):
    """The person's booked appointments of the slot's vaccine (at most one)."""
    return Appointment.objects.booked().filter(person=person, vaccine=slot.vaccine_id)


def _insert_booking(appointment: Appointment) -> None:
    """Write the new booking with a fresh confirmation code, as save() would
    (its signals too: the clinic's day board). ON CONFLICT DO NOTHING tells a
    clash without the savepoint a caught IntegrityError needs (two round
    trips): a code already drawn is drawn again; the person's booking of this
    vaccine, made by a second tab that won the race, is already_booked, and
    raising rolls our seat back too."""
    using = router.db_for_write(Appointment)
    for _attempt in range(5):
        appointment.code = new_confirmation_code()
        pre_save.send(sender=Appointment, instance=appointment, raw=False, using=using, update_fields=None)
        if sqlinsert.insert_unless_duplicate(appointment, using=using):
            post_save.send(
                sender=Appointment, instance=appointment, created=True, update_fields=None, raw=False, using=using
            )
            return
        if _held(appointment.person, appointment.slot).exists():
            break
    # Five codes in a row taken (never seen) is refused as a clash too.
    raise BookingError("already_booked")


def _lock_changeable(appointment: Appointment) -> Appointment:
    """Lock the appointment row and re-check it, so a double-clicked cancel or
    two tabs rescheduling at once act once."""
    locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
    locked.slot = Slot.objects.select_related("site", "vaccine").get(pk=locked.slot_id)
    if not locked.is_changeable:
        raise BookingError("not_changeable")
    return locked


def cancel(*, appointment: Appointment, by) -> Appointment:
    """Cancel a booked appointment that has not started and free its seat.

    `by` is who cancels (the person, or staff). Side effects: frees the seat,
    bumps the calendar SEQUENCE, emails a cancellation after commit.
    Errors: not_changeable.
    """
    with transaction.atomic():
        locked = _lock_changeable(appointment)
        _free_seat(locked.slot)
        locked.status = Appointment.Status.CANCELLED
        locked.cancelled_at = timezone.now()
        locked.sequence += 1
        locked.save()
        emails.notify(locked, "cancelled")
        audit.record(Action.CANCEL, target=locked, actor=by, data=_facts(locked))
    return locked


def reschedule(*, appointment: Appointment, slot: Slot) -> Appointment:
    """Move a booked appointment to `slot`, atomically: if the new seat is
    gone the old one is kept.

    Side effects: takes the new seat, frees the old one, bumps the calendar
    SEQUENCE (same UID, so calendars move the entry), emails the new time.
    Errors: not_changeable, same_slot, other_vaccine, site_closed,
    slot_started, not_offered, slot_full, too_soon.
    """
    new_slot = Slot.objects.select_related("site", "vaccine").get(pk=slot.pk)
    with transaction.atomic():
        locked = _lock_changeable(appointment)
        if new_slot.pk == locked.slot_id:
            raise BookingError("same_slot")
        if new_slot.vaccine_id != locked.slot.vaccine_id:
            raise BookingError("other_vaccine")
        _check_bookable(new_slot)
        next_dose(person=locked.person, vaccine=new_slot.vaccine, when=new_slot.start, site=new_slot.site)
        _take_seat(new_slot)
        _free_seat(locked.slot)
        # Saving reports the new clinic to its day board; the old one hears it here.
        fragments.bump(day_board(locked.slot.site_id))
        before = _facts(locked)
        locked.slot = new_slot
        locked.sequence += 1
        # The new time owes its own reminder; one queued for the old time is
        # skipped at send time (its sequence is behind).
        locked.reminder_sent_at = None
        locked.save()
        emails.notify(locked, "rescheduled")
        moved = {**_facts(locked), "from": before["start"], "from_site": before["site"]}
        audit.record(Action.RESCHEDULE, target=locked, data=moved)
    return locked
