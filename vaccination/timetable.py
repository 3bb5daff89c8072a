"""A clinic's weekly opening hours and the slots generated from them.

One set of rules for every path: the campaign lead's set-up pages
(campaign.clinics), the generate_slots command and the admin's action all
call `generate_slots`, and `set_opening_hours` is the one writer of a
clinic's week. Refusals raise TimetableError with a code; its words are in
vaccination.errors (TIMETABLE_ERRORS, timetable_message).
"""

import itertools
from datetime import date, time

from django.db import transaction

import audit
from audit.models import Action
from pagecache import fragments
from vaccination.models import FREE_SEATS, OpeningHours, Site, Slot, SlotOverlapError, SlotRun

# Slot.capacity is a PositiveSmallIntegerField: the database stores at most this.
MAX_CAPACITY = 32767
MAX_MINUTES = 24 * 60
# One run covers at most a year: a mistyped year (2062 for 2026) must not
# create millions of slots in one transaction.
MAX_DAYS = 366


class TimetableError(Exception):
    """Opening hours or a slot run refused. `code` is one of:

    range_reversed          the last day is before the first
    range_too_long          more than MAX_DAYS days (details: days)
    minutes_out_of_range    slot length not within 1..MAX_MINUTES (details: maximum)
    capacity_out_of_range   seats per slot not within 1..MAX_CAPACITY (details: maximum)
    closes_before_opens     a period does not close after it opens (details: weekday)
    hours_overlap           two periods of one day overlap (details: weekday)
    no_hours                the clinic has no opening hours to generate from
    slot_overlap            a new slot would overlap an existing one (details: clash, a SlotOverlapError)
    """

    def __init__(self, code: str, **details):
        super().__init__(code)
        self.code = code
        self.details = details


def check_hours(hours: dict) -> None:
    """Raise TimetableError(closes_before_opens|hours_overlap) unless every
    period of `hours` ({weekday: [(opens, closes)]}) closes after it opens
    and no two periods of a day overlap (touching, 13:00-13:00, is fine)."""
    for weekday, periods in sorted(hours.items()):
        ordered = sorted(periods)
        for opens, closes in ordered:
            if closes <= opens:
                raise TimetableError("closes_before_opens", weekday=weekday)
        for (_opens, closes), (next_opens, _closes) in itertools.pairwise(ordered):
            if next_opens < closes:
                raise TimetableError("hours_overlap", weekday=weekday)


def check_run(*, first_day: date, last_day: date, minutes: int, capacity: int, hours: dict) -> None:
    """Raise TimetableError unless a slot run with these parameters may start."""
    if last_day < first_day:
        raise TimetableError("range_reversed")
    if (last_day - first_day).days + 1 > MAX_DAYS:
        raise TimetableError("range_too_long", days=MAX_DAYS)
    if not 1 <= minutes <= MAX_MINUTES:
        raise TimetableError("minutes_out_of_range", maximum=MAX_MINUTES)
    if not 1 <= capacity <= MAX_CAPACITY:
        raise TimetableError("capacity_out_of_range", maximum=MAX_CAPACITY)
    check_hours(hours)
    if not any(hours.values()):
        raise TimetableError("no_hours")


def weekly_hours(site: Site) -> dict:
    """The clinic's opening hours as generate_slots takes them: {weekday: [(opens, closes)]}."""
    return {day.weekday: day.periods for day in site.opening_hours_summary() if day.periods}


def single_period(*, opens: time, closes: time, weekdays=None) -> dict:
    """One period on each of `weekdays` (every day when None): the command's --opens/--closes."""
    return {day: [(opens, closes)] for day in (range(7) if weekdays is None else weekdays)}


