"""vaccination.timetable: a clinic's opening hours and the one generate_slots
that the command, the admin action and the set-up pages share."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import IntegrityError

from audit.models import Action, AuditEvent
from pagecache import fragments
from vaccination.models import FREE_SEATS, OpeningHours, Site, Slot, day_board
from vaccination.timetable import (
    MAX_DAYS,
    TimetableError,
    generate_slots,
    set_opening_hours,
    set_staff,
    weekly_hours,
)

MADRID = ZoneInfo("Europe/Madrid")
MONDAY = date(2026, 12, 7)
WEEKDAYS_9_TO_1 = {day: [(time(9), time(13))] for day in range(5)}


@pytest.fixture(autouse=True)
def before_the_dates():
    with time_machine.travel(datetime(2026, 12, 1, 12, tzinfo=MADRID), tick=False):
        yield


def run(site, vaccine, **overrides):
    arguments = {
        "site": site,
        "vaccine": vaccine,
        "first_day": MONDAY,
        "last_day": date(2026, 12, 13),
        "minutes": 30,
        "capacity": 4,
        **overrides,
    }
    return generate_slots(**arguments)


def local_starts(site):
    return sorted(s.start.astimezone(site.tzinfo).strftime("%a %H:%M %d") for s in Slot.objects.filter(site=site))


def test_opening_hours_keep_several_periods_a_day_in_order(site):
    set_opening_hours(site=site, hours={0: [(time(15), time(19)), (time(9), time(13))], 2: [(time(10), time(12))]})

    week = site.opening_hours_summary()

    assert [day.weekday for day in week] == list(range(7))
    assert str(week[0].name) == "Monday"
    assert week[0].periods == [(time(9), time(13)), (time(15), time(19))]
    assert week[2].periods == [(time(10), time(12))]
    assert not week[1].is_open
    assert week[0].is_open


def test_opening_hours_replace_the_whole_week_and_are_audited_once(site, campaign_lead):
    set_opening_hours(site=site, hours=WEEKDAYS_9_TO_1, by=campaign_lead)
    changed = set_opening_hours(site=site, hours={5: [(time(10), time(14))]}, by=campaign_lead)
    unchanged = set_opening_hours(site=site, hours={5: [(time(10), time(14))]}, by=campaign_lead)

    assert changed
    assert not unchanged
    assert weekly_hours(site) == {5: [(time(10), time(14))]}
    events = AuditEvent.objects.filter(action=Action.OPENING_HOURS_SET, target_id=str(site.pk))
    assert events.count() == 2
    assert events.first().data == {"hours": [[5, "10:00", "14:00"]]}
    assert events.first().actor == campaign_lead


@pytest.mark.parametrize(
    ("hours", "code"),
    [
        ({0: [(time(13), time(9))]}, "closes_before_opens"),
        ({0: [(time(9), time(9))]}, "closes_before_opens"),
        ({1: [(time(9), time(13)), (time(12), time(15))]}, "hours_overlap"),
        ({1: [(time(9), time(13)), (time(10), time(11))]}, "hours_overlap"),
    ],
)
def test_opening_hours_refuse_periods_that_close_before_they_open_or_overlap(site, hours, code):
    set_opening_hours(site=site, hours=WEEKDAYS_9_TO_1)

    with pytest.raises(TimetableError) as refused:
        set_opening_hours(site=site, hours=hours)

    assert refused.value.code == code
    assert weekly_hours(site) == WEEKDAYS_9_TO_1  # the week before is kept


def test_periods_that_touch_are_not_an_overlap(site):
    set_opening_hours(site=site, hours={0: [(time(9), time(13)), (time(13), time(15))]})

    assert len(weekly_hours(site)[0]) == 2


def test_the_database_refuses_a_period_that_closes_before_it_opens(site):
    with pytest.raises(IntegrityError):
        OpeningHours.objects.create(site=site, weekday=0, opens=time(13), closes=time(9))


def test_slots_are_generated_from_the_clinics_opening_hours(site, vaccine):
    set_opening_hours(site=site, hours={0: [(time(9), time(10)), (time(15), time(16))], 2: [(time(11), time(12))]})

    generated = run(site, vaccine)

    assert generated.created == 6
    assert local_starts(site) == [
        "Mon 09:00 07",
        "Mon 09:30 07",
        "Mon 15:00 07",
        "Mon 15:30 07",
        "Wed 11:00 09",
        "Wed 11:30 09",
    ]


def test_the_page_and_the_command_make_the_same_slots_for_the_same_timetable(vaccine):
    by_service = Site.objects.create(name="Service", address="1", time_zone="Europe/Madrid")
    by_command = Site.objects.create(name="Command", address="2", time_zone="Europe/Madrid")
    set_opening_hours(site=by_service, hours=WEEKDAYS_9_TO_1)

    run(by_service, vaccine, minutes=20, capacity=3)
    call_command(
        "generate_slots",
        *("--site", str(by_command.pk), "--vaccine", str(vaccine.pk), "--from", "2026-12-07", "--to", "2026-12-13"),
        *("--opens", "09:00", "--closes", "13:00", "--minutes", "20", "--capacity", "3", "--weekdays-only"),
    )

    def timetable(site):
        return sorted(Slot.objects.filter(site=site).values_list("start", "end", "capacity", "vaccine"))

    assert timetable(by_service) == timetable(by_command)
    assert len(timetable(by_service)) == 5 * 12


def test_the_preview_counts_what_a_run_would_create_and_writes_nothing(site, vaccine):
    set_opening_hours(site=site, hours=WEEKDAYS_9_TO_1)
    run(site, vaccine, last_day=date(2026, 12, 8))  # Monday and Tuesday exist already

    preview = run(site, vaccine, preview=True)

    assert (preview.created, preview.already_there) == (3 * 8, 2 * 8)
    assert Slot.objects.filter(site=site).count() == 2 * 8
    assert run(site, vaccine).created == preview.created


def test_a_second_run_creates_nothing_and_records_nothing(site, vaccine, campaign_lead):
    set_opening_hours(site=site, hours=WEEKDAYS_9_TO_1)
    first = run(site, vaccine, by=campaign_lead)

    second = run(site, vaccine, by=campaign_lead)

    assert (first.created, second.created, second.already_there) == (40, 0, 40)
    assert Slot.objects.filter(site=site).count() == 40
    event = AuditEvent.objects.get(action=Action.SLOTS_GENERATED)
    assert event.actor == campaign_lead
    assert event.data["created"] == 40


def test_new_slots_mark_the_picker_and_the_board_stale(site, vaccine, django_capture_on_commit_callbacks):
    set_opening_hours(site=site, hours=WEEKDAYS_9_TO_1)
    before = fragments.generations(FREE_SEATS, day_board(site.pk))

    with django_capture_on_commit_callbacks(execute=True):
        run(site, vaccine)

    assert fragments.generations(FREE_SEATS, day_board(site.pk)) != before


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"first_day": date(2026, 12, 13), "last_day": MONDAY}, "range_reversed"),
        ({"last_day": date(2028, 1, 1)}, "range_too_long"),
        ({"capacity": 0}, "capacity_out_of_range"),
        ({"capacity": 40000}, "capacity_out_of_range"),
        ({"minutes": 0}, "minutes_out_of_range"),
        ({"minutes": 24 * 60 + 1}, "minutes_out_of_range"),
        ({"hours": {}}, "no_hours"),
        ({"hours": {0: [(time(12), time(9))]}}, "closes_before_opens"),
    ],
)
def test_a_run_with_bad_input_is_refused_and_creates_nothing(site, vaccine, overrides, code):
    set_opening_hours(site=site, hours=WEEKDAYS_9_TO_1)

    with pytest.raises(TimetableError) as refused:
        run(site, vaccine, **overrides)

    assert refused.value.code == code
    assert not Slot.objects.exists()


def test_a_clinic_without_opening_hours_has_nothing_to_generate(site, vaccine):
    with pytest.raises(TimetableError) as refused:
        run(site, vaccine)

    assert refused.value.code == "no_hours"


def test_a_run_that_would_overlap_earlier_slots_creates_nothing(site, vaccine):
    set_opening_hours(site=site, hours=WEEKDAYS_9_TO_1)
    run(site, vaccine, minutes=30)

    with pytest.raises(TimetableError) as refused:
        run(site, vaccine, minutes=20, last_day=date(2026, 12, 20))

    assert refused.value.code == "slot_overlap"
    assert Slot.objects.count() == 40


def test_the_command_refuses_a_range_over_the_limit(site, vaccine):
    with pytest.raises(CommandError, match=f"at most {MAX_DAYS} days"):
        call_command(
            "generate_slots",
            *("--site", str(site.pk), "--vaccine", str(vaccine.pk), "--from", "2027-01-01", "--to", "2029-01-01"),
        )
    assert not Slot.objects.exists()


def test_staff_links_are_set_and_audited_by_ids(site, clinic_staff, campaign_lead):
    assert set_staff(site=site, staff=[clinic_staff], by=campaign_lead)
    assert not set_staff(site=site, staff=[clinic_staff], by=campaign_lead)
    assert set_staff(site=site, staff=[], by=campaign_lead)

    assert not site.staff.exists()
    added, removed = AuditEvent.objects.filter(action=Action.CLINIC_STAFF_CHANGED).order_by("at", "pk")
    assert added.data == {"added": [clinic_staff.pk], "removed": []}
    assert removed.data == {"added": [], "removed": [clinic_staff.pk]}