def generate_slots(
    *,
    site: Site,
    vaccine,
    first_day: date,
    last_day: date,
    minutes: int,
    capacity: int,
    hours: dict | None = None,
    preview: bool = False,
    by=None,
) -> SlotRun:
    """Create `site`'s slots for `vaccine` from `first_day` to `last_day`
    from `hours` ({weekday: [(opens, closes)]}, the clinic's own opening
    hours when None), `minutes` long with `capacity` seats each, and return
    what the run did (a SlotRun). Slots that exist are left as they are, so
    running it twice creates nothing the second time.

    With preview=True nothing is written: the SlotRun counts what a run
    would create now. Otherwise, when any slot is created: the slots,
    one audit event (slots_generated, actor `by` or the request's user),
    and the booking picker's and the clinic's board generations bumped
    after commit (Slot.objects.generate).

    Error codes (TimetableError): range_reversed, range_too_long,
    minutes_out_of_range, capacity_out_of_range, closes_before_opens,
    hours_overlap, no_hours, slot_overlap (nothing is created).
    """
    if hours is None:
        hours = weekly_hours(site)
    check_run(first_day=first_day, last_day=last_day, minutes=minutes, capacity=capacity, hours=hours)
    with transaction.atomic():
        try:
            run = Slot.objects.generate(
                site=site,
                vaccine=vaccine,
                first_day=first_day,
                last_day=last_day,
                minutes=minutes,
                capacity=capacity,
                hours=hours,
                commit=not preview,
            )
        except SlotOverlapError as clash:
            raise TimetableError("slot_overlap", clash=clash) from None
        if run.created and not preview:
            audit.record(
                Action.SLOTS_GENERATED,
                target=site,
                actor=by,
                data={
                    "vaccine": vaccine.name,
                    "from": str(first_day),
                    "to": str(last_day),
                    "minutes": minutes,
                    "capacity": capacity,
                    "created": run.created,
                },
            )
    return run


def set_opening_hours(*, site: Site, hours: dict, by=None) -> bool:
    """Make `hours` ({weekday: [(opens, closes)]}) the clinic's whole week:
    periods not in it are removed. Returns whether anything changed.

    Side effects: OpeningHours rows replaced; one audit event
    (opening_hours_set, with the new week) when the week changed; the
    booking picker's generation (FREE_SEATS) bumped after commit, since the
    public pages show clinics' hours (Site.opening_hours_summary).
    Existing slots are not touched: generate_slots makes slots from the hours.
    Error codes (TimetableError): closes_before_opens, hours_overlap.
    """
    check_hours(hours)
    wanted = sorted((day, opens, closes) for day, periods in hours.items() for opens, closes in periods)
    with transaction.atomic():
        # Two editors of one clinic's week take turns, so the overlap check
        # above holds for what is stored (no constraint across rows does it).
        Site.objects.select_for_update(no_key=True).only("pk").get(pk=site.pk)
        current = sorted(site.opening_hours.values_list("weekday", "opens", "closes"))
        if current == wanted:
            return False
        site.opening_hours.all().delete()
        OpeningHours.objects.bulk_create(
            OpeningHours(site=site, weekday=day, opens=opens, closes=closes) for day, opens, closes in wanted
        )
        audit.record(
            Action.OPENING_HOURS_SET,
            target=site,
            actor=by,
            data={"hours": [[day, f"{opens:%H:%M}", f"{closes:%H:%M}"] for day, opens, closes in wanted]},
        )
        transaction.on_commit(lambda: fragments.bump(FREE_SEATS))
    return True


def set_staff(*, site: Site, staff, by=None) -> bool:
    """Make `staff` (users) the clinic's desk staff. Returns whether it changed.

    Side effects: Site.staff set; one audit event (clinic_staff_changed,
    with the ids added and removed: ids, not emails, so the event keeps no
    address after an account is deleted) when it changed."""
    wanted = {user.pk for user in staff}
    with transaction.atomic():
        current = set(site.staff.values_list("pk", flat=True))
        if current == wanted:
            return False
        site.staff.set(wanted)
        audit.record(
            Action.CLINIC_STAFF_CHANGED,
            target=site,
            actor=by,
            data={"added": sorted(wanted - current), "removed": sorted(current - wanted)},
        )
    return True
